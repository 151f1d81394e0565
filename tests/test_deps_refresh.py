"""The advisory cache keeps itself current: a scan downloads the archives of the ecosystems it found when they
are missing or older than a day, from a server on 127.0.0.1 that the tests run (fresh, stale, corrupt,
truncated, an HTTP 500, a hang that must time out); a failed download never fails the scan, and offline means
no socket is ever connected."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import shutil
import socket
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from remit.api import scan
from remit.cli import main
from remit.deps import cache
from remit.deps.facts import SourceKind
from remit.options import ScanOptions

from .conftest import FIXTURES, ROOT

ADVISORIES = FIXTURES / "advisories"
EXAMPLE = ROOT / "examples" / "orders-app"


def archive_of(ecosystem: str) -> bytes:
    """OSV's all.zip for one ecosystem, built from the test advisories."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted((ADVISORIES / ecosystem).glob("*.json")) if (ADVISORIES / ecosystem).is_dir() else ():
            z.write(f, f.name)
    return buffer.getvalue()


class _Archives(http.server.BaseHTTPRequestHandler):
    """Serves ``/<ecosystem>/all.zip``; ``modes`` says how each ecosystem misbehaves."""

    modes: ClassVar[dict[str, str]] = {}
    requests: ClassVar[list[str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        ecosystem = self.path.strip("/").split("/")[0]
        mode = self.modes.get(ecosystem, "ok")
        body = archive_of(ecosystem)
        if mode == "500":
            self.send_error(500)
            return
        if mode == "hang":
            time.sleep(3)
            return
        if mode == "corrupt":
            body = b"PK\x03\x04" + bytes(range(256)) * 8
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if mode == "truncated" else body)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Archives)
    httpd.daemon_threads = True
    _Archives.modes = {}
    _Archives.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.delenv("REMIT_OFFLINE")
    monkeypatch.setenv("REMIT_ADVISORY_URL", url)
    yield url
    httpd.shutdown()
    httpd.server_close()


def _scan(tmp_path: Path, **kw: Any) -> Any:
    return scan([EXAMPLE], ScanOptions(select=("DEP", "SUPPLY"), cache_dir=tmp_path, **kw))


def _advisory_ids(result: Any) -> set[str]:
    return {dict(f.details)["advisory"] for f in result.findings if f.rule_id == "RMT-DEP-001"}


def _seed(tmp_path: Path, age: dt.timedelta, ecosystems: tuple[str, ...] = ("PyPI", "npm")) -> None:
    folder = tmp_path / "advisories"
    folder.mkdir(parents=True, exist_ok=True)
    when = (dt.datetime.now(dt.UTC) - age).isoformat()
    for eco in ecosystems:
        (folder / f"{eco}.zip").write_bytes(archive_of(eco))
    (folder / "meta.json").write_text(json.dumps({"ecosystems": {
        e: {"downloaded": when, "source": "seeded", "records": 1} for e in ecosystems}}))


EXPECTED = {"PYSEC-2020-96", "PYSEC-2018-28", "GHSA-q4v7-4rhw-9hqm", "GHSA-p6mc-m468-83gw"}


def test_missing_cache_is_filled_with_the_ecosystems_found_only(server: str, tmp_path: Path) -> None:
    result = _scan(tmp_path)
    assert sorted(_Archives.requests) == ["/PyPI/all.zip", "/npm/all.zip"]  # not Maven, Go, NuGet, RubyGems
    assert _advisory_ids(result) == EXPECTED
    source = result.analysis.deps.source
    assert source.kind is SourceKind.CACHE
    assert source.age_days == 0
    assert not source.unchecked
    assert source.records == len([*ADVISORIES.glob("PyPI/*.json"), *ADVISORIES.glob("npm/*.json")])
    assert not result.advisories_unchecked
    assert not [d for d in result.diagnostics if d.code.startswith("advisories")]
    info = cache.cached_archives(tmp_path)
    assert info is not None
    assert {e.ecosystem: e.source for e in info.entries} == {"PyPI": server, "npm": server}
    assert (tmp_path / "advisories" / "PyPI.index.json").is_file()
    assert not list((tmp_path / "advisories").glob("*.part"))


