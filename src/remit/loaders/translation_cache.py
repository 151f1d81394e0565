"""SAM translations kept across scans, keyed by what decides them, so a re-scan of a mostly unchanged
repository (CI) translates only the templates that changed.

A translation is a pure function of the template remit hands the translator (local paths already swapped for
placeholders, local OpenAPI definitions already inlined), the translator's version and remit's own. The key is
a SHA-256 of those; the value the translator's output as JSON, one file per key under
``<cache dir>/sam/``. Only translations the translator accepted whole are kept (a rejected template is
retranslated resource by resource, with diagnostics that point into the author's document). Anything that
goes wrong reading or writing is a miss, never an error: the cache is safe to delete at any time, and
``--no-cache`` or ``REMIT_NO_CACHE`` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from remit import __version__

FORMAT = "1"  # bump when remit's preparation or patching of the translator changes what a key stands for
SUBDIR = "sam"


def directory(cache_root: Path | None, enabled: bool) -> Path | None:
    """Where translations are kept (None: not kept), honouring ``REMIT_NO_CACHE``."""
    if not enabled or os.environ.get("REMIT_NO_CACHE") or cache_root is None:
        return None
    return cache_root / SUBDIR


@functools.cache
def _translator_version() -> str:

    try:
        return version("aws-sam-translator")
    except PackageNotFoundError:
        return "unknown"


def key(prepared: Any) -> str | None:
    """The key of a prepared template (before the translator mutates it), or None when it cannot have one."""
    try:
        text = json.dumps(prepared, separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return None
    digest = hashlib.sha256()
    for part in (FORMAT, __version__, _translator_version(), text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def load(where: Path, name: str) -> dict[str, Any] | None:
    try:
        data = json.loads((where / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def store(where: Path, name: str, output: Any) -> None:
    """Keep ``output`` if JSON gives it back unchanged (it always should: the translator writes plain data)."""
    try:
        text = json.dumps(output, separators=(",", ":"), allow_nan=True)
        if json.loads(text) != output:
            return
        where.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, where / f"{name}.json")  # atomic: a concurrent scan reads all or nothing
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError, RecursionError):
        return
