"""Deployment units: a folder of unrelated apps is not one account, so no attack path joins two of them.

``tests/fixtures/graph-units/``: ``app-a`` (an open route into a function with command injection whose role holds
``s3:GetObject`` and ``lambda:UpdateFunctionCode`` on ``*``) and ``app-b`` (another team's bucket and function) in
one folder; ``linked/`` holds stacks joined by an export and its import, and one importing an export no scanned
stack has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import load_documents, scan
from remit.cli import _options, build_parser
from remit.documents import DocKind, Document
from remit.errors import ConfigError
from remit.graph import analyze
from remit.graph.search import line
from remit.model.units import deployment_units
from remit.options import ScanOptions, merge
from remit.source import SourceMap

from .conftest import FIXTURES
from .test_graph import load_hints

UNITS = FIXTURES / "graph-units"
A_PATHS = [
    "critical: attacker:internet -> entry:Ingest -> function:Ingest -> role:IngestRole "
    "-> data:Drafts",
]
CROSS_APP_PATHS = [
    "critical: attacker:internet -> entry:Ingest -> function:Ingest -> role:IngestRole "
    "-> data:Drafts",
    "critical: attacker:internet -> entry:Ingest -> function:Ingest -> role:IngestRole "
    "-> data:Reports",
]


def _paths(one_account: bool) -> list[str]:
    result = scan([UNITS / "app-a", UNITS / "app-b"], ScanOptions(strict=True, one_account=one_account))
    assert result.application is not None
    graph = analyze(result.analysis, load_hints(result.application, UNITS / "hints.json"))
    return [line(p) for p in graph.paths]


def test_unrelated_apps_in_one_folder_give_no_cross_app_path() -> None:
    assert _paths(one_account=False) == A_PATHS


def test_one_account_lets_paths_cross_between_the_apps() -> None:
    got = _paths(one_account=True)
    assert [p for p in got if "Reports" in p or "Drafts" in p] == CROSS_APP_PATHS
    assert any("function:Worker" in p for p in got), got  # A's role may replace B's function code


def test_an_export_and_its_import_join_two_stacks() -> None:
    _, documents, _ = load_documents([UNITS / "linked"], ScanOptions())
    units = deployment_units(documents)
    assert units == {"elsewhere.yaml": "elsewhere.yaml", "network.yaml": "network.yaml",
                     "service.yaml": "network.yaml"}


def _cdk(doc_id: str) -> Document:
    return Document(doc_id, Path("/app") / doc_id, DocKind.CDK, {"Resources": {}}, SourceMap())


def test_the_stacks_of_one_cdk_assembly_are_one_unit() -> None:
    documents = [_cdk("cdk.out/Api.template.json"), _cdk("cdk.out/Data.template.json"),
                 _cdk("other/cdk.out/Api.template.json")]
    assert deployment_units(documents) == {
        "cdk.out/Api.template.json": "cdk.out/Api.template.json",
        "cdk.out/Data.template.json": "cdk.out/Api.template.json",
        "other/cdk.out/Api.template.json": "other/cdk.out/Api.template.json",
    }


def test_one_account_is_a_single_unit() -> None:
    _, documents, _ = load_documents([UNITS / "linked"], ScanOptions())
    assert set(deployment_units(documents, one_account=True).values()) == {"elsewhere.yaml"}


def test_one_account_from_the_command_line_and_the_configuration(tmp_path: Path) -> None:
    args = build_parser().parse_args(["scan", str(UNITS), "--one-account", "--no-config"])
    assert _options(args).one_account
    config = tmp_path / ".remit.toml"
    config.write_text("one-account = true\n")
    assert merge(ScanOptions(), config, fail_on_given=False, baseline_given=False).one_account
    config.write_text('one-account = "yes"\n')
    with pytest.raises(ConfigError, match="one-account must be true or false"):
        merge(ScanOptions(), config, fail_on_given=False, baseline_given=False)
