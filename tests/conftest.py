"""Shared test helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
def _shared() -> Path:
    """The workplace's shared data: $REMIT_SHARED, else ../shared beside the checkout."""
    for candidate in (os.environ.get("REMIT_SHARED"), ROOT.parent / "shared"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return ROOT.parent / "shared"


SHARED = _shared()
CORPORA = SHARED / "corpora"


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's AWS configuration or credentials."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)  # a developer's FORCE_COLOR would colour every report
    monkeypatch.setenv("REMIT_NO_PROGRESS", "1")  # no progress display, even under `pytest -s` on a terminal
    # no test reads the developer's advisory cache (remit advisories update)
    monkeypatch.setenv("REMIT_CACHE_DIR", str(ROOT / "tests" / "fixtures" / "no-cache"))
    # nor keeps SAM translations there (tests of the translation cache point it at their own directory)
    monkeypatch.setenv("REMIT_NO_CACHE", "1")
    # no test connects anywhere by itself: a scan would otherwise download advisories (tests of the download
    # unset it and serve archives from 127.0.0.1); an unroutable mirror in case a test unsets only the switch
    monkeypatch.setenv("REMIT_OFFLINE", "1")
    monkeypatch.setenv("REMIT_ADVISORY_URL", "http://127.0.0.1:9")
    # rules that depend on the date (runtime deprecation) see a fixed day, so goldens do not age
    monkeypatch.setenv("REMIT_TODAY", "2026-11-28")