def test_fresh_cache_is_not_downloaded_again(server: str, tmp_path: Path) -> None:
    _seed(tmp_path, dt.timedelta(hours=2))
    result = _scan(tmp_path)
    assert _Archives.requests == []
    assert _advisory_ids(result) == EXPECTED


def test_stale_cache_is_refreshed(server: str, tmp_path: Path) -> None:
    _seed(tmp_path, dt.timedelta(days=2))
    result = _scan(tmp_path)
    assert sorted(_Archives.requests) == ["/PyPI/all.zip", "/npm/all.zip"]
    assert result.analysis.deps.source.age_days == 0
    assert not [d for d in result.diagnostics if d.code.startswith("advisories")]


@pytest.mark.parametrize("mode", ["corrupt", "truncated", "500", "hang"])
def test_failed_download_keeps_the_old_archive_and_says_so(mode: str, server: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "TIMEOUT", 0.5)
    _seed(tmp_path, dt.timedelta(days=3))
    before = (tmp_path / "advisories" / "PyPI.zip").read_bytes()
    _Archives.modes = {"PyPI": mode}
    started = time.monotonic()
    result = _scan(tmp_path)
    assert time.monotonic() - started < 60
    failed = [d.message for d in result.diagnostics if d.code == "advisories-download-failed"]
    assert failed[0].startswith("advisories not downloaded: PyPI: ")
    # a server that does not answer is not waited for twice: the other archive is not tried
    assert failed[1:] == (["advisories not downloaded: npm: not tried (http server unreachable)"]
                          if mode == "hang" else [])
    reason = {"corrupt": "not a sound zip archive", "truncated": "cut short", "500": "HTTP 500",
              "hang": "timed out"}[mode]
    assert reason in failed[0]
    assert (tmp_path / "advisories" / "PyPI.zip").read_bytes() == before  # never replaced by a bad download
    assert not list((tmp_path / "advisories").glob("*.part"))
    assert _advisory_ids(result) == EXPECTED  # the stale archive still answers
    assert any(d.code == "advisories-old" and "3 days old (it could not be refreshed)" in d.message
               for d in result.diagnostics)


