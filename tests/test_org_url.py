"""remit org: repository targets named by a git URL at a commit.

Each test makes its own git repositories under tmp_path and reaches them by ``file://`` URLs, or by ``git://``
through a ``git daemon`` the test starts on a loopback port. The worker's git configuration is the test's (HOME
points into tmp_path), so a hostile configuration can be planted there. Scans run the stand-in remit, which
records the tree it was given (tests/fixtures/org/stand_in_remit.py); one test runs the real remit.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from remit.errors import PlanError
from remit.org.plan import build_plan, read_plan
from remit.org.run import run_plan
from remit.org.status import Status, report_path
from remit.org.worker import Job
from tests.test_org import _calls, _job, _write, use_stand_in

FIXTURES = Path(__file__).parent / "fixtures"
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")
MISSING = "0" * 39 + "1"


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_stand_in(tmp_path, monkeypatch)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME of the test's own: the worker's git reads no configuration of the machine's user."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(name)
    return home


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    done = subprocess.run([GIT or "git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=True,
                          timeout=60)
    return done.stdout.strip()


def _commit(repo: Path, files: dict[str, str], message: str) -> str:
    """Commit ``files`` (path -> text; a text starting with '-> ' is a symbolic link) in ``repo``, made if new."""
    if not repo.exists():
        repo.mkdir(parents=True)
        _git(repo, "init", "-q", "-b", "main")
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        if text.startswith("-> "):
            path.symlink_to(text[3:])
        else:
            path.write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _report(text: str) -> str:
    return json.dumps({"schema_version": "1", "tool": {"name": "remit", "version": "0"}, "summary": {},
                       "documents": [], "findings": [], "attack_paths": [], "diagnostics": [], "marker": text})


def _tree(state: Path, target: str) -> dict[str, str]:
    result: dict[str, str] = json.loads((state / f"tree-{target}.json").read_text())
    return result


def _plan_file(tmp_path: Path, *lines: str) -> Path:
    return _write(tmp_path / "repos.txt", "".join(line + "\n" for line in lines))


def test_a_url_target_is_fetched_at_its_commit_skipped_when_unchanged_redone_when_it_moves(
        tmp_path: Path, home: Path, stand_in: Path) -> None:
    repo = tmp_path / "upstream" / "payments"
    first = _commit(repo, {"template.yaml": "# one\n", "report.json": _report("first")}, "one")
    second = _commit(repo, {"template.yaml": "# two\n", "report.json": _report("second")}, "two")
    url = repo.as_uri()
    plan = build_plan([_plan_file(tmp_path, f"{url} {first}")])
    (target,) = plan.targets
    assert (target.id, target.name, target.source, target.commit) == ("payments", f"payments@{first[:12]}", url, first)
    assert read_plan(_write(tmp_path / "plan.json", json.dumps(plan.to_json()))) == plan

    out = tmp_path / "out"
    (record,) = run_plan(plan, _job(out), "local", 2).records
    assert (record.status, record.attempt, record.input_digest) == (Status.OK, 1, target.digest)
    # exactly the planned commit, not the branch's head; without .git, nothing but the commit's files
    assert _tree(stand_in, target.id) == {"template.yaml": "# one\n", "report.json": _report("first")}
    assert json.loads(report_path(out, target.id).read_text())["marker"] == "first"

    calls = len(_calls(stand_in))
    again = run_plan(build_plan([_plan_file(tmp_path, f"{url} {first}")]), _job(out), "local", 2)
    assert (again.records, again.skipped) == ((), (target.id,))
    assert len(_calls(stand_in)) == calls  # unchanged: not fetched, not scanned

    # a later commit: the same target (its report and status replaced, not a second one), fetched and scanned
    moved = build_plan([_plan_file(tmp_path, f"{url} {second.upper()}")])  # ids are read in either case
    (record,) = run_plan(moved, _job(out), "local", 2).records
    assert (record.target, record.status) == ("payments", Status.OK)
    assert record.input_digest == moved.targets[0].digest != target.digest
    assert _tree(stand_in, "payments")["template.yaml"] == "# two\n"
    assert json.loads(report_path(out, "payments").read_text())["marker"] == "second"


def test_a_url_needs_the_whole_commit_id(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="whole commit id"):
        build_plan([_plan_file(tmp_path, "file:///srv/git/app.git 0123456789abcdef")])


def test_a_bad_url_or_a_missing_commit_fails_that_target_only(tmp_path: Path, home: Path, stand_in: Path) -> None:
    repo = tmp_path / "upstream" / "app"
    commit = _commit(repo, {"template.yaml": "# app\n"}, "one")
    local = tmp_path / "local"
    (local / "svc").mkdir(parents=True)
    (local / "svc" / "template.yaml").write_text("# local\n")
    listing = _plan_file(tmp_path, f"{repo.as_uri()} {MISSING}", f"{(tmp_path / 'nowhere').as_uri()} {commit}",
                         f"{repo.as_uri()} {commit}", "local/svc")
    summary = run_plan(build_plan([listing]), _job(tmp_path / "out", retries=1), "local", 2)
    records = {r.target: r for r in summary.records}
    missing, nowhere, good = "app", "nowhere", "app-2"
    assert {t: (r.status, r.attempt) for t, r in records.items()} == {
        missing: (Status.FAILED, 2), nowhere: (Status.FAILED, 2), good: (Status.OK, 1), "svc": (Status.OK, 1)}
    assert "git fetch exited 128" in records[missing].error
    assert MISSING in records[missing].error
    assert "git fetch exited" in records[nowhere].error
    assert not report_path(tmp_path / "out", missing).exists()
    assert _tree(stand_in, good) == {"template.yaml": "# app\n"}


def test_a_hostile_repository_runs_nothing_and_reaches_nothing_beyond_its_commit(
        tmp_path: Path, home: Path, stand_in: Path) -> None:
    secret = tmp_path / "secret"
    _commit(secret, {"secret.txt": "do not fetch\n"}, "secret")
    outside = tmp_path / "outside.txt"
    outside.write_text("outside\n")
    repo = tmp_path / "upstream" / "hostile"
    files = {".gitattributes": "* filter=evil\n", "template.yaml": "# hostile\n",
             ".gitmodules": f"[submodule \"s\"]\n\tpath = s\n\turl = {secret.as_uri()}\n",
             "escape": f"-> {outside}", "up": "-> ../../../outside.txt", "inside": "-> template.yaml"}
    _commit(repo, files, "files")
    _git(repo, "update-index", "--add", "--cacheinfo", f"160000,{_git(secret, 'rev-parse', 'HEAD')},s")
    _git(repo, "commit", "-q", "-m", "submodule")
    commit = _git(repo, "rev-parse", "HEAD")
    pwned, hooks = tmp_path / "pwned", tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-merge", "reference-transaction", "post-index-change", "fsmonitor"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch '{pwned}-{hook}'\n")
        (hooks / hook).chmod(0o755)
    # the worker's own configuration names a smudge filter, hooks and an fsmonitor: none of them may run
    (home / ".gitconfig").write_text(
        f"[filter \"evil\"]\n\tsmudge = touch '{pwned}-smudge'; cat\n\tclean = cat\n\trequired = true\n"
        f"[core]\n\thooksPath = {hooks}\n\tfsmonitor = {hooks / 'fsmonitor'}\n")

    plan = build_plan([_plan_file(tmp_path, f"{repo.as_uri()} {commit}")])
    (record,) = run_plan(plan, _job(tmp_path / "out"), "local", 1).records
    assert record.status is Status.OK, record.error
    tree = _tree(stand_in, plan.targets[0].id)
    assert tree == {".gitattributes": "* filter=evil\n", ".gitmodules": files[".gitmodules"],
                    "template.yaml": "# hostile\n", "inside": "-> template.yaml"}  # no submodule, no escape
    assert not list(tmp_path.glob("pwned*"))


def test_a_url_may_not_be_turned_into_another_transport(tmp_path: Path, home: Path, stand_in: Path) -> None:
    repo = tmp_path / "upstream" / "app"
    commit = _commit(repo, {"template.yaml": "# app\n"}, "one")
    # configuration that rewrites the planned git:// URL into a local path: git must refuse the file transport
    (home / ".gitconfig").write_text(f"[url \"{repo.as_uri()}\"]\n\tinsteadOf = git://git.example.invalid/app\n")
    plan = build_plan([_plan_file(tmp_path, f"git://git.example.invalid/app {commit}")])
    (record,) = run_plan(plan, _job(tmp_path / "out", retries=0), "local", 1).records
    assert record.status is Status.FAILED
    assert "transport 'file' not allowed" in record.error


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def git_daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``git daemon`` serving tmp_path/served on a loopback port (read-only, stopped after the test)."""
    served = tmp_path / "served"
    served.mkdir()
    for _ in range(3):  # another process may take the free port first
        port = _free_port()
        proc = subprocess.Popen([GIT or "git", "daemon", "--listen=127.0.0.1", f"--port={port}", "--export-all",
                                 "--reuseaddr", "--informative-errors", f"--base-path={served}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        if proc.poll() is None:
            try:
                yield f"git://127.0.0.1:{port}", served
            finally:
                proc.terminate()
                proc.wait(timeout=10)
            return
    pytest.skip("git daemon did not start")


def test_a_git_url_is_fetched_from_a_daemon(tmp_path: Path, home: Path, stand_in: Path,
                                            git_daemon: tuple[str, Path]) -> None:
    base, served = git_daemon
    work = tmp_path / "work"
    first = _commit(work, {"template.yaml": "# one\n"}, "one")
    _commit(work, {"template.yaml": "# two\n"}, "two")
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(served / "app.git"))
    plan = build_plan([_plan_file(tmp_path, f"{base}/app.git {first}")])
    (record,) = run_plan(plan, _job(tmp_path / "out"), "local", 1).records
    assert record.status is Status.OK, record.error
    assert _tree(stand_in, plan.targets[0].id) == {"template.yaml": "# one\n"}


def test_the_real_remit_scans_a_url_target(tmp_path: Path, home: Path) -> None:
    repo = tmp_path / "upstream" / "broad-role"
    shutil.copytree(FIXTURES / "graph" / "broad-role", repo)
    (repo / "expected.txt").unlink(missing_ok=True)
    _git(repo.parent, "init", "-q", "-b", "main", repo.name)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "app")
    commit = _git(repo, "rev-parse", "HEAD")
    plan = build_plan([_plan_file(tmp_path, f"{repo.as_uri()} {commit}")])
    out = tmp_path / "out"
    job = Job(out=str(out), config_digest="c", retries=0, timeout=300, remit_command=(sys.executable, "-m", "remit"))
    (record,) = run_plan(plan, job, "local", 1).records
    assert record.status is Status.OK, record.error
    report = json.loads(report_path(out, plan.targets[0].id).read_text())
    assert report["findings"]
    assert {f["location"]["path"] for f in report["findings"]} <= {"template.yaml"}
