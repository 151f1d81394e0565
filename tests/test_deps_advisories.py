"""Advisories: OSV loading (directory, zip, cache, a local fake of the OSV API), range logic (property tests),
the scan's advisory source and its diagnostics, `remit advisories update`, and an opt-in run on the PyPA
database."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import semantic_version  # type: ignore[import-untyped]  # the package ships no type hints
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from remit.api import scan
from remit.cli import main
from remit.deps import advisories
from remit.deps.advisories import OnlineClient, affects, best_fix, cvss3_score, load_database
from remit.deps.facts import Ecosystem, ImportReach, SourceKind
from remit.deps.manifests import npm_pin
from remit.errors import AdvisoryError
from remit.options import ScanOptions

from .conftest import FIXTURES, ROOT, SHARED

ADVISORIES = FIXTURES / "advisories"
EXAMPLE = ROOT / "examples" / "orders-app"

versions = st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))


def _v(t: tuple[int, int, int]) -> str:
    return ".".join(map(str, t))


@given(versions, versions, versions, st.sampled_from([Ecosystem.PYPI, Ecosystem.NPM]))
def test_range_is_half_open_interval(v: Any, a: Any, b: Any, eco: Ecosystem) -> None:
    low, high = sorted((a, b))
    entry = {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": _v(low)}, {"fixed": _v(high)}]}]}
    assert affects(entry, eco, _v(v)) == (low <= v < high)
    last = {"ranges": [{"type": "SEMVER", "events": [{"introduced": _v(low)}, {"last_affected": _v(high)}]}]}
    assert affects(last, eco, _v(v)) == (low <= v <= high)


@given(st.lists(versions, min_size=1, max_size=6), versions)
def test_several_intervals_and_zero(bounds: list[Any], v: Any) -> None:
    points = sorted(set(bounds))
    events: list[dict[str, str]] = [{"introduced": "0"}]
    intervals: list[tuple[Any, Any]] = []
    start: Any = None
    for i, p in enumerate(points):  # alternate fixed / introduced after "0"
        if i % 2 == 0:
            events.append({"fixed": _v(p)})
            intervals.append((start, p))
        else:
            events.append({"introduced": _v(p)})
            start = p
    if len(points) % 2 == 0:
        intervals.append((start, None))
    entry = {"ranges": [{"type": "ECOSYSTEM", "events": events}]}
    expected = any((lo is None or lo <= v) and (hi is None or v < hi) for lo, hi in intervals)
    assert affects(entry, Ecosystem.PYPI, _v(v)) == expected


@given(st.lists(versions, min_size=1, max_size=5), versions)
def test_best_fix_is_smallest_above(fixes: list[Any], v: Any) -> None:
    above = [f for f in fixes if f > v]
    got = best_fix([_v(f) for f in fixes], Ecosystem.NPM, _v(v))
    assert got == (_v(min(above)) if above else None)


def test_pep440_and_prereleases() -> None:
    entry = {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.1"}]}],
             "versions": ["5.1b1"]}
    assert affects(entry, Ecosystem.PYPI, "5.1b3")  # a pre-release sorts before 5.1
    assert not affects(entry, Ecosystem.PYPI, "5.1")
    assert not affects(entry, Ecosystem.PYPI, "5.1.post1")
    assert affects(entry, Ecosystem.PYPI, "5.1b1")
    assert not affects(entry, Ecosystem.PYPI, "not-a-version")
    assert Version("5.1rc1") < Version("5.1")
    npm = {"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}
    assert affects(npm, Ecosystem.NPM, "1.0.0-beta.1")
    assert not affects(npm, Ecosystem.NPM, "1.0.0")
    assert semantic_version.Version("1.0.0-beta.1") < semantic_version.Version("1.0.0")


def test_cvss_scores() -> None:
    assert cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8
    assert cvss3_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H") == 7.4
    assert cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1
    assert cvss3_score("CVSS:2.0/AV:N") is None
    assert cvss3_score("CVSS:3.1/AV:N") is None


def test_directory_zip_and_withdrawn(tmp_path: Path) -> None:
    db = load_database([ADVISORIES])
    assert "PYSEC-2023-73" not in db.records  # withdrawn
    assert {"PYSEC-2020-96", "GHSA-q4v7-4rhw-9hqm", "MAL-0000-reqeusts"} <= set(db.records)
    archive = tmp_path / "PyPI.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in (ADVISORIES / "PyPI").glob("*.json"):
            z.write(f, f.name)
    assert set(load_database([archive]).records) == set(load_database([ADVISORIES / "PyPI"]).records)
    (tmp_path / "not.zip").write_text("nope")
    with pytest.raises(AdvisoryError):
        load_database([tmp_path / "not.zip"])
    with pytest.raises(AdvisoryError):
        load_database([tmp_path / "missing"])


def test_real_malicious_record_and_the_synthetic_one_is_labelled(tmp_path: Path) -> None:
    synthetic = json.loads((ADVISORIES / "PyPI" / "MAL-0000-reqeusts.json").read_text())
    assert synthetic["database_specific"]["remit-synthetic"] is True
    assert synthetic["summary"].startswith("Synthetic")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "src" / "requirements.txt").write_text("0requests==0.0.1\nrequests==2.31.0\n")
    result = scan([tmp_path], ScanOptions(select=("RMT-SUPPLY-004",), advisories=(ADVISORIES,)))
    hits = [(f.location.path, f.location.line, dict(f.details)["advisory"]) for f in result.findings]
    assert hits == [("src/requirements.txt", 1, "MAL-2026-15859")]


def _example(**kw: Any) -> Any:
    return scan([EXAMPLE], ScanOptions(select=("DEP", "SUPPLY"), **kw))


def test_example_findings_carry_the_facts() -> None:
    result = _example(advisories=(EXAMPLE / "advisories",))
    dep = {dict(f.details)["advisory"]: f for f in result.findings if f.rule_id == "RMT-DEP-001"}
    assert set(dep) == {"PYSEC-2020-96", "PYSEC-2018-28", "GHSA-q4v7-4rhw-9hqm", "GHSA-p6mc-m468-83gw"}
    yaml_ = dict(dep["PYSEC-2020-96"].details)
    assert yaml_["fixed"] == "5.3.1"
    assert yaml_["version"] == "5.3"
    assert "CVE-2020-1747" in yaml_["aliases"]
    assert yaml_["reachable"] == ImportReach.IMPORTED.value
    assert dep["PYSEC-2020-96"].severity.value == "critical"
    assert str(dep["PYSEC-2020-96"].location) == "src/orders/requirements.txt:2"
    req = dict(dep["PYSEC-2018-28"].details)
    assert req["reachable"] == ImportReach.NOT_IMPORTED.value
    assert dep["PYSEC-2018-28"].severity.value == "medium"
    assert "lowered" in dep["PYSEC-2018-28"].message
    assert dict(dep["GHSA-q4v7-4rhw-9hqm"].details)["fixed"] == ""
    assert result.application is not None
    assert result.analysis.deps.source.kind is SourceKind.DIRECTORY


def test_first_fixed_release_is_not_reported(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "app", ignore=shutil.ignore_patterns(".remit.toml"))
    req = tmp_path / "app" / "src" / "orders" / "requirements.txt"
    req.write_text(req.read_text().replace("PyYAML==5.3", "PyYAML==5.3.1").replace("2.19.1", "2.20.0"))
    result = scan([tmp_path / "app"], ScanOptions(select=("RMT-DEP-001",), advisories=(ADVISORIES,)))
    assert not any("orders" in f.location.path for f in result.findings)


def test_no_source_is_said_never_silent() -> None:
    result = _example()
    assert any(d.code == "advisories-missing" for d in result.diagnostics)
    assert not any(f.rule_id == "RMT-DEP-001" for f in result.findings)
    assert result.application is not None
    assert result.analysis.deps.source.kind is SourceKind.NONE


def test_cache_is_used_and_its_age_warned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "advisories"
    folder.mkdir()
    with zipfile.ZipFile(folder / "PyPI.zip", "w") as z:
        for f in (ADVISORIES / "PyPI").glob("*.json"):
            z.write(f, f.name)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    (folder / "meta.json").write_text(json.dumps({"downloaded": old.isoformat()}))
    monkeypatch.setenv("REMIT_CACHE_DIR", str(tmp_path))
    result = _example()  # offline (tests are): the cache is used as it is, its age said
    assert any(d.code == "advisories-old" and "30 days" in d.message for d in result.diagnostics)
    assert any(f.rule_id == "RMT-DEP-001" for f in result.findings)
    assert result.application is not None
    assert result.analysis.deps.source.age_days == 30


class _FakeOsv(http.server.BaseHTTPRequestHandler):
    calls: ClassVar[list[str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.calls.append(self.path)
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        results = []
        for q in query["queries"]:
            eco, name, version = q["package"]["ecosystem"], q["package"]["name"].lower(), q["version"]
            db = load_database([ADVISORIES])
            hits = [a.id for a, _ in advisories.matches(db, Ecosystem(eco), name, version)]
            results.append({"vulns": [{"id": h} for h in hits]} if hits else {})
        self._send(json.dumps({"results": results}).encode())

    def do_GET(self) -> None:
        self.calls.append(self.path)
        if self.path.startswith("/v1/vulns/"):
            vid = self.path.rsplit("/", 1)[-1]
            found = next(ADVISORIES.rglob(f"{vid}.json"))
            self._send(found.read_bytes())
            return
        eco = self.path.strip("/").split("/")[0]
        buffer = Path(self.server.tmp) / f"{eco}.zip"  # type: ignore[attr-defined]  # the test server carries its directory as an attribute
        with zipfile.ZipFile(buffer, "w") as z:
            for f in (ADVISORIES / eco).glob("*.json"):
                z.write(f, f.name)
        self._send(buffer.read_bytes(), "application/zip")


@pytest.fixture
def fake_osv(tmp_path: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeOsv)
    server.tmp = str(tmp_path)  # type: ignore[attr-defined]  # the test server carries its directory as an attribute
    _FakeOsv.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_online_batches_and_caches(fake_osv: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMIT_OFFLINE")
    monkeypatch.setenv("REMIT_OSV_API", fake_osv)
    result = _example(online=True, cache_dir=tmp_path / "cache")
    ids = {dict(f.details)["advisory"] for f in result.findings if f.details and f.rule_id == "RMT-DEP-001"}
    assert ids == {"PYSEC-2020-96", "PYSEC-2018-28", "GHSA-q4v7-4rhw-9hqm", "GHSA-p6mc-m468-83gw"}
    assert _FakeOsv.calls.count("/v1/querybatch") == 1  # one batch for every package
    before = len(_FakeOsv.calls)
    _example(online=True, cache_dir=tmp_path / "cache")
    assert len(_FakeOsv.calls) == before  # answered from the cache


def test_online_without_network_says_so(tmp_path: Path) -> None:
    def offline(url: str, body: bytes | None) -> bytes:
        raise AdvisoryError("cannot reach https://api.osv.dev: Name or service not known")

    with pytest.raises(AdvisoryError):
        OnlineClient(tmp_path, opener=offline).database([(Ecosystem.PYPI, "requests", "2.19.1")])


def test_online_unreachable_is_an_error_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMIT_OFFLINE")
    monkeypatch.setenv("REMIT_OSV_API", "http://127.0.0.1:9")  # discard port: connection refused
    result = _example(online=True, cache_dir=tmp_path)
    assert any(d.code == "advisories-unavailable" and "no advisory was checked" in d.message
               for d in result.diagnostics)


def test_update_command_fills_the_cache(fake_osv: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("REMIT_OFFLINE")
    monkeypatch.setenv("REMIT_ADVISORY_URL", fake_osv)
    assert main(["advisories", "update", "PyPI", "npm", "--cache-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "advisories for PyPI, npm saved in" in err
    assert sorted(p.name for p in (tmp_path / "advisories").glob("*.zip")) == ["PyPI.zip", "npm.zip"]
    assert main(["advisories", "status", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PyPI  5 records" in out
    assert "today" in out
    assert fake_osv in out
    monkeypatch.setenv("REMIT_ADVISORY_URL", "http://127.0.0.1:9")
    assert main(["advisories", "update", "PyPI", "--cache-dir", str(tmp_path / "other")]) == 2
    assert "cannot download from http://127.0.0.1:9" in capsys.readouterr().err
    assert main(["advisories", "update", "Cargo", "--cache-dir", str(tmp_path)]) == 2


PYPA = SHARED / "advisories" / "pypa"


@pytest.mark.skipif(not PYPA.is_dir(), reason="the PyPA advisory database is not present")
def test_pypa_database_opt_in() -> None:
    db = load_database([PYPA])
    assert len(db.records) > 1000
    hits = {a.id for a, _ in advisories.matches(db, Ecosystem.PYPI, "pyyaml", "5.3")}
    assert {"PYSEC-2020-96", "PYSEC-2021-142"} <= hits
    assert not advisories.matches(db, Ecosystem.PYPI, "pyyaml", "6.0.1")


# -- npm versions (SemVer 2.0 precedence) ---------------------------------------------------------------

_ident = st.one_of(st.integers(0, 12).map(str), st.sampled_from(["alpha", "beta", "rc", "x", "alpha1", "a-b"]))
semver = st.builds(
    lambda core, pre, build: ".".join(map(str, core)) + (f"-{'.'.join(pre)}" if pre else "") +
    (f"+{'.'.join(build)}" if build else ""),
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
    st.lists(_ident, max_size=3),
    st.lists(st.sampled_from(["build", "7", "sha-1f2e"]), max_size=2),
)


def _precedence(version: str) -> tuple[Any, ...]:
    """SemVer 2.0 precedence written out (section 11): core numbers, then a release above any pre-release,
    then pre-release identifiers one by one (numbers numerically and below words); build metadata ignored."""
    core, _, pre = version.split("+", 1)[0].partition("-")
    numbers = tuple(int(x) for x in core.split("."))
    if not pre:
        return (numbers, 1, ())
    return (numbers, 0, tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in pre.split(".")))


@given(semver, semver, semver)
def test_npm_semver_range_follows_semver_precedence(v: str, a: str, b: str) -> None:
    low, high = sorted((a, b), key=_precedence)
    entry = {"ranges": [{"type": "SEMVER", "events": [{"introduced": low}, {"fixed": high}]}]}
    expected = _precedence(low) <= _precedence(v) < _precedence(high)
    assert affects(entry, Ecosystem.NPM, v) == expected
    assert affects(entry, Ecosystem.NPM, "v" + v) == expected  # npm accepts a leading v
    last = {"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": high}]}]}
    assert affects(last, Ecosystem.NPM, v) == (_precedence(v) <= _precedence(high))


@given(semver)
def test_npm_pin_is_exact_versions_only(v: str) -> None:
    assert npm_pin(v) == v
    assert npm_pin("=" + v) == v
    assert npm_pin("v" + v) == v
    for ranged in ("^" + v, "~" + v, ">=" + v, "<" + v, f"{v} - 9.9.9", f"{v} || 0.0.1", "*", "latest"):
        assert npm_pin(ranged) is None


LAYER_APP = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    Layers: [!Ref DepsLayer]
Resources:
  DepsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Uses:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: uses/
  Ignores:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ignores/
"""