def test_failed_download_without_a_cache_still_completes_loudly(server: str, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMIT_CACHE_DIR", str(tmp_path))
    _Archives.modes = {"PyPI": "500", "npm": "corrupt"}
    code = main(["scan", str(EXAMPLE), "--no-config", "--format", "json", "--select", "DEP",
                 "--fail-on", "none"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["advisories"]["checked"] is False


def test_offline_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connects: list[object] = []
    _NO_NETWORK.append(connects)
    try:
        monkeypatch.setenv("REMIT_ADVISORY_URL", "http://127.0.0.1:9")
        result = _scan(tmp_path / "empty", offline=True, online=True)
        assert result.analysis.deps.source.kind is SourceKind.NONE
        assert result.advisories_unchecked
        assert "offline" in result.analysis.deps.source.headline()
        _seed(tmp_path / "old", dt.timedelta(days=40))
        result = _scan(tmp_path / "old", offline=True)
        assert _advisory_ids(result) == EXPECTED
        assert any(d.code == "advisories-old" and "40 days old" in d.message for d in result.diagnostics)
        monkeypatch.setenv("REMIT_OFFLINE", "yes")
        assert _scan(tmp_path / "old").analysis.deps.source.offline
    finally:
        _NO_NETWORK.remove(connects)
    assert connects == []


_NO_NETWORK: list[list[object]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _NO_NETWORK:
        _NO_NETWORK[-1].append(args[1])
        raise OSError("the test forbids connections")


sys.addaudithook(_audit)  # cannot be removed; inert unless a test arms it


def test_the_audit_hook_catches_a_connect() -> None:
    caught: list[object] = []
    _NO_NETWORK.append(caught)
    try:
        with pytest.raises(OSError, match="forbids"), socket.create_connection(("127.0.0.1", 9), timeout=1):
            pass
    finally:
        _NO_NETWORK.remove(caught)
    assert caught


def test_update_refreshes_everything_named(server: str, tmp_path: Path) -> None:
    _seed(tmp_path, dt.timedelta(hours=1), ("PyPI",))
    assert main(["advisories", "update", "pypi", "--cache-dir", str(tmp_path)]) == 0
    assert _Archives.requests == ["/PyPI/all.zip"]  # forced, although fresh
    shutil.rmtree(tmp_path / "advisories")
    _Archives.modes = {"npm": "truncated"}
    assert main(["advisories", "update", "--cache-dir", str(tmp_path)]) == 2
    info = cache.cached_archives(tmp_path)
    assert info is not None
    assert "npm" not in {e.ecosystem for e in info.entries}
    assert {"PyPI", "Maven", "Go", "NuGet", "RubyGems"} <= {e.ecosystem for e in info.entries}


def test_every_format_says_so_in_its_headline(tmp_path: Path) -> None:
    from remit.report import Format, render

    result = _scan(tmp_path, offline=True)  # offline, nothing cached
    warning = result.analysis.deps.source.headline()
    assert warning.startswith("dependencies against known vulnerabilities: offline, and the advisory cache has none")
    assert render(result, Format.TEXT).splitlines()[3] == f"not checked: {warning}"
    assert f"Not checked: {warning}." in render(result, Format.HTML)
    markdown = render(result, Format.MARKDOWN).splitlines()
    assert markdown[2] == f"⚠️ Not checked: {warning}."
    properties = json.loads(render(result, Format.SARIF))["runs"][0]["properties"]
    assert properties["advisoriesUnchecked"] is True
    assert properties["advisories"]["warning"] == f"not checked: {warning}"
    summary = json.loads(render(result, Format.JSON))["summary"]["advisories"]
    assert summary == {"checked": False, "source": "none", "records": 0, "age_days": None, "offline": True,
                       "unchecked": ["PyPI", "npm"], "warning": f"not checked: {warning}"}


def test_the_download_reports_progress(server: str, tmp_path: Path) -> None:
    from remit.progress import ProgressEvent, Stage

    events: list[ProgressEvent] = []
    scan([EXAMPLE], ScanOptions(select=("DEP",), cache_dir=tmp_path), progress=events.append)
    downloads = [e for e in events if e.stage is Stage.DOWNLOAD]
    assert {e.unit for e in downloads} == {"kB (PyPI)", "kB (npm)"}
    assert all(e.counted and e.total is not None and e.done <= e.total for e in downloads)
    assert downloads[-1].text().startswith("downloading advisories ")


def test_the_config_file_chooses_the_mirror_and_the_environment_wins(server: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns(".remit.toml", "advisories"))
    monkeypatch.setenv("REMIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REMIT_ADVISORY_URL")
    (app / ".remit.toml").write_text(f'advisory-url = "{server}"\n')
    assert main(["scan", str(app), "--select", "DEP", "--fail-on", "none", "-q"]) == 0
    assert sorted(_Archives.requests) == ["/PyPI/all.zip", "/npm/all.zip"]
    capsys.readouterr()
    (app / ".remit.toml").write_text('advisory-url = "http://127.0.0.1:9"\n')
    monkeypatch.setenv("REMIT_ADVISORY_URL", server)
    shutil.rmtree(tmp_path / "cache")
    assert main(["scan", str(app), "--select", "DEP", "--fail-on", "none", "-q"]) == 0
    assert len(_Archives.requests) == 4
    assert "not checked" not in capsys.readouterr().out
    (app / ".remit.toml").write_text("offline = true\n")
    shutil.rmtree(tmp_path / "cache")
    assert main(["scan", str(app), "--select", "DEP", "--fail-on", "none", "-q"]) == 0
    assert len(_Archives.requests) == 4  # nothing more
    assert "not checked: dependencies against known vulnerabilities: offline" in capsys.readouterr().out
    assert main(["scan", str(app), "--no-config", "--offline", "--select", "DEP", "--fail-on", "none", "-q"]) == 0
    assert len(_Archives.requests) == 4
    (app / ".remit.toml").write_text('advisory-url = "ftp://mirror"\n')
    assert main(["scan", str(app), "--select", "DEP"]) == 2
    assert "advisory-url must be an http:// or https:// URL" in capsys.readouterr().err
