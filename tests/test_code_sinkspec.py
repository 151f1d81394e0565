"""The sink catalogs as data: every entry is one the language's matcher can read, a call fits an entry by its
callee pattern, and a new sink is one catalog entry (no analyzer change)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from remit.api import analyze
from remit.code.facts import SinkKind, TaintFlow
from remit.code.javascript import catalog as js_catalog
from remit.code.javascript import sinks as js_sinks
from remit.code.python import catalog as py_catalog
from remit.code.python import sinks as py_sinks
from remit.code.sinkspec import Arg, Option, Sink

TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
      CodeUri: src/
      Handler: app.handler
      FunctionUrlConfig: {{AuthType: NONE}}
"""

PY_ENTRIES = list(enumerate(py_catalog.SINKS))
JS_ENTRIES = [(c, i, spec) for c, chain in enumerate(js_catalog.SINKS) for i, spec in enumerate(chain)]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(("index", "spec"), PY_ENTRIES)
def test_python_entries_are_readable(index: int, spec: Sink) -> None:
    assert spec.option in py_sinks._OPTIONS, index
    assert _fields(spec.label) | _fields(spec.label_with[1]) <= {"callee", "method", "note", "keyword"}, index
    assert spec.callees or spec.prefixes or spec.methods, index
    assert not spec.options_object, index  # JavaScript-only fields
    assert not spec.operations, index
    if spec.each_name:
        assert all(arg.names for arg in spec.args), index
        assert "{keyword}" in spec.label, index


@pytest.mark.parametrize(("chain", "index", "spec"), JS_ENTRIES)
def test_javascript_entries_are_readable(chain: int, index: int, spec: Sink) -> None:
    where = (chain, index)
    assert spec.option in js_sinks._OPTIONS, where
    assert _fields(spec.label) <= {"callee", "method", "operation", "note", "keyword"}, where
    assert spec.callees or spec.prefixes or spec.methods or spec.operations, where
    assert spec.label_with == ("", ""), where  # Python-only fields
    assert not spec.lists_only, where
    if spec.each_name:
        assert spec.options_object, where
        assert "{keyword}" in spec.label, where


def test_fits_by_callee_prefix_method_and_arguments() -> None:
    spec = Sink(SinkKind.PATH.value, callees=frozenset({"a.open"}), prefixes=("os.exec",))
    assert spec.fits("a.open", "open", 0)
    assert spec.fits("os.execvp", "execvp", 2)
    assert not spec.fits("a.opener", "opener", 1)
    both = Sink(SinkKind.PATH.value, prefixes=("pathlib.Path.",), methods=frozenset({"read_text"}))
    assert both.fits("pathlib.Path.read_text", "read_text", 0)
    assert not both.fits("pathlib.Path.name", "name", 0)  # the prefix alone is not enough
    positional = Sink(SinkKind.SQL.value, methods=frozenset({"query"}), min_args=1)
    assert positional.fits("db.query", "query", 1)
    assert not positional.fits("table.query", "query", 0)  # DynamoDB's query takes keywords only
    operation = Sink(SinkKind.SQL.value, operations=frozenset({"ExecuteStatementCommand"}))
    assert operation.fits("@aws-sdk/client-dynamodb.ExecuteStatementCommand", "", 1)
    assert not operation.fits("ExecuteStatementCommandX", "", 1)


def test_every_option_is_read_by_some_language() -> None:
    assert set(Option) == set(py_sinks._OPTIONS) | set(js_sinks._OPTIONS)


def _flows(tmp_path: Path, runtime: str, name: str, code: str) -> list[TaintFlow]:
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(runtime=runtime))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / name).write_text(code)
    an, _ = analyze([tmp_path])
    assert an is not None
    return [flow for fn in an.code.functions.values() for flow in fn.flows]


PY_HANDLER = """import reports

def handler(event, context):
    reports.render_remote(event["body"], timeout=3)  # line 4
    reports.render_remote("fixed", target=event["body"])  # line 5: not the dangerous keyword
"""

JS_HANDLER = """const reports = require("reports");
exports.handler = async (event) => {
  await reports.fetchRemote({ url: event.body, retries: 2 });  // line 3
  await reports.fetchRemote({ retries: event.body });  // line 4: not the URL
};
"""


def test_a_new_python_sink_is_one_catalog_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "before").mkdir()
    assert _flows(tmp_path / "before", "python3.12", "app.py", PY_HANDLER) == []
    entry = Sink(SinkKind.SSRF.value, callees=frozenset({"reports.render_remote"}), args=(Arg(0, ("url",)),))
    monkeypatch.setattr(py_catalog, "SINKS", (*py_catalog.SINKS, entry))
    (tmp_path / "after").mkdir()
    flows = _flows(tmp_path / "after", "python3.12", "app.py", PY_HANDLER)
    assert [(f.sink, f.callee, f.steps[-1].location.line) for f in flows] == \
        [(SinkKind.SSRF, "reports.render_remote", 4)]


def test_a_new_javascript_sink_is_one_catalog_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "before").mkdir()
    assert _flows(tmp_path / "before", "nodejs20.x", "app.js", JS_HANDLER) == []
    entry = Sink(SinkKind.SSRF.value, callees=frozenset({"reports.fetchRemote"}), args=(Arg(0, ("url",)),))
    reads = (*js_catalog.READS, entry)
    monkeypatch.setattr(js_catalog, "SINKS", (js_catalog.RUNS, js_catalog.EXPRESSIONS, reads))
    (tmp_path / "after").mkdir()
    flows = _flows(tmp_path / "after", "nodejs20.x", "app.js", JS_HANDLER)
    assert [(f.sink, f.callee, f.steps[-1].location.line) for f in flows] == \
        [(SinkKind.SSRF, "reports.fetchRemote", 3)]
