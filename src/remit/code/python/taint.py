"""Taint analysis of Python handlers with :mod:`ast`: event data to dangerous sinks, across functions and files.

The analysis is a forward abstract interpretation of each function, flow-sensitive within straight-line
code and merging at branches (loops run twice). Values are sets of :class:`Dep` s: "depends on parameter
*i*, at access path *p*" (``event["Records"][*]["body"]``), with the steps that carried it there and the sink
kinds a sanitizer has already made it safe for. The handler's ``event`` is parameter 0; the event sources of
the function's triggers (:mod:`remit.code.sources`) decide at the end which access paths are attacker data.

Each function is summarised once, independent of its callers (:class:`Summary`: which parameters at which
paths reach which sinks, and which reach the return value); a call to a function of the same package — in
the same file or another one, through ``import`` / ``from ... import`` / relative imports / ``self.method`` —
instantiates the callee's summary with the caller's arguments. Summaries are memoised per scan (functions
that share a ``CodeUri`` share them), recursion is cut, and the call depth is bounded.

Exception text is tracked the same way, as parameter ``-1``: an ``except ... as exc`` binds it, and a handler
that returns it reports an error leak. Writes of event data into module-level containers, ``global`` names
or files under ``/tmp`` are an engine-internal sink (``persistence``).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from remit.code.facts import SinkKind
from remit.code.lattice import (
    EMPTY,
    EXCEPTION,
    MAX_PATH,
    NO_SUMMARY,
    Dep,
    SinkHit,
    Summary,
    Value,
    add_step,
    cap,
    clear,
    compose,
    derived,
    joined_prefix,
    union,
)
from remit.code.python import catalog as cat
from remit.code.python import expressions, sinks, statements
from remit.code.python.modules import ImportRef, Module, ParseCache, nodes
from remit.code.python.syntax import keyword, label_of, literal
from remit.code.resolve import inside
from remit.findings import FlowStep
from remit.source import SourceLocation

MAX_HITS = 200
MAX_DEPTH = 12

_URL_WITH_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}]+[/?#]")
_LOCAL_PATH = re.compile(r"^/[A-Za-z0-9_.-]+/")



# ------------------------------------------------------------------------------------------------
# the program: modules, name resolution, summaries


@dataclass(frozen=True, slots=True)
class FunctionRef:
    module: Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: ast.ClassDef | None = None

    @property
    def key(self) -> tuple[Path, str, int]:
        return self.module.path, self.node.name, self.node.lineno


@dataclass
class Program:
    """Everything one deployed package's analysis shares: parsed modules, summaries, the search path."""

    cache: ParseCache
    search_path: tuple[Path, ...]
    root: Path
    summaries: dict[tuple[Path, str, int], Summary] = field(default_factory=dict)
    active: list[tuple[Path, str, int]] = field(default_factory=list)
    calls: dict[tuple[Path, str, int], set[tuple[Path, str, int]]] = field(default_factory=dict)  # caller -> callees
    visited: dict[Path, Module] = field(default_factory=dict)
    truncated: bool = False

    def module_named(self, ref: ImportRef, importer: Module) -> Module | None:
        if importer.path.parts[:1] == ("<inline>",):
            return None
        path = self.cache.find(ref.module, self.search_path, importer.path, ref.level)
        if path is None or not inside(path, self.root):
            return None
        mod = self.cache.module(path)
        if mod is not None:
            self.visited.setdefault(path, mod)
        return mod

    def submodule(self, ref: ImportRef, importer: Module) -> Module | None:
        """``from pkg import mod`` where ``mod`` is a module rather than a name defined in ``pkg``."""
        if ref.attr is None:
            return None
        dotted = f"{ref.module}.{ref.attr}" if ref.module else ref.attr
        return self.module_named(ImportRef(dotted, None, ref.level), importer)

    def function_in(self, mod: Module, name: str, hops: int = 0) -> FunctionRef | None:
        info = mod.info
        if name in info.functions:
            return FunctionRef(mod, info.functions[name])
        ref = info.imports.get(name)
        if ref is not None and ref.attr is not None and hops < 3:
            target = self.module_named(ImportRef(ref.module, None, ref.level), mod)
            if target is not None:
                return self.function_in(target, ref.attr, hops + 1)
        return None

    def entry(self, mod: Module, name: str) -> tuple[FunctionRef, tuple[FunctionRef, ...]] | None:
        """The function that handles the event for the handler ``name``, and the wrapper functions around it.

        ``handler = with_errors(process)`` (a wrapper or factory, from this package or a library such as
        middy-style helpers) handles the event in ``process``; ``@with_errors`` on a ``def`` wraps it the same
        way. A wrapper defined in the package contributes the nested function it returns: what that function
        returns (an error body built from the exception) is what the caller sees.
        """
        ref = self.function_in(mod, name)
        if ref is not None:
            wrappers = [w for dec in ref.node.decorator_list for w in self.wrapper_bodies(mod, dec)]
            return ref, tuple(wrappers)
        value = mod.info.assigned.get(name)
        wrappers = []
        for _ in range(4):  # handler = a(b(process))
            if not (isinstance(value, ast.Call) and value.args):
                return None
            wrappers.extend(self.wrapper_bodies(mod, value.func))
            inner = value.args[0]
            if isinstance(inner, ast.Name):
                found = self.function_in(mod, inner.id)
                if found is not None:
                    return found, tuple(wrappers)
                value = mod.info.assigned.get(inner.id)
            else:
                value = inner
        return None

    def wrapper_bodies(self, mod: Module, factory: ast.expr) -> list[FunctionRef]:
        """The nested functions a wrapper defined in the package returns (one level of decorator arguments:
        ``@with_errors(status=500)`` returns a decorator that returns the wrapper)."""
        if isinstance(factory, ast.Call):
            factory = factory.func
            levels = 2
        else:
            levels = 1
        ref: FunctionRef | None = None
        if isinstance(factory, ast.Name):
            ref = self.function_in(mod, factory.id)
        elif isinstance(factory, ast.Attribute) and isinstance(factory.value, ast.Name):
            imported = mod.info.imports.get(factory.value.id)
            if imported is not None:
                dotted = f"{imported.module}.{imported.attr}" if imported.attr else imported.module
                target = self.module_named(ImportRef(dotted, None, imported.level), mod)
                ref = self.function_in(target, factory.attr) if target is not None else None
        found: list[FunctionRef] = []
        current = [ref] if ref is not None else []
        for _ in range(levels):
            nested = [FunctionRef(r.module, n) for r in current for n in _returned_functions(r.node)]
            found = nested
            current = nested
        return found

    def summary(self, ref: FunctionRef) -> Summary:
        key = ref.key
        if self.active:  # a call edge, for what each handler reaches (remit.code.reach)
            self.calls.setdefault(self.active[-1], set()).add(key)
        if key in self.summaries:
            return self.summaries[key]
        if key in self.active or len(self.active) >= MAX_DEPTH:
            self.truncated = self.truncated or len(self.active) >= MAX_DEPTH
            return NO_SUMMARY  # recursion or a very deep chain: cut here
        self.active.append(key)
        try:
            found = FunctionAnalyzer(self, ref).run()
        finally:
            self.active.pop()
        self.summaries[key] = found
        return found


