"""Python analysis: one handler's reachable modules, taint flows, SDK calls, secrets, JWTs, imports.

:class:`PythonAnalyzer` is built once per scan and shared by every Python function: each file is parsed
once (:class:`~remit.code.python.modules.ParseCache`), each function summarised once per search path
(:class:`~remit.code.python.taint.Program`), and per-file findings (secrets, unverified JWTs, SDK calls) are
computed once per file.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable
from pathlib import Path

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
from remit.code.lattice import Dep, handler_facts, wrapped_by
from remit.code.python import checks
from remit.code.python.modules import Module, ParseCache
from remit.code.python.taint import FunctionRef, Program
from remit.code.reach import REACH_DEPENDENT, Span, reach, reachable_issues
from remit.code.resolve import ResolvedCode, inside
from remit.code.sources import EventSources
from remit.diagnostics import Diagnostic, Level
from remit.findings import FlowStep
from remit.model.values import Unknown
from remit.source import SourceLocation

MAX_MODULES = 500  # modules followed from one handler


def _boto3_extractor() -> Callable[[ast.Module, str], tuple[SdkCall, ...]] | None:
    try:
        from remit.code.sdk import boto3_calls  # noqa: PLC0415 - optional seam, owned by the SDK analysis
    except ImportError:
        return None
    return boto3_calls


def render_path(path: tuple[str, ...], name: str = "event") -> str:
    return name + "".join("[*]" if key == "*" else f"[{key!r}]" for key in path)


class PythonAnalyzer:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.cache = ParseCache(self.root)
        self.programs: dict[tuple[Path, ...], Program] = {}
        self.diagnostics: list[Diagnostic] = []
        self._issues: dict[Path, tuple[CodeIssue, ...]] = {}
        self._sdk: dict[Path, tuple[SdkCall, ...]] = {}
        self._boto3 = _boto3_extractor()
        self._sdk_failed = False

    # -- per file, once ----------------------------------------------------------------------------
    def file_issues(self, mod: Module) -> tuple[CodeIssue, ...]:
        if mod.path not in self._issues:
            self._issues[mod.path] = numbered(checks.issues(mod))
        return self._issues[mod.path]

    def sdk_calls(self, mod: Module) -> tuple[SdkCall, ...]:
        if mod.path not in self._sdk:
            calls: tuple[SdkCall, ...] = ()
            if self._boto3 is not None:
                try:
                    calls = tuple(self._boto3(mod.tree, mod.rel))
                except Exception as exc:  # noqa: BLE001 - another part's extractor must not stop the scan
                    if not self._sdk_failed:
                        self.diagnostics.append(Diagnostic(mod.rel, Level.WARNING, "code-sdk-error",
                                                           f"SDK calls not extracted: {type(exc).__name__}: {exc}"))
                    self._sdk_failed = True
            self._sdk[mod.path] = calls
        return self._sdk[mod.path]

    # -- per function -------------------------------------------------------------------------------
    def program(self, resolved: ResolvedCode) -> Program:
        key = resolved.search_path or (resolved.root,)
        if key not in self.programs:
            self.programs[key] = Program(self.cache, key, self.root)
        return self.programs[key]

    def entry_module(self, resolved: ResolvedCode) -> Module | None:
        if resolved.entry is not None:
            return self.cache.module(resolved.entry)
        if resolved.inline is not None:
            return self.cache.inline(f"{resolved.function.doc}/{resolved.function.logical_id}", resolved.inline,
                                     resolved.inline_doc, resolved.inline_line)
        return None

    def reachable(self, entry: Module, program: Program) -> list[Module]:
        """The entry module and every module of the package it imports, transitively (bounded)."""
        seen: dict[Path, Module] = {entry.path: entry}
        queue = deque([entry])
        while queue and len(seen) < MAX_MODULES:
            mod = queue.popleft()
            for ref in mod.info.import_refs:
                for candidate in (program.module_named(ref, mod), program.submodule(ref, mod)):
                    if candidate is not None and candidate.path not in seen:
                        seen[candidate.path] = candidate
                        queue.append(candidate)
        return list(seen.values())

    def analyze(self, resolved: ResolvedCode, sources: EventSources, sync: bool) -> FunctionCode:
        """Everything about one Python function. ``sync`` says whether the caller sees the return value."""
        function = resolved.function
        program = self.program(resolved)
        entry = self.entry_module(resolved)
        if entry is None:
            reason = Unknown("the handler file cannot be parsed")
            return FunctionCode(function, Language.PYTHON, reason)
        modules = self.reachable(entry, program)
        found_entry = program.entry(entry, resolved.handler_name)
        handler_ref, wrappers = found_entry if found_entry is not None else (None, ())
        flows: list[TaintFlow] = []
        issues: list[CodeIssue] = []
        handler: SourceLocation | Unknown
        if handler_ref is None:
            handler = Unknown(f"no function {resolved.handler_name} in {entry.rel}")
            if resolved.entry is not None:  # inline code in a template is often a placeholder
                self.diagnostics.append(Diagnostic(entry.rel, Level.WARNING, "code-handler-missing",
                                                   f"{function.logical_id}: the handler {resolved.handler_name} is "
                                                   f"not defined in {entry.rel}"))
        else:
            handler = handler_ref.module.loc(handler_ref.node)
            flows, issues = self._taint(program, handler_ref, wrappers, sources, sync)
        found = [issue for mod in modules for issue in self.file_issues(mod)]
        if handler_ref is not None and any(i.kind in REACH_DEPENDENT for i in found):  # rare: skip the walk
            spans = (Span(mod.rel, node.lineno, node.end_lineno or node.lineno, (mod.path, node.name, node.lineno))
                     for mod in modules for node in mod.info.functions.values())
            reached = reach(program.calls, [handler_ref.key, *(w.key for w in wrappers),
                                            *_used_at_module_level(modules)])
            found = reachable_issues(found, spans, reached)
        issues.extend(found)
        sdk = tuple(call for mod in modules for call in self.sdk_calls(mod))
        imports = frozenset(self._external_imports(modules, program, resolved.root))
        import_paths = frozenset(name for mod in modules for name in (*mod.info.imported_modules,
                                                                     *mod.info.imported_names)
                                 if name.split(".", 1)[0] in imports)
        files = tuple(sorted({m.rel for m in modules}))
        return FunctionCode(function, Language.PYTHON, handler, files, imports, tuple(flows), sdk,
                            tuple(_dedupe_issues(issues)), import_paths=import_paths)

    def _external_imports(self, modules: list[Module], program: Program, own: Path) -> set[str]:
        """The packages the code imports: modules not in the deployed code, or found in a layer (outside the
        function's own directory: a dependency the layer ships, whose advisories then concern the function)."""
        out: set[str] = set()
        for mod in modules:
            for name in mod.info.imported_modules:
                top = name.split(".", 1)[0]
                if not top:
                    continue
                found = self.cache.find(top, program.search_path)
                in_layer = found is not None and own not in found.parents
                if in_layer or (found is None and self.cache.find(top, (), mod.path, 1) is None):
                    out.add(top)
        return out

    def _taint(self, program: Program, handler: FunctionRef, wrappers: tuple[FunctionRef, ...],
               sources: EventSources, sync: bool) -> tuple[list[TaintFlow], list[CodeIssue]]:
        summary = wrapped_by(program.summary(handler), map(program.summary, wrappers))
        params = [a.arg for a in (*handler.node.args.posonlyargs, *handler.node.args.args)]
        event_name = params[0] if params else "event"
        start = FlowStep(handler.module.loc(handler.node), f"{event_name}: the event the trigger delivers")
        return handler_facts(summary, sources, start, event_name, render_path, lambda dep: _leak(dep, handler),
                             sync=sync, lead_with_start=False)


def _leak(dep: Dep, handler: FunctionRef) -> CodeIssue:
    location = dep.steps[-1].location if dep.steps else handler.module.loc(handler.node)
    return CodeIssue(IssueKind.ERROR_LEAK, location,
                     f"The handler {handler.node.name} returns exception details to its caller: error messages "
                     f"and stack traces tell an attacker about the code, its libraries and its data",
                     evidence=f"{handler.node.name}|{dep.steps[-1].label if dep.steps else ''}", steps=dep.steps)


def _used_at_module_level(modules: list[Module]) -> list[tuple[Path, str, int]]:
    """Module-level functions that code run at import names (``CLAIMS = decode(TOKEN)``): reached on import."""
    out: list[tuple[Path, str, int]] = []
    for mod in modules:
        names = {n.id for stmt in mod.tree.body if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                         ast.ClassDef))
                 for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        out.extend((mod.path, fn.name, fn.lineno) for name, fn in mod.info.functions.items() if name in names)
    return out


def _dedupe_issues(issues: list[CodeIssue]) -> list[CodeIssue]:
    seen: set[tuple[IssueKind, SourceLocation, str]] = set()
    out: list[CodeIssue] = []
    for issue in issues:
        key = (issue.kind, issue.location, issue.evidence)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


__all__ = ["Confidence", "PythonAnalyzer", "inside", "render_path"]
