"""SAM translations kept across scans (remit.loaders.translation_cache): a second scan reads them instead of
translating, with the same result; a changed template is translated again; the cache can be turned off and a
damaged entry is a miss."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from remit.api import scan
from remit.loaders import sam
from remit.options import ScanOptions

from .conftest import FIXTURES

SAM_APP = FIXTURES / "model" / "sam-app"


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "sam").glob("*.json"))


def _result(app: Path, **options: object) -> tuple[tuple[tuple[str, str, int], ...], tuple[str, ...]]:
    result = scan([app], ScanOptions(parallel=False, **options))  # type: ignore[arg-type]  # options are ScanOptions fields passed by name
    findings = tuple((f.rule_id, f.location.path, f.location.line) for f in result.findings)
    return findings, tuple(p.id for p in result.attack_paths)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    copy = tmp_path / "app"
    shutil.copytree(SAM_APP, copy)
    return copy


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("REMIT_CACHE_DIR", str(where))
    monkeypatch.delenv("REMIT_NO_CACHE", raising=False)
    # the cache keeps what the translator made; the fixture app is one remit expands itself (faster than reading
    # the cache), so here every template goes to the translator
    monkeypatch.setenv("REMIT_NO_NATIVE_SAM", "1")
    return where


def test_a_second_scan_reads_the_translation_and_finds_the_same(app: Path, cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = _result(app)
    kept = _entries(cache)
    assert len(kept) == 1
    assert "Resources" in json.loads(kept[0].read_text(encoding="utf-8"))

    def no_translator() -> None:
        raise AssertionError("the translator ran although the translation was kept")

    with monkeypatch.context() as patched:
        patched.setattr(sam, "_translator", no_translator)
        assert _result(app) == first
    assert _result(app, cache=False) == first


def test_a_changed_template_is_translated_again(app: Path, cache: Path) -> None:
    _result(app)
    template = app / "template.yaml"
    template.write_text(template.read_text(encoding="utf-8") + "\n# a comment changes nothing\n", encoding="utf-8")
    _result(app)
    assert len(_entries(cache)) == 1  # same data, same key
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("Description: ", "Description: Changed. ", 1), encoding="utf-8")
    _result(app)
    assert len(_entries(cache)) == 2
    # a local OpenAPI definition is part of what the translator is given, so it is part of the key
    definition = app / "openapi.yaml"
    definition.write_text(definition.read_text(encoding="utf-8").replace("/docs", "/documents"), encoding="utf-8")
    _result(app)
    assert len(_entries(cache)) == 3


def test_off_by_option_or_environment(app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _result(app, cache=False)
    assert _entries(cache) == []
    monkeypatch.setenv("REMIT_NO_CACHE", "1")
    _result(app)
    assert _entries(cache) == []


def test_a_damaged_entry_is_a_miss(app: Path, cache: Path) -> None:
    first = _result(app)
    (entry,) = _entries(cache)
    entry.write_text("{not json", encoding="utf-8")
    assert _result(app) == first
    assert json.loads(entry.read_text(encoding="utf-8"))  # written again


def test_a_rejected_template_is_not_kept(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: x\n"
        "      Events:\n        Bad:\n          Type: Api\n          Properties:\n            Method: get\n",
        encoding="utf-8")
    result = scan([tmp_path / "template.yaml"], ScanOptions(parallel=False))
    assert any(d.code.startswith("sam-invalid") for d in result.diagnostics)
    assert _entries(cache) == []