def test_a_package_from_a_layer_is_shipped_and_its_import_is_an_import(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(LAYER_APP)
    installed = tmp_path / "layer" / "python"
    (installed / "requests").mkdir(parents=True)
    (installed / "requests" / "__init__.py").write_text("")
    (installed / "requests-2.19.1.dist-info").mkdir()
    (installed / "requests-2.19.1.dist-info" / "METADATA").write_text("Name: requests\nVersion: 2.19.1\n\n")
    for name, body in (("uses", "import boto3\nimport requests\n"), ("ignores", "import boto3\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(body + "\ndef handler(event, context):\n    return None\n")
    result = scan([tmp_path], ScanOptions(select=("RMT-DEP-001",), advisories=(ADVISORIES,)))
    found = [f for f in result.findings if dict(f.details)["advisory"] == "PYSEC-2018-28"]
    # one finding for the manifest line both functions ship, at the severity of the function importing it
    assert [(f.severity.value, f.location.path, dict(f.details)["affects"], dict(f.details)["reachable"])
            for f in found] == [("high", "layer/python/requests-2.19.1.dist-info/METADATA", "Ignores,Uses",
                                 "imported")]
    assert "Imported by Uses; never imported by Ignores (severity kept). Affects 2 functions: Ignores, Uses." in \
        found[0].message
    reach = {m.package.name: m.reach for fn in result.analysis.deps.functions.values() for m in fn.matches
             if fn.function.logical_id == "Uses"}
    assert reach == {"requests": ImportReach.IMPORTED}
