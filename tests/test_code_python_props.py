"""Property tests of the Python taint engine: generated chains from an event field to a sink, and hostile text.

A chain is a list of steps between ``event["body"]`` and a sink (``os.system`` or ``open``): plain assignments,
a trip through a dict or a list, f-strings, ``%``, ``.format``, ``+``, ``json.loads`` and calls to helpers in
the same file or in another module of the package. Some steps are sanitizers, each for some sink kinds only
(``shlex.quote`` makes a value safe for a shell, not for a file path). The property: remit reports the flow
iff no step on the path sanitizes for that sink, and then at the sink's line, with the source first and the
sink last.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.code.facts import Confidence, FunctionCode, Language, SinkKind
from remit.code.python import PythonAnalyzer
from remit.code.resolve import ResolvedCode
from remit.code.sources import EventSource, EventSources
from remit.model.resources import ResourceId
from remit.model.values import Unknown

HTTP = EventSources((EventSource(("body",), "request body", "api-route", Confidence.HIGH),))

# (code template with {src} / {dst} / {n}, helper definition or "", sink kinds it sanitizes for)
PROPAGATE: list[tuple[str, str, frozenset[SinkKind]]] = [
    ("{dst} = {src}", "", frozenset()),
    ("box{n} = {{'k': {src}}}\n    {dst} = box{n}['k']", "", frozenset()),
    ("box{n} = ['fixed', {src}]\n    {dst} = box{n}[1]", "", frozenset()),
    ("{dst} = f'item-{{{src}}}.txt'", "", frozenset()),
    ("{dst} = 'item-%s' % {src}", "", frozenset()),
    ("{dst} = 'item-{{}}'.format({src})", "", frozenset()),
    ("{dst} = 'item-' + {src}", "", frozenset()),
    ("{dst} = json.loads({src})", "", frozenset()),
    ("{dst} = local{n}({src})", "def local{n}(value):\n    return 'x' + value\n", frozenset()),
    ("{dst} = helpers.wrap{n}({src})", "helpers:def wrap{n}(value):\n    text = f'<{{value}}>'\n    return text\n",
     frozenset()),
]
SANITIZE: list[tuple[str, str, frozenset[SinkKind]]] = [
    ("{dst} = shlex.quote({src})", "", frozenset({SinkKind.COMMAND})),
    ("{dst} = os.path.basename({src})", "", frozenset({SinkKind.PATH})),
    ("{dst} = str(int({src}))", "", frozenset({SinkKind.COMMAND, SinkKind.PATH})),
    ("{dst} = helpers.clean{n}({src})", "helpers:import shlex\ndef clean{n}(value):\n    return shlex.quote(value)\n",
     frozenset({SinkKind.COMMAND})),
]
SINKS = {SinkKind.COMMAND: "os.system({src})", SinkKind.PATH: "open({src}).read()"}

steps = st.lists(st.sampled_from(PROPAGATE + SANITIZE), min_size=0, max_size=6)


def analyze(root: Path, entry: str = "app.py") -> tuple[FunctionCode, PythonAnalyzer]:
    root = root.resolve()
    analyzer = PythonAnalyzer(root)
    files = tuple(sorted(root.rglob("*.py")))
    resolved = ResolvedCode(ResourceId("template.yaml", "Fn"), Language.PYTHON, root, root / entry, "handler",
                            files, (root,))
    return analyzer.analyze(resolved, HTTP, sync=True), analyzer


def program(chain: list[tuple[str, str, frozenset[SinkKind]]], sink: SinkKind) -> tuple[str, str, int]:
    """(app.py, helpers.py, the sink's line) for one chain."""
    local_defs: list[str] = []
    helper_defs: list[str] = []
    body = ["    v0 = event['body']"]
    for n, (template, helper, _) in enumerate(chain):
        body.append("    " + template.format(src=f"v{n}", dst=f"v{n + 1}", n=n))
        if helper.startswith("helpers:"):
            helper_defs.append(helper.removeprefix("helpers:").format(n=n))
        elif helper:
            local_defs.append(helper.format(n=n))
    head = ["import json", "import os", "import shlex", "", "import helpers", "", *local_defs, "",
            "def handler(event, context):"]
    text = "\n".join(head + body)
    sink_line = text.count("\n") + 2
    text += "\n    " + SINKS[sink].format(src=f"v{len(chain)}") + "\n    return {'statusCode': 200}\n"
    return text, "\n".join(helper_defs) + "\n", sink_line


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.sampled_from([SinkKind.COMMAND, SinkKind.PATH]))
def test_flow_found_iff_no_sanitizer_on_the_path(chain: list[tuple[str, str, frozenset[SinkKind]]],
                                                  sink: SinkKind) -> None:
    app, helpers, sink_line = program(chain, sink)
    sanitized = any(sink in kinds for _, _, kinds in chain)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text(app, encoding="utf-8")
        (root / "helpers.py").write_text(helpers, encoding="utf-8")
        code, analyzer = analyze(root)
    assert not analyzer.diagnostics, app
    assert not analyzer.cache.diagnostics, app
    flows = [f for f in code.flows if f.sink is sink]
    if sanitized:
        assert flows == [], app
        return
    assert [(f.location.path, f.location.line) for f in flows] == [("app.py", sink_line)], app
    flow = flows[0]
    assert flow.source == "event['body']"
    assert flow.steps[0].location.line <= flow.steps[-1].location.line
    assert flow.steps[-1].location.line == sink_line


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(list("()[]{}:=.,'\"\\ \n\tdefimportlambdaeventos.system*%fr")), max_size=300),
))
def test_arbitrary_text_never_raises(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_text("def handler(event, context):\n    pass\n" + text, encoding="utf-8",
                                     errors="surrogatepass")
        code, analyzer = analyze(root)
    problems = [*analyzer.diagnostics, *analyzer.cache.diagnostics]
    if isinstance(code.handler, Unknown):
        assert problems, "an unparsed handler file must say why"
    assert all(d.code.startswith("code-") for d in problems)


@settings(max_examples=30, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "app.py").write_bytes(data)
        code, analyzer = analyze(root)
    if isinstance(code.handler, Unknown):
        assert [*analyzer.diagnostics, *analyzer.cache.diagnostics] or not data.strip()
