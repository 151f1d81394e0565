"""One target, on whatever machine runs it: ``remit`` command lines as subprocesses, with a timeout and
retries, ending in remit's JSON report and a status record under the output directory.

This is the function an engine ships to its workers (``run_target``): it takes and returns plain frozen values
and needs nothing from the coordinator but the output directory, which the workers share (a local directory,
or a shared file system on a cluster).

**The integration point with the live-account collector** is ``account_commands``: an account target is
collected with ``remit collect aws --role-arn`` into a snapshot directory, and the snapshot is scanned with
``remit scan SNAPSHOT`` like any input. Those two command lines are the whole contract; unit tests run them
against a stand-in executable (``--remit-command``), and tests/test_org_live.py runs the real ones against moto.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from remit.errors import GitRefError
from remit.gitref import SAFE_CONFIG, export, git_env, resolve
from remit.org.plan import Target, TargetKind, is_full_commit, is_url, url_transport
from remit.org.status import Status, StatusRecord, report_path, write_atomic, write_status

# remit scan's exit codes: 0 clean, 1 findings (both a report); 2 usage or nothing to scan
_SCANNED = (0, 1)
_NOTHING_TO_SCAN = "nothing to scan"
_ERROR_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# besides remit.gitref.SAFE_CONFIG (hooks and fsmonitor off, every transport forbidden): what a fetch of a URL
# target must not do; protocol.<transport>.allow=always for the URL's one transport is added per target
_FETCH_CONFIG = ("-c", "fetch.recurseSubmodules=false", "-c", "submodule.recurse=false",
                 "-c", "fetch.writeCommitGraph=false", "-c", "gc.auto=0", "-c", "maintenance.auto=false",
                 "-c", "http.followRedirects=initial")


@dataclass(frozen=True, slots=True)
class Job:
    """What every target of one run shares."""

    out: str  # the output directory (shared by the workers)
    config_digest: str
    retries: int = 2  # attempts after the first
    timeout: float = 900.0  # seconds per attempt (a repository's clone and scan, an account's collect and scan)
    remit_command: tuple[str, ...] = ()  # the remit to run; empty: `python -m remit` of the worker's interpreter
    scan_options: tuple[str, ...] = ()  # extra `remit scan` options (--advisories DIR, --select ...)
    collect_options: tuple[str, ...] = ()  # extra `remit collect aws` options of account targets (--regions ...)


class _Failure(Exception):
    def __init__(self, status: Status, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.status, self.exit_code = status, exit_code


def remit_command(job: Job) -> list[str]:
    return list(job.remit_command) or [sys.executable, "-m", "remit"]


def scan_command(job: Job, paths: list[str], output: Path) -> list[str]:
    return [*remit_command(job), "scan", *paths, "-f", "json", "-o", str(output), "--fail-on", "none",
            "--no-progress", *job.scan_options]


def account_commands(target: Target, job: Job, snapshot: Path, output: Path) -> list[list[str]]:
    """The live-account collector's command lines for one account target: collect, then scan the snapshot."""
    collect = [*remit_command(job), "collect", "aws", "--role-arn", target.role, "-o", str(snapshot)]
    if target.external_id:
        collect += ["--external-id", target.external_id]
    collect += job.collect_options
    return [collect, scan_command(job, [str(snapshot)], output)]  # a snapshot scans like a template


def _clean(text: str, work: Path) -> str:
    """A short, printable error text without the temporary directory's name."""
    text = text.replace(str(work), "<work>")
    return _CONTROL.sub("?", text.strip())[-_ERROR_CHARS:]


