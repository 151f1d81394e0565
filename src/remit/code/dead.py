"""Handler-like code no function references: possibly dead, still deployable, rarely maintained (SAS-11).

A file counts as handler-like when it defines a Lambda entry point: a Python function taking
``(event, context)`` (or named ``handler`` / ``lambda_handler`` with two parameters), or a JavaScript /
TypeScript ``handler`` export. It is *referenced* when it is a function's handler file or one the analysis
followed from a handler. Test files, dependency and tool directories are never reported, and neither is code
under a function's directory whose language remit did not analyse.
"""

from __future__ import annotations

import re
from pathlib import Path

from remit import safeio
from remit.code.resolve import SKIP_DIRS, inside, source_files
from remit.model.application import Application
from remit.source import SourceLocation

MAX_BYTES = 512_000
_PY_HANDLER = re.compile(
    r"^(?:async\s+)?def\s+(?:\w+\s*\(\s*event\s*,\s*context\b|(?:lambda_)?handler\s*\(\s*\w+\s*,\s*\w+\s*\))",
    re.MULTILINE)
_JS_HANDLER = re.compile(
    r"^\s*(?:exports\.handler\s*=|module\.exports\.handler\s*=|export\s+(?:const|let|async\s+function|function)"
    r"\s+handler\b)", re.MULTILINE)
_TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "testing", "fixtures", "examples", "docs", "scripts",
                        "events"})
_TEST_FILE = re.compile(r"(?:^test_.*\.py$|_test\.py$|^conftest\.py$|^setup\.py$|\.(?:test|spec)\.[cm]?[jt]sx?$)")


def _is_test(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    return bool(_TEST_FILE.search(path.name)) or any(part in _TEST_DIRS or part in SKIP_DIRS
                                                      for part in rel.parts[:-1])


def unreferenced(app: Application, referenced: set[Path], claimed: set[Path]) -> tuple[SourceLocation, ...]:
    """Handler-like files under the scanned root that no function references, at their handler's line."""
    root = app.root.resolve()
    if not app.functions:
        return ()
    files, _ = source_files(root, (".py", ".js", ".mjs", ".cjs", ".ts"))
    claimed_real = {p.resolve() for p in claimed}
    out: list[SourceLocation] = []
    for path in files:
        if path in referenced or _is_test(path, root) or any(inside(path, c) for c in claimed_real):
            continue
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
            text = safeio.read_text(path, MAX_BYTES)
        except (OSError, UnicodeDecodeError):
            continue
        pattern = _PY_HANDLER if path.suffix == ".py" else _JS_HANDLER
        match = pattern.search(text)
        if match is None:
            continue
        line = text.count("\n", 0, match.start()) + 1
        if path.suffix != ".py":
            line += len(match.group(0)) - len(match.group(0).lstrip("\n"))
        out.append(SourceLocation(path.relative_to(root).as_posix(), line))
    return tuple(out)
