"""Pull-request scans (``--baseline-ref``) and audit mode (``--audit``), on real git repositories built here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from remit import gitref
from remit.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, main

from .conftest import FIXTURES

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")

TEMPLATE_V1 = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Customers:
    Type: AWS::Serverless::SimpleTable
  Lookup:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - DynamoDBReadPolicy: {TableName: !Ref Customers}
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: "/customers/{id}", Method: get}
"""

# the pull request: comment lines above everything (every existing finding moves), one more table and a grant
# on it (one new weakness: RMT-PERM-001, one new attack path: to Orders)
TEMPLATE_V2 = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
# Customer lookup service.
# Owned by the payments team.

Resources:
  Customers:
    Type: AWS::Serverless::SimpleTable
  Orders:
    Type: AWS::Serverless::SimpleTable
  Lookup:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - DynamoDBReadPolicy: {TableName: !Ref Customers}
        - DynamoDBCrudPolicy: {TableName: !Ref Orders}
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: "/customers/{id}", Method: get}
"""

CODE = """\
import subprocess


def handler(event, context):
    name = event["body"]
    subprocess.run("lookup " + name, shell=True)
    return {"statusCode": 200}
"""

OLD_FINDINGS = {  # (rule, resource, line in the pull request's version): all of them moved
    ("RMT-CODE-001", "Lookup", 8),
    ("RMT-API-001", "Lookup", 21),
    ("RMT-API-003", "Lookup", 21),
    ("RMT-LAMBDA-006", "Lookup", 11),
    ("RMT-LAMBDA-008", "Lookup", 11),
    ("RMT-LAMBDA-009", "Lookup", 11),
    ("RMT-PERM-001", "Lookup", 18),
}
NEW_FINDINGS = {("RMT-PERM-001", "Lookup", 19)}
OLD_PATH = [("attacker", "internet"), ("entry", "Lookup"), ("function", "Lookup"),
            ("role", "LookupRole"), ("data", "Customers")]
NEW_PATH = [*OLD_PATH[:-1], ("data", "Orders")]


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Test Author", GIT_AUTHOR_EMAIL="author@example.com",
               GIT_COMMITTER_NAME="Test Author", GIT_COMMITTER_EMAIL="author@example.com",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    return env


def git(repo: Path, *args: str) -> str:
    """git for the test's own setup and checks, never running the repository's hooks or fsmonitor."""
    assert GIT is not None
    done = subprocess.run([GIT, "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", *args], cwd=repo,
                          env=git_env(repo.parent / "home"), capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository: ``base`` has the app (and a file remit cannot read), HEAD is the pull request; the work tree
    also has a staged change, an untracked file and a stash entry, which the scan must leave alone."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # remit's git reads no developer configuration either
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    root = tmp_path / "repo"
    app = root / "app"
    (app / "src").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("orders\n")
    (app / "template.yaml").write_text(TEMPLATE_V1)
    (app / "src" / "app.py").write_text(CODE)
    (app / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [unclosed\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    (app / "template.yaml").write_text(TEMPLATE_V2)
    (app / "src" / "app.py").write_text('"""Customer lookup."""\n\n' + CODE)
    (app / "broken.yaml").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "pull request")
    (root / "notes.txt").write_text("stashed\n")
    git(root, "add", "notes.txt")
    git(root, "stash", "-q")
    (root / "notes.txt").write_text("staged\n")
    git(root, "add", "notes.txt")
    (root / "scratch.txt").write_text("untracked\n")
    return root


def state(root: Path) -> dict[str, str]:
    return {
        "head": git(root, "rev-parse", "HEAD"),
        "branch": git(root, "symbolic-ref", "HEAD"),
        "status": git(root, "status", "--porcelain=v1", "-uall"),
        "index": hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest(),
        "stash": git(root, "stash", "list"),
        "worktrees": git(root, "worktree", "list", "--porcelain"),
        "refs": git(root, "for-each-ref"),
        "files": "\n".join(sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts)),
    }


def scan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *argv, "--format", "json", "--no-config"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def rows(report: dict[str, Any], *, suppressed: bool) -> set[tuple[str, str, int]]:
    return {(f["rule_id"], f["resource"], f["location"]["line"]) for f in report["findings"]
            if f["suppressed"] is suppressed}


def path_steps(report: dict[str, Any]) -> list[list[tuple[str, str]]]:
    return [[(s["kind"], s["resource"]) for s in p["steps"]] for p in report["attack_paths"]]


@needs_git
def test_only_new_findings_and_paths_are_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(repo)
    sha = git(repo, "rev-parse", "base").strip()
    code, plain = scan_json(capsys, str(repo / "app"))
    assert rows(plain, suppressed=False) == OLD_FINDINGS | NEW_FINDINGS
    assert sorted(path_steps(plain)) == sorted([OLD_PATH, NEW_PATH])

    code, report = scan_json(capsys, str(repo / "app"), "--baseline-ref", "base")
    assert code == EXIT_FINDINGS
    assert rows(report, suppressed=False) == NEW_FINDINGS
    assert rows(report, suppressed=True) == OLD_FINDINGS  # matched although every one of them moved
    new = next(f for f in report["findings"] if not f["suppressed"])
    assert new["message"].startswith("The policy LookupRolePolicy1 gives role LookupRole")  # the grant on Orders
    reasons = {(f["suppression"]["kind"], f["suppression"]["reason"]) for f in report["findings"] if f["suppressed"]}
    assert reasons == {("baseline", f"present at base ({sha[:12]})")}
    assert path_steps(report) == [NEW_PATH]
    # the scan at the ref says nothing of its own (its broken.yaml); one line says what was compared
    extra = [d for d in report["diagnostics"] if d not in plain["diagnostics"]]
    assert extra == [{"path": "", "level": "info", "code": "baseline-ref", "line": None,
                      "message": f"compared with base at commit {sha}: 7 findings and 1 attack path already "
                                 "there, not reported as new"}]
    assert not any("broken" in json.dumps(d) for d in report["diagnostics"])
    assert state(repo) == before


@needs_git
def test_sarif_and_text_show_ref_findings_as_baseline_suppressions(repo: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sha = git(repo, "rev-parse", "base").strip()
    main(["scan", str(repo / "app"), "--baseline-ref", "base", "--format", "sarif", "--no-config"])
    log = json.loads(capsys.readouterr().out)
    results = log["runs"][0]["results"]
    suppressions = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]):
                    r.get("suppressions") for r in results if r["ruleId"] != "remit/attack-path"}
    assert suppressions[("RMT-PERM-001", 19)] is None
    assert suppressions[("RMT-CODE-001", 8)] == [{"kind": "external", "status": "accepted",
                                                  "justification": f"present at base ({sha[:12]})"}]
    _, report = scan_json(capsys, str(repo / "app"), "--baseline-ref", "base")
    assert [r["partialFingerprints"]["remitFingerprint/v1"] for r in results if r["ruleId"] == "remit/attack-path"] \
        == [p["id"] for p in report["attack_paths"]]
    main(["scan", str(repo / "app"), "--baseline-ref", "base", "--no-config"])
    text = capsys.readouterr().out
    assert f"RMT-CODE-001 Lookup (src/app.py:8): baseline: present at base ({sha[:12]})" in text


@needs_git
def test_a_hostile_repository_config_runs_nothing(repo: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    evil = tmp_path / "evil.sh"
    evil.write_text(f'#!/bin/sh\ntouch "{marks}/$(basename "$0")-ran"\ncat\n')
    evil.chmod(0o755)
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc", "post-rewrite"):
        (hooks / hook).write_bytes(evil.read_bytes())
        (hooks / hook).chmod(0o755)
    (repo / ".gitattributes").write_text("* filter=evil\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "attributes")
    git(repo, "tag", "-f", "attributes")
    for key, value in (("core.fsmonitor", str(evil)), ("core.hooksPath", str(hooks)),
                       ("filter.evil.smudge", str(evil)), ("filter.evil.clean", str(evil)),
                       ("filter.evil.process", str(evil)), ("filter.evil.required", "true"),
                       ("core.pager", str(evil)), ("core.sshCommand", str(evil))):
        git(repo, "config", key, value)
    code, report = scan_json(capsys, str(repo / "app"), "--baseline-ref", "base")
    assert code == EXIT_FINDINGS
    assert rows(report, suppressed=False) == NEW_FINDINGS
    assert sorted(p.name for p in marks.iterdir()) == []
    # the trap is armed: git run the ordinary way on this repository does run the program (a commit runs the
    # reference-transaction hook every time; fsmonitor under `git status` may not, when the machine is busy)
    subprocess.run([GIT or "git", "commit", "-q", "--allow-empty", "-m", "control"], cwd=repo,
                   env=git_env(tmp_path / "home"), capture_output=True, check=False)
    assert sorted(p.name for p in marks.iterdir()) == ["evil.sh-ran"]


@needs_git
def test_unknown_ref_no_git_and_no_repository_are_usage_errors(repo: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = str(repo / "app")
    assert main(["scan", app, "--baseline-ref", "no-such-branch", "--no-config"]) == EXIT_USAGE
    assert "unknown git revision 'no-such-branch'" in capsys.readouterr().err
    assert main(["scan", app, "--baseline-ref=--output=x", "--no-config"]) == EXIT_USAGE
    assert "is not a git revision" in capsys.readouterr().err
    outside = tmp_path / "outside"
    shutil.copytree(repo / "app", outside)
    assert subprocess.run([GIT or "git", "-C", str(outside), "rev-parse"], capture_output=True,
                          check=False).returncode != 0, "the test's temporary directory sits inside a git repository"
    assert main(["scan", str(outside), "--baseline-ref", "base", "--no-config"]) == EXIT_USAGE
    assert "is not inside a git work tree" in capsys.readouterr().err
    monkeypatch.setattr(gitref.shutil, "which", lambda name: None)
    assert main(["scan", app, "--baseline-ref", "base", "--no-config"]) == EXIT_USAGE
    assert "needs git, and no git program was found" in capsys.readouterr().err


@needs_git
def test_a_path_new_in_the_pull_request_is_all_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "other").mkdir()
    shutil.copy(repo / "app" / "template.yaml", repo / "other" / "template.yaml")
    shutil.copytree(repo / "app" / "src", repo / "other" / "src")
    code, report = scan_json(capsys, str(repo / "app"), str(repo / "other"), "--baseline-ref", "base")
    assert code == EXIT_FINDINGS
    active = {(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]
              if not f["suppressed"]}
    # other/ did not exist at base: all of its findings are new; app/ keeps its paths as the scanned root
    assert {(r, line) for r, p, line in active if p.startswith("app/")} == {("RMT-PERM-001", 19)}
    assert {(r, line) for r, p, line in active if p.startswith("other/")} \
        == {(r, line) for r, _, line in OLD_FINDINGS | NEW_FINDINGS}


@needs_git
def test_the_temporary_tree_is_removed_even_when_interrupted(repo: Path) -> None:
    seen: list[Path] = []

    def interrupted() -> None:
        with gitref.ref_tree([repo / "app"], "base") as tree:
            seen.append(tree.root)
            assert (tree.root / "app" / "template.yaml").read_text() == TEMPLATE_V1
            assert (tree.root / "app" / "broken.yaml").is_file()
            assert not (tree.root / "README.md").exists()  # only the scanned part of the repository is read
            assert tree.targets == (tree.root / "app",)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert seen
    assert not seen[0].exists()


@needs_git
def test_links_leaving_the_tree_are_not_recreated(repo: Path) -> None:
    app = repo / "app"
    (app / "shared").symlink_to("src")
    (app / "escape").symlink_to("../../..")
    (app / "absolute").symlink_to("/etc")
    (app / "up").symlink_to("..")
    git(repo, "add", "app")
    git(repo, "commit", "-q", "-m", "links")
    with gitref.ref_tree([app], "HEAD") as tree:
        there = tree.root / "app"
        assert (there / "shared").is_symlink()
        assert (there / "shared" / "app.py").is_file()
        assert not (there / "escape").exists()
        assert not (there / "absolute").exists()
        assert (there / "up").is_symlink()  # inside the exported tree (its top)


def test_unsafe_tree_paths_are_refused() -> None:
    assert gitref._safe("app/template.yaml") is not None
    for bad in ("", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", ".git/config", "a/.GIT/hooks/x", "a\\b"):
        assert gitref._safe(bad) is None, bad


# ------------------------------------------------------------------------------------------------
# audit mode

APP = FIXTURES / "cli" / "app"
ONLY_URL = ["--select", "RMT-LAMBDA-001"]


def test_audit_reports_every_suppression_and_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(APP), *ONLY_URL, "--no-config", "-o", str(baseline)]) == EXIT_CLEAN
    capsys.readouterr()
    code, report = scan_json(capsys, str(APP), *ONLY_URL, "--baseline", str(baseline))
    assert code == EXIT_CLEAN  # everything is suppressed: inline, in the template, in the baseline
    line = (APP / "template.yaml").read_text().splitlines().index("          - id: RMT-LAMBDA-001") + 1
    kinds = {f["resource"]: f["suppression"]["kind"] for f in report["findings"]}
    assert kinds == {"OpenFunction": "baseline", "AcceptedFunction": "resource", "TemplateSuppressed": "template",
                     "NoReasonFunction": "baseline"}
    for flag in ("--audit", "--fail-on-suppressed"):
        code, report = scan_json(capsys, str(APP), *ONLY_URL, "--baseline", str(baseline), flag)
        assert code == EXIT_FINDINGS
        assert [f["suppressed"] for f in report["findings"]] == [False] * 4
        facts = {f["resource"]: (f["details"]["suppressed-by"], f["details"]["suppression-reason"])
                 for f in report["findings"]}
        assert facts == {
            "OpenFunction": ("baseline", baseline_reason(baseline)),
            "NoReasonFunction": ("baseline", baseline_reason(baseline)),
            "AcceptedFunction": ("resource", "public webhook; the handler verifies the provider's signature"),
            "TemplateSuppressed": ("template", "internal load-test endpoint, torn down nightly"),
        }
        accepted = next(f for f in report["findings"] if f["resource"] == "AcceptedFunction")
        assert accepted["message"].endswith(f"[audit: suppressed by Metadata on the resource (template.yaml:{line}): "
                                            "public webhook; the handler verifies the provider's signature]")
    code, _ = scan_json(capsys, str(APP), *ONLY_URL, "--baseline", str(baseline), "--audit", "--fail-on", "none")
    assert code == EXIT_CLEAN  # audit changes what counts, not the threshold


def baseline_reason(path: Path) -> str:
    reasons = {e["reason"] for e in json.loads(path.read_text())["findings"]}
    assert len(reasons) == 1
    return reasons.pop()


@needs_git
def test_audit_with_a_baseline_ref_keeps_everything(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sha = git(repo, "rev-parse", "base").strip()
    code, report = scan_json(capsys, str(repo / "app"), "--baseline-ref", "base", "--audit")
    assert code == EXIT_FINDINGS
    assert rows(report, suppressed=False) == OLD_FINDINGS | NEW_FINDINGS
    noted = {(f["rule_id"], f["location"]["line"]) for f in report["findings"]
             if f["details"].get("suppression-reason") == f"present at base ({sha[:12]})"}
    assert noted == {(r, line) for r, _, line in OLD_FINDINGS}
    assert sorted(path_steps(report)) == sorted([OLD_PATH, NEW_PATH])
    note = next(d for d in report["diagnostics"] if d["code"] == "baseline-ref")
    assert note["message"] == (f"compared with base at commit {sha}: 7 findings and 1 attack path already there, "
                               "reported as new (--audit)")