def _run(command: list[str], cwd: Path, deadline: float, work: Path, env: dict[str, str] | None = None) \
        -> subprocess.CompletedProcess[str]:
    """Run ``command`` in its own process group; on timeout the whole group (with the scan's helpers) is killed.
    ``env``: the environment (default: the worker's, without progress output)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Failure(Status.TIMEOUT, "no time left for the next command")
    if env is None:
        env = {**os.environ, "REMIT_NO_PROGRESS": "1"}
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", env=env, start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        out, err = proc.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise _Failure(Status.TIMEOUT, f"timed out: {Path(command[0]).name} {command[1] if len(command) > 1 else ''}"
                       .strip()) from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(command, proc.returncode, out, _clean(err, work))


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def _checked(result: subprocess.CompletedProcess[str], what: str, ok: tuple[int, ...] = (0,)) -> None:
    if result.returncode not in ok:
        if result.returncode == 2 and _NOTHING_TO_SCAN in result.stderr:
            raise _Failure(Status.EMPTY, "nothing remit reads in this repository", result.returncode)
        raise _Failure(Status.FAILED, f"{what} exited {result.returncode}: {result.stderr}", result.returncode)


def _git_command(git: str, *args: str) -> list[str]:
    return [git, *SAFE_CONFIG, *_FETCH_CONFIG, *args]


def _fetch(target: Target, work: Path, deadline: float) -> Path:
    """The files of ``target.commit`` of the URL, in ``work/checkout``.

    The repository is hostile input, and so is what it carries. git fetches the one commit (``--depth 1``) into
    a bare repository of remit's own, made without templates, allowing only the transport the plan's URL names
    (``protocol.allow=never`` otherwise, so nothing the server answers can reach another transport or a local
    path), with hooks and the fsmonitor off, no submodules, no tags, no system configuration and no ``GIT_*``
    variables from the worker's environment. Nothing is checked out: a checkout runs clean/smudge filters (git
    LFS fetches, any filter a worker's configuration names runs) and hooks. The files are written from git's
    object store by :func:`remit.gitref.export`, byte for byte, with unsafe paths, submodules and links leaving
    the tree left out."""
    git = shutil.which("git")
    if git is None:
        raise _Failure(Status.FAILED, "git is not installed on this worker: cannot fetch a repository URL")
    if not is_full_commit(target.commit):
        raise _Failure(Status.FAILED, f"a repository URL is fetched by its whole commit id, not {target.commit!r}")
    bare, checkout = work / "repo.git", work / "checkout"
    transport = ("-c", f"protocol.{url_transport(target.source)}.allow=always")
    env = git_env()
    _checked(_run([git, *SAFE_CONFIG, "init", "-q", "--bare", "--template=", str(bare)], work, deadline, work, env),
             "git init")
    fetch = _git_command(git, *transport, "-C", str(bare), "fetch", "-q", "--no-tags", "--no-recurse-submodules",
                         "--no-write-fetch-head", "--depth", "1", "--end-of-options", target.source, target.commit)
    _checked(_run(fetch, work, deadline, work, env), "git fetch")
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Failure(Status.TIMEOUT, "no time left to write the commit's files")
    try:
        if resolve(target.commit, bare, git) != target.commit:
            raise _Failure(Status.FAILED, f"the fetched object {target.commit} is not that commit")
        checkout.mkdir()
        export(git, bare, target.commit, "", checkout.resolve(), timeout=left)  # links are judged on real paths
    except GitRefError as exc:
        raise _Failure(Status.FAILED, f"cannot read commit {target.commit} of {target.name}: {exc}") from None
    return checkout


def _attempt(target: Target, job: Job, work: Path, deadline: float) -> int:
    """One attempt; returns remit scan's exit code after moving its report into place."""
    out = Path(job.out)
    final = report_path(out, target.id)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    staged = Path(name)
    try:
        if target.kind is TargetKind.ACCOUNT:
            collect, scan = account_commands(target, job, work / "snapshot", staged)
            _checked(_run(collect, work, deadline, work), "remit collect aws")
        else:
            root = _fetch(target, work, deadline) if is_url(target.source) else Path(target.source)
            scan = scan_command(job, [str(root)], staged)
        result = _run(scan, work, deadline, work)
        _checked(result, "remit scan", _SCANNED)
        if staged.stat().st_size == 0:
            raise _Failure(Status.FAILED, "remit scan wrote no report", result.returncode)
        os.replace(staged, final)
        return result.returncode
    finally:
        staged.unlink(missing_ok=True)


def run_target(target: Target, job: Job) -> StatusRecord:
    """Run ``target`` with up to ``job.retries`` retries; write and return its final status record. A failure
    of this target is recorded, never raised, so it cannot stop the others."""
    out = Path(job.out)
    started = time.monotonic()
    record = StatusRecord(target.id, target.kind.value, target.name, Status.FAILED, 0, 0.0, target.digest,
                          job.config_digest, time.time())
    for attempt in range(1, job.retries + 2):
        write_status(out, _with(record, Status.RUNNING, attempt, started))
        deadline = time.monotonic() + job.timeout
        with tempfile.TemporaryDirectory(prefix="remit-org-") as temporary:
            work = Path(temporary)
            try:
                code = _attempt(target, job, work, deadline)
                record = _with(record, Status.OK, attempt, started, code)
            except _Failure as failure:
                record = _with(record, failure.status, attempt, started, failure.exit_code, str(failure))
            except OSError as exc:  # the remit command or the output directory is missing or unwritable
                record = _with(record, Status.FAILED, attempt, started, None, _clean(str(exc), work))
        if record.status.done:
            if record.status is Status.EMPTY:
                report_path(out, target.id).unlink(missing_ok=True)
            break
    write_status(out, record)
    return record


def _with(record: StatusRecord, status: Status, attempt: int, started: float, exit_code: int | None = None,
          error: str = "") -> StatusRecord:
    return StatusRecord(record.target, record.kind, record.name, status, attempt, time.monotonic() - started,
                        record.input_digest, record.config_digest, time.time(), exit_code, error)


def write_failure(out: Path, target: Target, config_digest: str, message: str) -> StatusRecord:
    """The record an engine writes for a target whose task itself was lost (its worker died too often)."""
    record = StatusRecord(target.id, target.kind.value, target.name, Status.FAILED, 0, 0.0, target.digest,
                          config_digest, time.time(), None,
                          _CONTROL.sub("?", message)[-_ERROR_CHARS:])
    write_status(out, record)
    return record


__all__ = ["Job", "account_commands", "run_target", "scan_command", "write_atomic", "write_failure"]