# ------------------------------------------------------------------------------------------------
# one function


class FunctionAnalyzer:
    def __init__(self, program: Program, ref: FunctionRef) -> None:
        self.program = program
        self.ref = ref
        self.mod = ref.module
        self.info = ref.module.info
        self.env: dict[str, Value] = {}
        self.kinds: dict[str, str] = {}  # variable -> qualified name of what made it ("requests.Session")
        self.prefixes: dict[str, str] = {}  # variable -> known leading text
        self.local_imports: dict[str, ImportRef] = {}
        self.local_defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.globals: set[str] = set()
        self.returns: Value = EMPTY
        self.hits: list[SinkHit] = []
        self.params: list[str] = []

    # -- entry ------------------------------------------------------------------------------------
    def run(self) -> Summary:
        args = self.ref.node.args
        names = [a.arg for a in (*args.posonlyargs, *args.args)]
        if self.ref.cls is not None and names and not any(
                isinstance(d, ast.Name) and d.id == "staticmethod" for d in self.ref.node.decorator_list):
            names = names[1:]  # self / cls
            self.env["self"] = EMPTY
        self.params = names
        for i, name in enumerate(names):
            self.env[name] = (Dep(i, (), False, ()),)
        for i, kw in enumerate(args.kwonlyargs):
            self.env[kw.arg] = (Dep(len(names) + i, (), False, ()),)
            self.params.append(kw.arg)
        self.block(self.ref.node.body)
        return Summary(self.returns, tuple(self.hits[:MAX_HITS]))

    # -- helpers ------------------------------------------------------------------------------------
    def loc(self, node: ast.AST) -> SourceLocation:
        return self.mod.loc(node)

    def step(self, node: ast.AST, text: str) -> FlowStep:
        return FlowStep(self.loc(node), text)

    def sink(self, kind: str, callee: str, node: ast.AST, value: Value) -> None:
        for dep in value:
            if kind in dep.cleared or dep.param == EXCEPTION:
                continue
            self.hits.append(SinkHit(kind, callee, self.loc(node), dep, label_of(node)))

    # -- statements ---------------------------------------------------------------------------------
    def block(self, body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        statements.run(self, node)

    def merge(self, other: dict[str, Value]) -> None:
        for name, value in other.items():
            self.env[name] = union(self.env.get(name, EMPTY), value)

    def bind(self, target: ast.expr, value: Value, source: ast.expr, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            name = target.id
            if value:  # a step only shows on a flow: an untainted name carries none, and needs no label
                arrow = "←" if isinstance(stmt, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)) else "="
                self.env[name] = add_step(value, self.step(stmt, f"{name} {arrow} {label_of(source)}"))
            else:
                self.env[name] = EMPTY
            prefix = self.prefix(source) if not isinstance(stmt, (ast.For, ast.AsyncFor)) else None
            if prefix is not None:
                self.prefixes[name] = prefix
            else:
                self.prefixes.pop(name, None)
            kind = self.kind_of(source, stmt) or self.alias_of(source)
            if kind:
                self.kinds[name] = kind
            else:
                self.kinds.pop(name, None)
            if value and name in self.globals:
                self.sink(cat.PERSIST, f"global {name}", stmt, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                inner = element.value if isinstance(element, ast.Starred) else element
                self.bind(inner, value, source, stmt)
        elif isinstance(target, ast.Subscript):
            key_value = self.expr(target.slice)
            base = target.value
            stored = union(value, derived(key_value))
            if isinstance(base, ast.Name):
                name = base.id
                if self.is_module_state(name) and stored:
                    self.sink(cat.PERSIST, f"module-level {name}", stmt, add_step(stored, self.step(stmt,
                                                                                                  label_of(stmt))))
                elif name in self.env:
                    self.env[name] = union(self.env[name], derived(stored))
            else:
                self.expr(base)
        elif isinstance(target, ast.Attribute):
            base = target.value
            if isinstance(base, ast.Name) and base.id in self.env and base.id != "self":
                self.env[base.id] = union(self.env[base.id], derived(value))
        elif isinstance(target, ast.Starred):
            self.bind(target.value, value, source, stmt)

    def is_module_state(self, name: str) -> bool:
        return name not in self.env and name in self.info.mutable

    # -- guards (sanitising conditions) ---------------------------------------------------------------
    def branch(self, node: ast.If) -> None:
        self.expr(node.test)
        guard = self.guard(node.test)
        before = dict(self.env)
        if guard is not None and not guard[2]:
            self.refine(guard)
        self.block(node.body)
        body_env, body_ends = self.env, _terminates(node.body)
        self.env = dict(before)
        if guard is not None and guard[2]:
            self.refine(guard)
        self.block(node.orelse)
        else_env, else_ends = self.env, bool(node.orelse) and _terminates(node.orelse)
        if body_ends and not else_ends:
            self.env = else_env
        elif else_ends and not body_ends:
            self.env = body_env
        else:
            self.env = body_env
            self.merge(else_env)

    def refine(self, guard: tuple[str, frozenset[str], bool]) -> None:
        name, kinds, _ = guard
        if name in self.env:
            self.env[name] = clear(self.env[name], kinds)

    def guard(self, test: ast.expr) -> tuple[str, frozenset[str], bool] | None:
        """(variable, sink kinds it is safe for, negated) when ``test`` checks a variable against an
        allow-list, a pattern or a type; ``negated`` when the safe branch is the else branch."""
        negated = False
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negated = test.operand, not negated
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name):
            op = test.ops[0]
            if isinstance(op, (ast.In, ast.NotIn)) and self.constant_collection(test.comparators[0]):
                return test.left.id, frozenset({cat.ALL}), negated ^ isinstance(op, ast.NotIn)
            if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(test.comparators[0], ast.Constant):
                return test.left.id, frozenset({cat.ALL}), negated ^ isinstance(op, ast.NotEq)
        if isinstance(test, ast.Call):
            func = test.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if func.attr in ("isdigit", "isalnum", "isnumeric", "isdecimal", "isidentifier", "isalpha"):
                    return func.value.id, frozenset({cat.ALL}), negated
                if func.attr == "startswith" and test.args and self.prefix(test.args[0]):
                    return func.value.id, frozenset({SinkKind.PATH.value, SinkKind.SSRF.value,
                                                     SinkKind.REDIRECT.value}), negated
            qual = self.qualify(func) or ""
            pattern_call = qual in ("re.fullmatch", "re.match") or (
                isinstance(func, ast.Attribute) and func.attr in ("fullmatch", "match"))
            if pattern_call:
                subject = test.args[1] if qual in ("re.fullmatch", "re.match") and len(test.args) > 1 else \
                    test.args[0] if test.args and qual not in ("re.fullmatch", "re.match") else None
                anchored = qual.endswith("fullmatch") or (isinstance(func, ast.Attribute) and
                                                         func.attr == "fullmatch")
                pattern = literal(test.args[0]) if qual in ("re.fullmatch", "re.match") and test.args else None
                if pattern is not None and pattern.endswith(("$", "\\Z")):
                    anchored = True
                if not anchored and isinstance(func, ast.Attribute) and func.attr == "match":
                    anchored = True  # a compiled pattern: remit cannot see it, trust the author's check
                if isinstance(subject, ast.Name) and anchored:
                    return subject.id, frozenset({cat.ALL}), negated
            if qual == "isinstance" and len(test.args) == 2 and isinstance(test.args[0], ast.Name):
                kinds = test.args[1]
                names = {label_of(e) for e in (kinds.elts if isinstance(kinds, ast.Tuple) else [kinds])}
                if names <= {"int", "float", "bool"}:
                    return test.args[0].id, frozenset({cat.ALL}), negated
        return None

    def constant_collection(self, node: ast.expr) -> bool:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(isinstance(e, ast.Constant) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(isinstance(k, ast.Constant) for k in node.keys if k is not None)
        if isinstance(node, ast.Name) and node.id not in self.env:
            value = self.info.assigned.get(node.id)
            return value is not None and (self.constant_collection(value) or (
                isinstance(value, ast.Call) and _is_frozen_literal(value)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "keys":
            return self.constant_collection(node.func.value)
        return False

    # -- expressions -----------------------------------------------------------------------------------
    def expr(self, node: ast.expr | None) -> Value:
        return expressions.evaluate(self, node)

    def subscript(self, base: Value, key: str, node: ast.AST | None, where: ast.AST | None) -> Value:
        out: list[Dep] = []
        for d in base:
            if d.derived or d.param == EXCEPTION:
                out.append(d)
                continue
            extended = replace(d, path=((*d.path, key))[:MAX_PATH])
            if where is not None and node is not None:
                extended = add_step((extended,), self.step(where, label_of(node)))[0]
            out.append(extended)
        return tuple(out)

    def built(self, node: ast.expr, value: Value) -> Value:
        """A string built from parts: a fixed scheme and host in front keeps the URL's destination fixed."""
        prefix = self.prefix(node) or ""
        kinds: set[str] = set()
        if _URL_WITH_HOST.match(prefix):
            kinds |= {SinkKind.SSRF.value, SinkKind.REDIRECT.value}
        if _LOCAL_PATH.match(prefix) or prefix.startswith("/tmp/"):
            kinds |= {SinkKind.SSRF.value, SinkKind.REDIRECT.value}
        return tuple(replace(d, cleared=d.cleared | kinds) for d in value) if kinds else value

    def prefix(self, node: ast.expr | None) -> str | None:
        """The text a string expression certainly starts with, when known."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return self.fstring_prefix(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            left = self.prefix(node.left)
            if left is None:
                return None
            return left.split("%", 1)[0] if isinstance(node.op, ast.Mod) else left
        if isinstance(node, ast.Name):
            if node.id in self.prefixes:
                return self.prefixes[node.id]
            if node.id not in self.env:
                value = self.info.assigned.get(node.id)
                return self.prefix(value) if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp)) else None
            return None
        if isinstance(node, ast.Call):
            return self.call_prefix(node)
        return None

    def fstring_prefix(self, node: ast.JoinedStr) -> str:
        """The known start of an f-string: its text up to the first part whose value is not a constant."""
        out = ""
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out += part.value
                continue
            if isinstance(part, ast.FormattedValue):
                inner = self.prefix(part.value) if part.format_spec is None else None
                if inner is not None:
                    out += inner
                    if inner and not self.expr_is_constant(part.value):
                        return out
                    continue
            return out
        return out

    def call_prefix(self, node: ast.Call) -> str | None:
        """The known start of text a call builds: ``"{}/x".format``, ``"".join([...])``, ``os.path.join``."""
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            base = self.prefix(func.value)
            return base.split("{", 1)[0] if base is not None else None
        if isinstance(func, ast.Attribute) and func.attr == "join" and len(node.args) == 1 and \
                isinstance(node.args[0], (ast.List, ast.Tuple)):
            separator = self.prefix(func.value)
            if separator is not None and self.expr_is_constant(func.value):
                return joined_prefix(((self.prefix(e), self.expr_is_constant(e)) for e in node.args[0].elts),
                                     separator)
        qual = self.qualify(func)
        if qual == "os.path.join" and node.args:
            first = self.prefix(node.args[0])
            return first.rstrip("/") + "/" if first else None
        return None

    def expr_is_constant(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id not in self.env
                                                  and node.id in self.info.assigned)

    # -- names -----------------------------------------------------------------------------------------
    def import_ref(self, name: str) -> ImportRef | None:
        if name in self.env or name in self.local_defs:
            return None
        return self.local_imports.get(name) or self.info.imports.get(name)

    def qualify(self, node: ast.expr) -> str | None:
        """The dotted name a callee or object resolves to through imports and known object kinds."""
        if isinstance(node, ast.Name):
            if node.id in self.kinds:
                return self.kinds[node.id]
            ref = self.import_ref(node.id)
            if ref is not None:
                base = ref.module if ref.level == 0 else ""
                return f"{base}.{ref.attr}" if ref.attr and base else (ref.attr or base)
            if node.id not in self.env and node.id in self.info.assigned and node.id not in self.info.functions:
                value = self.info.assigned[node.id]
                if isinstance(value, ast.Call):
                    return self.kind_of(value, None)
                return self.alias_of(value) or node.id
            return node.id
        if isinstance(node, ast.Attribute):
            owner = self.qualify(node.value)
            return f"{owner}.{node.attr}" if owner else None
        if isinstance(node, ast.Call):
            return self.kind_of(node, None)
        return None

    def alias_of(self, node: ast.expr) -> str | None:
        """The imported callable a name is another name for: ``run = os.system``, ``from subprocess import
        run as sh; call = sh``."""
        if isinstance(node, (ast.Name, ast.Attribute)) and self.import_ref(_root_name(node)) is not None:
            return self.qualify(node)
        return None

    @functools.cached_property
    def removed(self) -> frozenset[str]:
        """The paths (as written) this function deletes: ``os.remove(path)``, ``os.unlink``, ``shutil.rmtree``,
        ``Path(...).unlink()``. A /tmp file written and removed in one invocation does not outlive it."""
        out: set[str] = set()
        for call in nodes(self.ref.node):
            if not isinstance(call, ast.Call):
                continue
            if isinstance(call.func, ast.Attribute) and call.func.attr == "unlink" and not call.args:
                out.add(ast.unparse(call.func.value))
            elif call.args and self.qualify(call.func) in cat.REMOVERS:
                out.add(ast.unparse(call.args[0]))
        return frozenset(out)

    def kind_of(self, node: ast.expr, stmt: ast.stmt | None) -> str | None:
        """What an expression makes: ``requests.Session`` for ``requests.Session()``, ``tmpfile`` for a file
        opened for writing under /tmp, ``lxml.etree.XMLParser`` with ``!unsafe`` (``resolve_entities=True``),
        ``!safe`` (``False`` / ``"internal"``) or ``!default`` (lxml's default, which depends on its version)."""
        if not isinstance(node, ast.Call):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                return self.kind_of(node.left, stmt)
            if isinstance(node, ast.Name):
                if node.id in self.kinds:
                    return self.kinds[node.id]
                value = self.info.assigned.get(node.id) if node.id not in self.env else None
                return self.kind_of(value, stmt) if isinstance(value, ast.Call) else None
            return None
        qual = self.qualify(node.func)
        if qual is None:
            return None
        if qual in cat.OPEN:
            mode = literal(node.args[1]) if len(node.args) > 1 else literal(keyword(node, "mode"))
            path = self.prefix(node.args[0]) if node.args else None
            if mode and any(c in mode for c in "wax") and path is not None and path.startswith("/tmp") and \
                    ast.unparse(node.args[0]) not in self.removed:
                return "tmpfile"  # kept for the next invocation (a file removed in this one is not)
            return "file"
        if qual in cat.LXML_PARSER:
            resolve = keyword(node, "resolve_entities")
            unsafe = isinstance(resolve, ast.Constant) and resolve.value is True
            safe = isinstance(resolve, ast.Constant) and resolve.value in (False, "internal")
            return qual + ("!unsafe" if unsafe else "!safe" if safe else "!default")
        if qual.startswith(("pathlib.Path", "pathlib.PurePath")):
            return "pathlib.Path"
        return qual

    def local_function(self, func: ast.expr) -> FunctionRef | None:
        if isinstance(func, ast.Name):
            name = func.id
            if name in self.env:
                return None
            if name in self.local_defs:
                return FunctionRef(self.mod, self.local_defs[name])
            if name in self.info.functions:
                return FunctionRef(self.mod, self.info.functions[name])
            ref = self.local_imports.get(name) or self.info.imports.get(name)
            if ref is not None and ref.attr is not None:
                target = self.program.module_named(ImportRef(ref.module, None, ref.level), self.mod)
                if target is not None:
                    return self.program.function_in(target, ref.attr)
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if owner == "self" and self.ref.cls is not None:
                for item in self.ref.cls.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == func.attr:
                        return FunctionRef(self.mod, item, self.ref.cls)
                return None
            if owner in self.info.classes and owner not in self.env:
                for item in self.info.classes[owner].body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == func.attr:
                        return FunctionRef(self.mod, item, self.info.classes[owner])
                return None
            ref = self.import_ref(owner)
            if ref is None:
                return None
            target = (self.program.submodule(ref, self.mod) if ref.attr is not None
                      else self.program.module_named(ref, self.mod))
            if target is not None:
                return self.program.function_in(target, func.attr)
        return None

    # -- calls -----------------------------------------------------------------------------------------
    def call(self, node: ast.Call) -> Value:
        func = node.func
        receiver = self.expr(func.value) if isinstance(func, ast.Attribute) else EMPTY
        args = [self.expr(a) for a in node.args]
        kwargs = {kw.arg: self.expr(kw.value) for kw in node.keywords if kw.arg is not None}
        splat = union(*(self.expr(kw.value) for kw in node.keywords if kw.arg is None))
        qual = self.qualify(func) or ""
        method = func.attr if isinstance(func, ast.Attribute) else ""
        sinks.match(self, sinks.Call(node, qual, method, args, kwargs, receiver))

        if qual in cat.TRACEBACKS:
            return (Dep(EXCEPTION, (), True, (self.step(node, label_of(node)),)),)
        if qual in cat.SANITIZERS:
            everything = union(*args, *kwargs.values(), receiver)
            return clear(derived(everything), cat.SANITIZERS[qual])
        ref = self.local_function(func)
        if ref is not None:
            return self.instantiate(ref, node, args, kwargs)
        if method == "get" and receiver and node.args:
            key = literal(node.args[0])
            default = args[1] if len(args) > 1 else EMPTY
            return union(self.subscript(receiver, key if key is not None else "*", node, node), default)
        if method in ("items", "values", "keys", "pop", "popitem") and receiver:
            key = literal(node.args[0]) if method == "pop" and node.args else None
            return self.subscript(receiver, key or "*", node, node)
        if method in cat.NON_PROPAGATING_METHODS:
            return EMPTY
        if qual.startswith(cat.OPAQUE_PREFIXES):
            return EMPTY
        if qual in cat.REQUEST_OBJECTS:  # a request to send later: its body does not decide where it goes
            if qual in cat.SSRF_URL_FIRST:
                return EMPTY  # its URL was judged here, where the destination is chosen: sending it adds nothing
            index, keyword = cat.REQUEST_OBJECTS[qual]
            return derived(args[index] if len(args) > index else kwargs.get(keyword, EMPTY))
        everything = union(*args, *kwargs.values(), splat)
        if receiver:
            return derived(union(receiver, everything))
        if method and method not in cat.ARGUMENT_METHODS and not self.import_ref(_root_name(func)):
            return EMPTY  # a method of an object remit cannot type (a client, a table): returns its own data
        return derived(everything)

    def instantiate(self, ref: FunctionRef, node: ast.Call, args: list[Value], kwargs: dict[str, Value]) -> Value:
        summary = self.program.summary(ref)
        params = _param_names(ref)
        bound: dict[int, Value] = {}
        for i, value in enumerate(args):
            if i < len(params):
                bound[i] = value
        for name, value in kwargs.items():
            if name in params:
                bound[params.index(name)] = value
        call_step = self.step(node, f"calls {label_of(node)}")
        for hit in summary.hits:
            for outer in bound.get(hit.dep.param, EMPTY):
                if hit.kind in outer.cleared or outer.param == EXCEPTION:
                    continue
                self.hits.append(SinkHit(hit.kind, hit.callee, hit.location, compose(outer, hit.dep, call_step),
                                         hit.text))
        out: list[Dep] = []
        for dep in summary.returns:
            if dep.param == EXCEPTION:
                out.append(replace(dep, steps=cap((*dep.steps, call_step))))
                continue
            out.extend(compose(outer, dep, call_step) for outer in bound.get(dep.param, EMPTY))
        return union(out)


def _returned_functions(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions defined in ``node``'s body that it returns by name."""
    defs = {child.name: child for child in node.body if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return [defs[stmt.value.id] for stmt in ast.walk(node) if isinstance(stmt, ast.Return)
            and isinstance(stmt.value, ast.Name) and stmt.value.id in defs]


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _param_names(ref: FunctionRef) -> list[str]:
    args = ref.node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if ref.cls is not None and names and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in ref.node.decorator_list):
        names = names[1:]
    return names + [a.arg for a in args.kwonlyargs]


def _terminates(body: Sequence[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _is_frozen_literal(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple") and bool(node.args) \
        and isinstance(node.args[0], (ast.List, ast.Tuple, ast.Set)) \
        and all(isinstance(e, ast.Constant) for e in node.args[0].elts)
