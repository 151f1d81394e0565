"""Real-world corpora: every file scans without a crash.

``../shared/corpora`` (see ``tests/conftest.py``) holds the SAM translator's own test inputs (1,152 files, 287
of them ``error_*`` inputs that must be rejected) and templates from serverless-patterns. Each file found the
way remit finds files (by suffix, then by content) is scanned on its own, strictly (a crashing rule raises):

* no exception, no ``model-error`` or ``rule-error`` diagnostic;
* every ``error_*`` input yields at least one error or warning (a handful are errors only for the translator's
  network checks of ``AWS::Serverless::Application`` or for what ``sam build`` fills in, a missing ``CodeUri`` or
  ``ImageUri``, which remit accepts by design; those inputs also lack the ``Transform`` line, which is reported);
* no SAM translator rejection of a valid input (a rejection there means remit prepared the template wrongly).

The whole module skips when the corpora are absent. It runs in CI under ``pytest -n 2``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import scan
from remit.diagnostics import Level
from remit.loaders.discover import discover
from remit.options import ScanOptions

from .conftest import CORPORA

pytestmark = pytest.mark.corpus

FOLDERS = ("sam-translator-tests", "serverless-patterns")
CRASHES = frozenset({"model-error", "rule-error"})
REJECTED = frozenset({"sam-invalid", "sam-invalid-resource", "sam-unavailable"})


def _params() -> list[object]:
    params: list[object] = []
    for folder in FOLDERS:
        base = CORPORA / folder
        if not base.is_dir():
            params.append(pytest.param(folder, "", marks=pytest.mark.skip(reason=f"{base} is not present"),
                                       id=f"{folder}-absent"))
            continue
        for found in discover([base]).files:
            params.append(pytest.param(folder, found.rel, id=f"{folder}/{found.rel}"))
    return params


@pytest.mark.parametrize(("folder", "rel"), _params())
def test_corpus_file_scans_cleanly(folder: str, rel: str) -> None:
    path: Path = CORPORA / folder / rel
    result = scan([path], ScanOptions(strict=True))
    crashes = [str(d) for d in result.diagnostics if d.code in CRASHES]
    assert not crashes
    if path.name.startswith("error_"):
        assert any(d.level in (Level.ERROR, Level.WARNING) for d in result.diagnostics), \
            "an input the SAM translator rejects got no diagnostic"
    else:
        rejected = [str(d) for d in result.diagnostics if d.code in REJECTED]
        assert not rejected, "a valid input was rejected by the SAM translator"
