"""JavaScript and TypeScript analysis: one Node.js handler's reachable modules, flows, SDK calls, issues, imports.

:func:`analyze` is the seam the code stage calls for Node.js runtimes. Files are parsed once with tree-sitter
(:mod:`~remit.code.javascript.parse`), functions summarised once (:mod:`~remit.code.javascript.taint`),
per-file findings (secrets, unverified JWTs, SDK calls: :mod:`~remit.code.javascript.checks`) computed once
per file; all of it is shared by the functions of a scan that ship the same files.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from remit import safeio, untrusted
from remit.code.facts import (
    CodeIssue,
    Confidence,
    FunctionCode,
    IssueKind,
    Language,
    SdkCall,
    TaintFlow,
    numbered,
)
from remit.code.javascript import checks
from remit.code.javascript.parse import FUNCTION_TYPES, JsModule, ParseCache, is_barrel
from remit.code.javascript.taint import FunctionRef, Program, render_path
from remit.code.lattice import Dep, handler_facts, wrapped_by
from remit.code.reach import REACH_DEPENDENT, Span, reach, reachable_issues
from remit.code.resolve import ResolvedCode
from remit.code.sources import EventSources
from remit.diagnostics import Diagnostic, Level
from remit.findings import FlowStep
from remit.model.values import Unknown
from remit.source import SourceLocation

__all__ = ["analyze"]

MAX_MODULES = 500  # modules followed from one handler


def _sdk_lookups() -> tuple[Callable[[str], str | None], Callable[[str, str], str | None]] | None:
    try:
        from remit.code.sdk import js_service, operation_for  # noqa: PLC0415 - optional seam (code-sdk)
    except ImportError:
        return None
    return js_service, operation_for


class JsAnalyzer:
    """Everything the JavaScript analysis of one scanned root shares between functions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache = ParseCache(root)
        self.programs: dict[Path, Program] = {}
        self._file_issues: dict[Path, tuple[CodeIssue, ...]] = {}
        self._sdk: dict[Path, tuple[SdkCall, ...]] = {}
        self._reported = 0  # cache diagnostics already handed out
        self._lookups = _sdk_lookups()
        self.extra: list[Diagnostic] = []
        self.stamps: dict[Path, tuple[int, int]] = {}

    def fresh(self) -> bool:
        """Whether no file parsed so far changed on disk (a later scan of the same root may follow edits)."""
        for path, stamp in self.stamps.items():
            try:
                st = path.stat()
            except OSError:
                return False
            if (st.st_mtime_ns, st.st_size) != stamp:
                return False
        return True

    def module(self, path: Path) -> JsModule | None:
        mod = self.cache.module(path)
        if mod is not None and path not in self.stamps:
            try:
                st = path.stat()
                self.stamps[path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                pass
        return mod

    def program(self, resolved: ResolvedCode) -> Program:
        if resolved.root not in self.programs:
            self.programs[resolved.root] = Program(self.cache, self.root, yaml_unsafe=_old_js_yaml(resolved.root))
        return self.programs[resolved.root]

    def file_issues(self, mod: JsModule) -> tuple[CodeIssue, ...]:
        if mod.path not in self._file_issues:
            self._file_issues[mod.path] = numbered((*checks.secrets(mod), *checks.jwt(mod)))
        return self._file_issues[mod.path]

    def sdk_calls(self, mod: JsModule) -> tuple[SdkCall, ...]:
        if mod.path not in self._sdk:
            calls: tuple[SdkCall, ...] = ()
            if self._lookups is not None:
                try:
                    calls = checks.sdk_calls(mod, *self._lookups)
                except Exception as exc:  # noqa: BLE001 - another part's mapping must not stop the scan
                    self.extra.append(Diagnostic(mod.rel, Level.WARNING, "code-sdk-error",
                                                 f"SDK calls not extracted: {type(exc).__name__}: {exc}"))
            self._sdk[mod.path] = calls
        return self._sdk[mod.path]

    def new_diagnostics(self) -> tuple[Diagnostic, ...]:
        found = [*self.cache.diagnostics[self._reported:], *self.extra]
        self._reported = len(self.cache.diagnostics)
        self.extra = []
        return tuple(found)

    def entry_module(self, resolved: ResolvedCode) -> JsModule | None:
        if resolved.entry is not None:
            return self.module(resolved.entry)
        if resolved.inline is not None:
            fake = Path("<inline>") / resolved.function.doc / f"{resolved.function.logical_id}.js"
            if fake not in self.cache.modules:
                self.cache.modules[fake] = self.cache.parse(resolved.inline.encode("utf-8"), resolved.inline_doc,
                                                            fake, resolved.inline_line - 1)
            return self.cache.modules[fake]
        return None

    def reachable(self, entry: JsModule, program: Program) -> list[JsModule]:
        """The entry module and the package's modules it imports, transitively (bounded): what a bundler puts in
        the function. Of a barrel (a module that only re-exports) only the modules providing the names asked
        for are followed."""
        seen: dict[Path, JsModule] = {entry.path: entry}
        wanted: dict[Path, frozenset[str] | None] = {entry.path: None}
        queue = deque([entry])
        rounds = 0
        while queue and len(seen) < MAX_MODULES and rounds < 4 * MAX_MODULES:
            rounds += 1
            mod = queue.popleft()
            for spec, asked, star in _edges(mod, wanted[mod.path]):
                target = program.relative(spec, mod)
                if target is None:
                    continue
                names = asked
                if star and asked is not None and not target.stars:  # export * from: only what it provides
                    names = asked & {*target.exports, *target.export_aliases, *target.reexports}
                    if not names:
                        continue
                before = wanted.get(target.path, frozenset())
                now = None if before is None or names is None else before | names
                if target.path in seen and now == before:
                    continue
                self.stamp(target)
                seen[target.path] = target
                wanted[target.path] = now
                queue.append(target)
        return list(seen.values())

    def stamp(self, mod: JsModule) -> None:
        if mod.path not in self.stamps and mod.path.parts[:1] != ("<inline>",):
            try:
                st = mod.path.stat()
                self.stamps[mod.path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                pass

    def analyze(self, resolved: ResolvedCode, sources: EventSources, sync: bool) -> FunctionCode:
        function = resolved.function
        language = resolved.language if resolved.language is not Language.OTHER else Language.JAVASCRIPT
        entry = self.entry_module(resolved)
        if entry is None:
            return FunctionCode(function, language, Unknown("the handler file cannot be read"),
                                diagnostics=self.new_diagnostics())
        program = self.program(resolved)
        found_entry = program.entry(entry, resolved.handler_name)
        ref, wrappers = found_entry if found_entry is not None else (None, ())
        flows: list[TaintFlow] = []
        issues: list[CodeIssue] = []
        handler: SourceLocation | Unknown
        if ref is None:
            handler = Unknown(f"no export {resolved.handler_name} in {entry.rel}")
            if resolved.entry is not None:
                self.extra.append(Diagnostic(entry.rel, Level.WARNING, "code-handler-missing",
                                             f"{function.logical_id}: the handler {resolved.handler_name} is not "
                                             f"exported by {entry.rel}"))
        else:
            handler = ref.module.loc(ref.node)
            flows, issues = _taint(program, ref, wrappers, sources, sync)
        modules = self.reachable(entry, program)
        if ref is not None:  # modules whose functions this handler calls, found by the analysis (not others')
            called = {key[0] for key in reach(program.calls, [ref.key, *(w.key for w in wrappers)])
                      if isinstance(key, tuple)}
            listed = {m.path for m in modules}
            modules += [mod for path, mod in program.visited.items() if path in called and path not in listed]
        found = [issue for mod in modules for issue in self.file_issues(mod)]
        if ref is not None and any(i.kind in REACH_DEPENDENT for i in found):  # rare: skip the walk
            spans = (Span(mod.rel, node.start_point[0] + 1 + mod.line_offset, node.end_point[0] + 1 + mod.line_offset,
                          (mod.path, node.start_byte, node.end_byte))
                     for mod in modules for node in {*mod.functions.values(), *mod.exports.values()})
            found = reachable_issues(found, spans, reach(program.calls, [ref.key, *(w.key for w in wrappers),
                                                                  *_used_at_module_level(modules)]))
        issues.extend(found)
        sdk = tuple(call for mod in modules for call in self.sdk_calls(mod))
        imports = frozenset(name for mod in modules for name in mod.packages)
        files = tuple(sorted({m.rel for m in modules if m.path.parts[:1] != ("<inline>",)}))
        import_paths = frozenset(spec for mod in modules for spec in mod.specifiers
                                 if not spec.startswith((".", "/")))
        return FunctionCode(function, language, handler, files, imports, tuple(flows), sdk,
                            tuple(_dedupe(issues)), diagnostics=self.new_diagnostics(), import_paths=import_paths)


def _edges(mod: JsModule, names: frozenset[str] | None) -> list[tuple[str, frozenset[str] | None, bool]]:
    """The package modules ``mod`` loads (relative specifiers), the names asked of each (None: all of it), and
    whether the names are only a guess (``export * from``: the module gives those of them it exports). Asked for
    ``names`` only, a barrel loads the modules that provide them."""
    if names is not None and is_barrel(mod):
        named: dict[str, set[str]] = {}
        rest = set(names)
        for exported, ref in mod.reexports.items():
            if exported != "*" and exported in names and ref.module.startswith("."):
                named.setdefault(ref.module, set()).add(ref.name or "default")
                rest.discard(exported)
        out: list[tuple[str, frozenset[str] | None, bool]] = [
            (spec, frozenset(asked), False) for spec, asked in sorted(named.items())]
        return out + [(source, frozenset(rest), True) for source in mod.stars if rest and source.startswith(".")]
    asked: dict[str, set[str] | None] = {}
    for ref in mod.imports.values():
        if ref.module.startswith(".") and ref.name is not None:
            current = asked.setdefault(ref.module, set())
            if current is not None:
                current.add(ref.name)
        elif ref.module.startswith("."):
            asked[ref.module] = None
    for ref in mod.reexports.values():
        asked[ref.module] = None
    edges: list[tuple[str, frozenset[str] | None, bool]] = []
    for spec in sorted(mod.specifiers):
        if spec.startswith("."):  # a spec bound nowhere at the top (``import "./x"``, a require in a body): all
            names_of = asked.get(spec)
            edges.append((spec, frozenset(names_of) if names_of is not None else None, False))
    return edges


def _used_at_module_level(modules: list[JsModule]) -> list[tuple[Path, int, int]]:
    """Top-level functions that code run at load names (``const claims = decode(TOKEN)``): reached on load."""
    out: list[tuple[Path, int, int]] = []
    for mod in modules:
        names: set[str] = set()
        stack = list(mod.root.named_children)
        while stack:
            node = stack.pop()
            if node.type in FUNCTION_TYPES:
                continue  # a function's body runs when it is called, not on load
            if node.type == "identifier":
                names.add(mod.text(node))
            stack.extend(node.named_children)
        out.extend((mod.path, fn.start_byte, fn.end_byte) for name, fn in mod.functions.items() if name in names)
    return out


def _old_js_yaml(root: Path) -> bool:
    """The package pins js-yaml below 4, whose ``load`` runs ``!!js/function`` tags by default."""
    for manifest in (root / "node_modules" / "js-yaml" / "package.json", root / "package.json"):
        try:
            data = untrusted.json_loads(safeio.read_text(manifest))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        if manifest.parent.name == "js-yaml":
            version = str(data.get("version", ""))
        else:
            deps = {**(data.get("dependencies") or {}), **(data.get("devDependencies") or {})} \
                if isinstance(data.get("dependencies") or {}, dict) else {}
            version = str(deps.get("js-yaml", ""))
        match = re.search(r"(\d+)", version)
        if match is not None:
            return int(match.group(1)) < 4
    return False


def _taint(program: Program, ref: FunctionRef, wrappers: tuple[FunctionRef, ...], sources: EventSources,
           sync: bool) -> tuple[list[TaintFlow], list[CodeIssue]]:
    from remit.code.javascript.taint import params_of  # noqa: PLC0415 - a cycle at load time (the package imports this module)

    summary = wrapped_by(program.summary(ref), map(program.summary, wrappers))
    params = params_of(ref.node)
    event_name = ref.module.text(params[0]) if params and params[0].type == "identifier" else "event"
    start = FlowStep(ref.module.loc(ref.node), f"{event_name}: the event the trigger delivers")
    return handler_facts(summary, sources, start, event_name, render_path, lambda dep: _leak(dep, ref, event_name),
                         sync=sync, lead_with_start=True)


def _leak(dep: Dep, ref: FunctionRef, name: str) -> CodeIssue:
    location = dep.steps[-1].location if dep.steps else ref.module.loc(ref.node)
    del name
    return CodeIssue(IssueKind.ERROR_LEAK, location,
                     "The handler returns exception details to its caller: error messages and stack traces tell "
                     "an attacker about the code, its libraries and its data",
                     evidence=f"handler|{dep.steps[-1].label if dep.steps else ''}", steps=dep.steps,
                     confidence=Confidence.HIGH)


def _dedupe(issues: list[CodeIssue]) -> list[CodeIssue]:
    seen: set[tuple[IssueKind, SourceLocation, str]] = set()
    out: list[CodeIssue] = []
    for issue in issues:
        key = (issue.kind, issue.location, issue.evidence)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


_LOCK = threading.Lock()
_CURRENT: list[JsAnalyzer] = []


def analyze(resolved: ResolvedCode, sources: EventSources, root: Path, sync: bool) -> FunctionCode:
    """Flows, SDK calls, issues and imports of one Node.js function. Never raises on bad code: a syntax error
    is a diagnostic (``FunctionCode.diagnostics``) and the rest of the file is still analysed. ``sync`` says
    whether the caller sees the return value."""
    root = root.resolve()
    with _LOCK:
        current = _CURRENT[0] if _CURRENT else None
        if current is None or current.root != root or not current.fresh():
            current = JsAnalyzer(root)
            _CURRENT[:] = [current]
        return current.analyze(resolved, sources, sync)
