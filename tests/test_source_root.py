"""SARIF and JUnit paths relative to the repository root; the SARIF parts GitHub code scanning reads."""

from __future__ import annotations

import json
import shutil
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sarif_kit import validation_errors

from remit import DOCS_URL, PROJECT_URL, rule_doc_url
from remit.cli import EXIT_FINDINGS, EXIT_USAGE, main
from remit.report.sarif import automation_id
from remit.repository import repository_root, source_prefix

from .conftest import FIXTURES, ROOT

APP_TEMPLATE = FIXTURES / "cli" / "app" / "template.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree (a `.git` directory) with the app in `infra/`."""
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "infra").mkdir()
    shutil.copy(APP_TEMPLATE, top / "infra" / "template.yaml")
    return top


def sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main(["scan", *argv, "--format", "sarif", "--no-config", "--select", "RMT-LAMBDA-001"])
    out, err = capsys.readouterr()
    assert code == EXIT_FINDINGS, err
    log: dict[str, Any] = json.loads(out)
    assert validation_errors(log) == []
    return log


def uris(log: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in log["runs"][0]["results"]]


IN_REPO = [("infra/template.yaml", 17), ("infra/template.yaml", 31), ("infra/template.yaml", 40),
           ("infra/template.yaml", 53)]


def test_repository_root_is_found_by_its_git_entry(tmp_path: Path) -> None:
    (tmp_path / "plain" / "sub").mkdir(parents=True)
    (tmp_path / "plain" / ".git").write_text("not a git file\n")  # neither a directory nor a gitdir: file
    (tmp_path / "worktree" / "sub").mkdir(parents=True)
    (tmp_path / "worktree" / ".git").write_text("gitdir: ../main/.git/worktrees/wt\n")
    (tmp_path / "clone" / "a" / "b").mkdir(parents=True)
    (tmp_path / "clone" / ".git").mkdir()
    assert repository_root(tmp_path / "worktree" / "sub") == (tmp_path / "worktree").resolve()
    assert repository_root(tmp_path / "clone" / "a" / "b") == (tmp_path / "clone").resolve()
    outside = repository_root(tmp_path / "plain" / "sub")
    assert outside is None or not outside.is_relative_to(tmp_path.resolve())  # only a work tree above tmp_path


def test_source_prefix(repo: Path, tmp_path: Path) -> None:
    assert source_prefix(repo / "infra") == "infra"
    assert source_prefix(repo) == ""
    assert source_prefix(repo / "infra", repo / "infra") == ""
    assert source_prefix(repo / "infra", tmp_path) == "repo/infra"
    with pytest.raises(ValueError, match="not inside the source root"):
        source_prefix(repo, repo / "infra")


def test_a_subdirectory_scanned_from_the_top(capsys: pytest.CaptureFixture[str], repo: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    log = sarif(capsys, "infra/")
    assert uris(log) == IN_REPO
    assert log["runs"][0]["automationDetails"] == {"id": "remit/infra/"}


def test_a_subdirectory_scanned_from_inside(capsys: pytest.CaptureFixture[str], repo: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "infra")
    log = sarif(capsys, ".")
    assert uris(log) == IN_REPO
    assert log["runs"][0]["automationDetails"] == {"id": "remit/infra/"}


def test_a_file_named_in_a_subdirectory(capsys: pytest.CaptureFixture[str], repo: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert uris(sarif(capsys, "infra/template.yaml")) == IN_REPO


def test_outside_a_work_tree_paths_are_relative_to_the_scanned_root(capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(APP_TEMPLATE, app / "template.yaml")
    if repository_root(app) is not None:
        pytest.skip("the temporary directory is inside a git work tree")
    log = sarif(capsys, str(app))
    assert uris(log) == [("template.yaml", 17), ("template.yaml", 31), ("template.yaml", 40),
                         ("template.yaml", 53)]
    assert log["runs"][0]["automationDetails"] == {"id": "remit/"}


def test_source_root_and_category_options(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    log = sarif(capsys, str(repo / "infra"), "--source-root", str(repo / "infra"), "--sarif-category", "/api/")
    assert uris(log) == [(uri.removeprefix("infra/"), line) for uri, line in IN_REPO]
    assert log["runs"][0]["automationDetails"] == {"id": "remit/api/"}


def test_source_root_from_the_config_file(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    (repo / "infra" / ".remit.toml").write_text('source-root = "."\nselect = ["RMT-LAMBDA-001"]\n')
    code = main(["scan", str(repo / "infra"), "--format", "sarif"])
    out, _ = capsys.readouterr()
    assert code == EXIT_FINDINGS
    assert uris(json.loads(out)) == [(uri.removeprefix("infra/"), line) for uri, line in IN_REPO]


@pytest.mark.parametrize(("argv", "message"), [
    (["--source-root", "{repo}/infra", "{repo}"], "not inside the source root"),
    (["--source-root", "{repo}/missing", "{repo}"], "is not a directory"),
    (["--sarif-category", " / ", "{repo}"], "--sarif-category needs a printable name"),
])
def test_bad_source_root_or_category_is_a_usage_error(capsys: pytest.CaptureFixture[str], repo: Path,
                                                      argv: list[str], message: str) -> None:
    code = main(["scan", "--no-config", *(a.format(repo=repo) for a in argv)])
    assert code == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_other_reports_keep_paths_relative_to_the_scanned_root(capsys: pytest.CaptureFixture[str],
                                                                repo: Path) -> None:
    main(["scan", str(repo / "infra"), "--format", "json", "--no-config", "--select", "RMT-LAMBDA-001"])
    data = json.loads(capsys.readouterr().out)
    assert [f["location"]["path"] for f in data["findings"]] == ["template.yaml"] * 4
    main(["scan", str(repo / "infra"), "--format", "junit", "--no-config", "--select", "RMT-LAMBDA-001"])
    junit = ET.fromstring(capsys.readouterr().out.encode())
    assert [c.get("file") for c in junit.iter("testcase") if c.get("classname", "").endswith("RMT-LAMBDA-001")] == [
        "infra/template.yaml"] * 4


def test_sarif_links_rules_to_their_documentation(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    run = sarif(capsys, str(repo))["runs"][0]
    assert run["tool"]["driver"]["informationUri"] == PROJECT_URL
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["helpUri"] == f"{PROJECT_URL}/blob/main/docs/rules/RMT-LAMBDA-001.md" == rule_doc_url(rule["id"])
    assert rule["help"]["markdown"].endswith(f"[RMT-LAMBDA-001 documentation]({rule['helpUri']})")
    assert rule["fullDescription"]["text"]


def test_sarif_uris_are_percent_encoded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    odd = tmp_path / "my app #2%"
    odd.mkdir()
    shutil.copy(APP_TEMPLATE, odd / "tém plate.yaml")
    assert {uri for uri, _ in uris(sarif(capsys, str(odd)))} == {"my%20app%20%232%25/t%C3%A9m%20plate.yaml"}


def test_automation_id_keeps_the_whole_category() -> None:
    assert automation_id("") == "remit/"
    assert automation_id("services/orders") == "remit/services/orders/"
    assert automation_id(" /api/ ") == "remit/api/"


def test_project_urls_in_pyproject_agree_with_the_package() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls == {"Homepage": PROJECT_URL, "Documentation": DOCS_URL, "Issues": f"{PROJECT_URL}/issues"}
