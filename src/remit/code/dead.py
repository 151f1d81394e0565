"""Handler-like code no function references: possibly dead, still deployable, rarely maintained (SAS-11).

A file counts as handler-like when it defines a Lambda entry point: a Python function taking
``(event, context)`` (or named ``handler`` / ``lambda_handler`` with two parameters), or a JavaScript /
TypeScript ``handler`` export. It is *referenced* when it is a function's handler file or one the analysis
followed from a handler. Test files, dependency and tool directories are never reported, and neither is code
under a function's directory whose language remit did not analyse.

Nor is code whose deployer remit cannot see (calling it dead would be a guess): files under a CDK app
(``cdk.json``) the scan read no cloud assembly of, under a Pulumi project (``Pulumi.yaml``), under a container
image function's ``DockerContext``, and files that match the handler of a function whose package remit cannot
locate (an S3 object it could not follow: ``Handler: app.handler`` and ``.../app.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from remit import safeio
from remit.code.resolve import SKIP_DIRS, inside, source_files
from remit.model.application import Application
from remit.model.entities import CodeKind
from remit.model.values import text
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


_OPAQUE_MARKERS = ("Pulumi.yaml", "Pulumi.yml")
_CDK_APP = "cdk.json"


def _unseen_deployers(app: Application, root: Path, files: tuple[Path, ...]) -> set[Path]:
    """Directories whose code is deployed by something remit did not read: a CDK app without a cloud assembly in
    the scan, a Pulumi project, a container image's build context."""
    out: set[Path] = set()
    assemblies = [d.path.resolve().parent for d in app.documents if d.kind == "cdk"]
    checked: set[Path] = set()
    for directory in {f.parent for f in files}:
        for candidate in (directory, *directory.parents):
            if candidate in checked or not inside(candidate, root):
                break
            checked.add(candidate)
            pulumi = any((candidate / m).is_file() for m in _OPAQUE_MARKERS)
            unsynthesised = (candidate / _CDK_APP).is_file() and not any(inside(a, candidate) for a in assemblies)
            if pulumi or unsynthesised:
                out.add(candidate)
    for fn in app.functions:
        if fn.package_type != "Image" and fn.code.kind is not CodeKind.IMAGE:
            continue
        meta = fn.resource.metadata if isinstance(fn.resource.metadata, dict) else {}
        context = meta.get("DockerContext")
        if isinstance(context, str) and context:
            base = (app.root / fn.resource.doc).parent if fn.resource.doc else app.root
            out.add((base / context).resolve())
    return out


def _unplaced_handlers(app: Application) -> tuple[str, ...]:
    """Path endings (``orders/app.py``, ``src/index``) of the handlers of functions whose package remit cannot
    locate: a file ending so may be that function's code."""
    out: list[str] = []
    for fn in app.functions:
        if fn.code.kind not in (CodeKind.S3, CodeKind.UNKNOWN):
            continue
        handler = text(fn.handler) if fn.handler is not None else None
        if not handler or "." not in handler:
            continue
        module = handler.rpartition(".")[0].replace("\\", "/")
        out.append(module if "/" in module else module.replace(".", "/"))
    return tuple(out)


def _may_be(path: Path, root: Path, endings: tuple[str, ...]) -> bool:
    stem = path.relative_to(root).with_suffix("").as_posix()
    return any(stem == e or stem.endswith("/" + e) for e in endings)


def unreferenced(app: Application, referenced: set[Path], claimed: set[Path]) -> tuple[SourceLocation, ...]:
    """Handler-like files under the scanned root that no function references, at their handler's line."""
    root = app.real_root
    if not app.functions:
        return ()
    files, _ = source_files(root, (".py", ".js", ".mjs", ".cjs", ".ts"))
    claimed_real = {p.resolve() for p in claimed} | _unseen_deployers(app, root, files)
    unplaced = _unplaced_handlers(app)
    out: list[SourceLocation] = []
    for path in files:
        if path in referenced or _is_test(path, root) or any(inside(path, c) for c in claimed_real):
            continue
        if unplaced and _may_be(path, root, unplaced):
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
