"""Every serverless.yml of the serverless-examples corpus scans without a crash (opt-in, skips when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import scan
from remit.loaders.discover import InputFile
from remit.loaders.serverless import UNKNOWN_KEY, load_serverless
from remit.options import ScanOptions

from .conftest import CORPORA

pytestmark = pytest.mark.corpus

BASE = CORPORA / "serverless-examples"
CRASHES = frozenset({"model-error", "rule-error"})


def _params() -> list[object]:
    if not BASE.is_dir():
        return [pytest.param("", marks=pytest.mark.skip(reason=f"{BASE} is not present"), id="absent")]
    files = sorted(p for p in BASE.rglob("serverless.y*ml") if "node_modules" not in p.parts)
    return [pytest.param(p.relative_to(BASE).as_posix(), id=p.relative_to(BASE).as_posix()) for p in files]


@pytest.mark.parametrize("rel", _params())
def test_serverless_service_scans_cleanly(rel: str) -> None:
    path: Path = BASE / rel
    result = scan([path], ScanOptions(strict=True))
    crashes = [str(d) for d in result.diagnostics if d.code in CRASHES]
    assert not crashes


def test_corpus_figures() -> None:
    """Every service loads (or is declined with a diagnostic) and its unknowns are explicit."""
    if not BASE.is_dir():
        pytest.skip(f"{BASE} is not present")
    files = sorted(p for p in BASE.rglob("serverless.y*ml") if "node_modules" not in p.parts)
    read = unknowns = unresolved = 0
    for path in files:
        loaded = load_serverless(InputFile(path, path.relative_to(BASE).as_posix()))
        assert loaded.document is not None or loaded.diagnostics, path
        if loaded.document is not None:
            read += 1
            unknowns += str(loaded.document.data).count(UNKNOWN_KEY)
            unresolved += sum(d.code == "unresolved-variable" for d in loaded.diagnostics)
    assert read > 0
    assert (unknowns == 0) == (unresolved == 0)  # every unknown value comes with its diagnostic
