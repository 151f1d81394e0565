"""Every serverless.yml of the serverless-examples corpus scans without a crash (opt-in, skips when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import scan
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
