"""The code stage: from each function's deployed code to :class:`~remit.code.facts.CodeFacts`.

For every function: :func:`remit.code.resolve.resolve` finds the code it ships,
:func:`remit.code.sources.event_sources` says which event fields its triggers let an attacker write, and the
analyzer of its language runs — :mod:`remit.code.python`, or :mod:`remit.code.javascript` for JavaScript and
TypeScript (tree-sitter loads only when a Node.js function exists). Parsed files and function summaries are
shared by functions that ship the same ``CodeUri``. Handler-like files no function references are listed once
as possibly dead (:mod:`remit.code.dead`). Bad code (unreadable, binary, huge, syntax errors) becomes
diagnostics.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from remit.code.facts import CodeFacts, FunctionCode, Language
from remit.diagnostics import Diagnostic, Level
from remit.model.resources import ResourceId
from remit.model.values import Unknown

if TYPE_CHECKING:
    from remit.code.resolve import ResolvedCode
    from remit.code.sources import EventSources
    from remit.model.application import Application
    from remit.model.entities import Function
    from remit.options import ScanOptions

JsAnalyzer = Callable[["ResolvedCode", "EventSources", Path, bool], FunctionCode]


def _javascript() -> JsAnalyzer | None:
    try:  # optional, owned by the JavaScript analysis; tree-sitter loads only when a Node.js function exists
        module = importlib.import_module("remit.code.javascript")
    except ImportError:
        return None
    found = getattr(module, "analyze", None)
    return cast("JsAnalyzer", found) if callable(found) else None


# Below this many functions the forked helper costs more than half the code stage saves.
SPLIT_MIN_FUNCTIONS = 48


@dataclass(frozen=True, slots=True)
class _Part:
    """What the analysis of a run of consecutive functions found (plain data: it may come back from a helper
    process). Each part reads its files itself: what is said once per file or once per scan is said once when the
parts are joined."""

    functions: tuple[tuple[ResourceId, FunctionCode], ...]
    diagnostics: tuple[Diagnostic, ...]
    referenced: frozenset[Path]
    claimed_roots: frozenset[Path]
    file_diagnostics: tuple[Diagnostic, ...]  # the parse cache's: once per file
    analyzer_diagnostics: tuple[Diagnostic, ...]  # the Python analyzer's own: an SDK extractor failure once


def analyze(app: Application, options: ScanOptions) -> CodeFacts:
    """Resolve and analyse the code of every function of ``app``. Bad code becomes diagnostics, never raises.

    Functions are independent: with ``options.parallel``, enough of them and an idle core, the second half is
    analysed in a forked helper process while this one does the first (:func:`remit.parallel.in_two`); the
    parts are joined in the functions' order, so the facts are the same either way."""
    from remit.code.dead import unreferenced
    from remit.code.python import PythonAnalyzer  # noqa: F401 - loaded before the fork, so the helper need not
    from remit.code.sdk import python as _sdk  # noqa: F401 - the SDK call extractor, likewise
    from remit.parallel import in_two

    def part(start: int, stop: int) -> _Part:
        return _analyze_part(app, start, stop)

    parts = in_two(len(app.functions), part, enabled=options.parallel, min_count=SPLIT_MIN_FUNCTIONS)
    functions: dict[ResourceId, FunctionCode] = {}
    diagnostics: list[Diagnostic] = []
    per_file: dict[Diagnostic, None] = {}
    analyzer: list[Diagnostic] = []
    referenced: set[Path] = set()
    claimed_roots: set[Path] = set()
    for done in parts:
        functions.update(done.functions)
        diagnostics.extend(done.diagnostics)
        referenced.update(done.referenced)
        claimed_roots.update(done.claimed_roots)
        per_file.update(dict.fromkeys(done.file_diagnostics))  # a file both parts read is reported once
        sdk_failed = any(d.code == "code-sdk-error" for d in analyzer)
        analyzer.extend(d for d in done.analyzer_diagnostics if not (sdk_failed and d.code == "code-sdk-error"))
    diagnostics.extend(per_file)
    diagnostics.extend(analyzer)
    dead = unreferenced(app, referenced, claimed_roots)
    return CodeFacts(functions, dead, tuple(diagnostics))


def _analyze_part(app: Application, start: int, stop: int) -> _Part:
    """The code stage for ``app.functions[start:stop]``."""
    from remit.code.python import PythonAnalyzer
    from remit.code.resolve import resolve, worth_reporting
    from remit.code.sources import event_sources
    root = app.real_root
    python = PythonAnalyzer(root)
    javascript: JsAnalyzer | None = None
    js_loaded = False
    diagnostics: list[Diagnostic] = []
    functions: dict[ResourceId, FunctionCode] = {}
    referenced: set[Path] = set()
    claimed_roots: set[Path] = set()
    for fn in app.functions[start:stop]:
        resolved = resolve(app, fn)
        where = fn.resource.doc
        if isinstance(resolved, Unknown):
            if worth_reporting(resolved):
                diagnostics.append(Diagnostic(where, Level.INFO, "code-not-resolved",
                                              f"{fn.display}: code not analysed: {resolved.reason}",
                                              app.locate(fn.node).line))
                if fn.code.path is not None:
                    claimed_roots.add(fn.code.path)
            continue
        if resolved.truncated:
            diagnostics.append(Diagnostic(where, Level.WARNING, "code-too-many-files",
                                          f"{fn.display}: the package has more source files than remit lists; "
                                          f"only the first were considered", app.locate(fn.node).line))
        if resolved.entry is not None:
            referenced.add(resolved.entry)
        sources = event_sources(app, fn)
        sync = _sync(app, fn)
        result: FunctionCode | None = None
        try:
            if resolved.language is Language.PYTHON:
                result = python.analyze(resolved, sources, sync)
            else:
                if not js_loaded:
                    javascript, js_loaded = _javascript(), True
                if javascript is None:
                    claimed_roots.add(resolved.root)
                else:
                    result = javascript(resolved, sources, root, sync)
        except RecursionError:
            diagnostics.append(Diagnostic(where, Level.WARNING, "code-too-deep",
                                          f"{fn.display}: the code nests too deeply to analyse"))
        if result is not None:
            functions[fn.id] = result
            diagnostics.extend(result.diagnostics)
            referenced.update(root / f for f in result.files)
    return _Part(tuple(functions.items()), tuple(diagnostics), frozenset(referenced), frozenset(claimed_roots),
                 tuple(python.cache.diagnostics), tuple(python.diagnostics))


def _sync(app: Application, fn: Function) -> bool:
    """Whether whoever invokes the function sees its return value (an API, a URL, a direct invocation): the
    trigger table's ``returns_to_caller``."""
    triggers = app.triggers_of(fn)
    return not triggers or any(t.spec.returns_to_caller for t in triggers)

