"""Taint analysis of JavaScript / TypeScript handlers on tree-sitter trees: event data to sinks, across files.

The same model as the Python analysis, on another tree: a forward abstract interpretation of each function,
flow-sensitive within straight-line code, merging at branches (loop bodies run twice). A value is a set of
:class:`Dep` s, "parameter *i* at access path *p*" (``event.Records[*].body``), with the steps that carried
it and the sink kinds a sanitizer made it safe for. The handler's event is parameter 0; the function's
event sources decide at the end which paths are attacker data.

Each function gets one :class:`Summary` (which parameter paths reach which sinks and the return value);
a call to a function of the package — same file, a nested function, ``require("./x")`` / ``import`` of a
relative module, CommonJS and ESM exports — instantiates the callee's summary. Callbacks written inline
(``records.map(r => ...)``, ``.then(x => ...)``) are analysed in place, so they see the enclosing
variables. Recursion is cut and depth bounded.

Exception text (a ``catch (err)`` binding) is parameter ``-1``; writes of event data to module-level state or
to files under ``/tmp`` are the engine-internal sink ``persistence``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from remit.code.facts import SinkKind
from remit.code.javascript import catalog as cat
from remit.code.javascript import expressions, sinks, statements
from remit.code.javascript.expressions import WRAPPER_TARGETS
from remit.code.javascript.parse import (
    FUNCTION_TYPES,
    ImportRef,
    JsModule,
    ParseCache,
    find_relative,
    normal_module,
    prop_key,
    required,
    string_value,
    unwrap,
    walk,
    wrapped,
)
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
from remit.code.resolve import inside
from remit.findings import FlowStep
from remit.source import SourceLocation

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_HITS = 200
MAX_DEPTH = 12
LABEL_WIDTH = 80

_URL_WITH_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}$]+[/?#]")
_LOCAL_PATH = re.compile(r"^/[A-Za-z0-9_.-]+/")
_ARRAY_ELEMENT = frozenset({"map", "forEach", "filter", "find", "some", "every", "flatMap", "reduce", "findLast"})
_TERMINATORS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})


def render_path(path: tuple[str, ...], name: str = "event") -> str:
    out = name
    for key in path:
        out += "[*]" if key == "*" else f".{key}" if re.fullmatch(r"[A-Za-z_$][\w$]*", key) else f"[{key!r}]"
    return out


# ------------------------------------------------------------------------------------------------
# the program


@dataclass(frozen=True, slots=True)
class FunctionRef:
    module: JsModule
    node: Node

    @property
    def key(self) -> tuple[Path, int, int]:
        return self.module.path, self.node.start_byte, self.node.end_byte


#: a handler function and the factories written around it, each with the module it is written in
_Export = tuple[FunctionRef, tuple[tuple[JsModule, "Node"], ...]]


@dataclass
class Program:
    """One deployed package: parsed modules (shared cache), summaries, the files the analysis followed."""

    cache: ParseCache
    root: Path
    summaries: dict[tuple[Path, int, int], Summary] = field(default_factory=dict)
    active: list[tuple[Path, int, int]] = field(default_factory=list)
    calls: dict[tuple[Path, int, int], set[tuple[Path, int, int]]] = field(default_factory=dict)  # caller -> callees
    visited: dict[Path, JsModule] = field(default_factory=dict)
    middleware: dict[tuple[Path, int, int], Summary] = field(default_factory=dict)  # onError -> its error bodies
    yaml_unsafe: bool = False  # the package depends on js-yaml < 4, whose load() runs !!js/function tags

    def relative(self, specifier: str, importer: JsModule) -> JsModule | None:
        if importer.path.parts[:1] == ("<inline>",):
            return None
        path = find_relative(specifier, importer.path)
        if path is None:
            return None
        real = path.resolve()
        if not inside(real, self.root):
            return None
        mod = self.cache.module(real)
        if mod is not None:
            self.visited.setdefault(real, mod)
        return mod

    def exported(self, mod: JsModule, name: str, hops: int = 0) -> FunctionRef | None:
        """The function ``mod`` exports as ``name`` (``default`` for ``module.exports = fn``)."""
        found = self._export(mod, name, hops)
        return found[0] if found is not None else None

    def entry(self, mod: JsModule, name: str) -> tuple[FunctionRef, tuple[FunctionRef, ...]] | None:
        """The function that handles the event for the handler export ``name``, and the wrapper functions around
        it.

        ``export const handler = withErrors(process)`` or ``module.exports.handler = wrap(async (event) =>
        ...)`` (a wrapper or factory from this package or a library such as middy) handles the event in the
        function it is given. A wrapper defined in the package, in this module or another one, contributes the
        function it returns: what that function returns (an error body built from the caught error) is what
        the caller sees.
        """
        found = self._export(mod, name, 0)
        if found is None:
            return None
        ref, factories = found
        bodies = [self.middleware_errors(owner, factory) if _used(factory) else self.wrapper_bodies(owner, factory)
                  for owner, factory in factories]
        return ref, tuple(w for found_bodies in bodies for w in found_bodies)

    def middleware_errors(self, mod: JsModule, node: Node) -> list[FunctionRef]:
        """The ``onError`` of a middy middleware of the package (``.use(errorBody())``, ``.use({ onError })``):
        what it writes to ``request.response`` from ``request.error`` reaches the caller."""
        value = unwrap(node)
        owner: FunctionRef | None = None
        if value is not None and value.type == "identifier":
            value = unwrap(mod.constants.get(mod.text(value)))
        if value is not None and value.type == "call_expression":
            owner = self.callee(mod, value.child_by_field_name("function"))
            objects = returned_objects(owner.node) if owner is not None else []
        else:
            objects = [value] if value is not None else []
        home = owner.module if owner is not None else mod
        found: list[FunctionRef] = []
        for obj in objects:
            handler = _member_function(home, obj, "onError", owner.node if owner is not None else None)
            if handler is not None:
                found.append(FunctionRef(home, handler))
        for ref in found:
            if ref.key not in self.middleware:
                params = params_of(ref.node)
                name = home.text(params[0]) if params and params[0].type == "identifier" else None
                summary = FunctionAnalyzer(self, ref, name).run() if name is not None else NO_SUMMARY
                errors = tuple(replace(dep, param=EXCEPTION, path=(), derived=True) for dep in summary.returns
                               if dep.param == 0 and dep.path[:1] == ("error",))
                self.middleware[ref.key] = Summary(errors)
        return found

    def _export(self, mod: JsModule, name: str, hops: int) -> _Export | None:
        if hops > 4:
            return None
        own = tuple((mod, factory) for factory in mod.wrappers.get(name, ()))
        if name in mod.exports:
            return FunctionRef(mod, mod.exports[name]), own
        alias = mod.export_aliases.get(name)
        if alias is not None and "." in alias:
            method = self.method(mod, alias)
            return (method, own) if method is not None else None
        if alias is not None:
            found = self._local(mod, alias, hops)
            return (found[0], own + found[1]) if found is not None else None
        again = mod.reexports.get(name)
        if again is not None:
            if again.name is None and name != "*" and "*" not in mod.reexports:  # exports.x = require("./y")
                return self._imported(ImportRef(again.module, "default"), mod, hops + 1)
            return self._imported(again, mod, hops + 1)
        if name == "default":
            return None
        for source in mod.stars or [r.module for r in (mod.reexports.get("*"),) if r is not None]:
            found = self._imported(ImportRef(source, name), mod, hops + 1)  # export * from; module.exports = require
            if found is not None:
                return found
        return None

    def _local(self, mod: JsModule, name: str, hops: int) -> _Export | None:
        """What the top-level name ``name`` of ``mod`` holds: a function, an imported one, or a wrapped one
        (``const handler = withErrors(base)`` exported later by ``export { handler }``)."""
        if name in mod.functions:
            return FunctionRef(mod, mod.functions[name]), ()
        ref = mod.imports.get(name)
        if ref is not None:
            return self._imported(ref, mod, hops + 1)
        inner, factories = wrapped(mod, mod.constants.get(name))
        own = tuple((mod, factory) for factory in factories)
        if inner is None or not factories or hops > 4:
            return None
        if isinstance(inner, str):
            found = self.method(mod, inner) if "." in inner else None
            if found is not None:
                return found, own
            deeper = None if "." in inner else self._local(mod, inner, hops + 1)
            return (deeper[0], own + deeper[1]) if deeper is not None else None
        return FunctionRef(mod, inner), own

    def method(self, mod: JsModule, text: str) -> FunctionRef | None:
        """``instance.handle`` / ``new Lambda().handle`` / ``Lambda.handle``: a method of a class of ``mod``."""
        owner, _, name = text.rpartition(".")
        owner = owner.strip()
        match = re.fullmatch(r"\(?\s*new\s+([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*\)?", owner)
        cls = match.group(1) if match else owner
        if cls not in mod.classes:
            value = unwrap(mod.constants.get(owner))
            ctor = value.child_by_field_name("constructor") if value is not None and \
                value.type == "new_expression" else None
            cls = mod.text(ctor) if ctor is not None else cls
        found = mod.classes.get(cls, {}).get(name)
        return FunctionRef(mod, found) if found is not None else None

    def imported(self, ref: ImportRef, mod: JsModule, hops: int = 0) -> FunctionRef | None:
        found = self._imported(ref, mod, hops)
        return found[0] if found is not None else None

    def _imported(self, ref: ImportRef, mod: JsModule, hops: int) -> _Export | None:
        target = self.relative(ref.module, mod)
        if target is None:
            return None
        return self._export(target, ref.name or "default", hops)

    def callee(self, mod: JsModule, func: Node | None) -> FunctionRef | None:
        """The package's function a callee written at the top level of ``mod`` names: one of the module
        (``exports.f`` too), or one imported from a relative module (``f`` of ``import { f } from "./x"``,
        ``x.f`` of ``const x = require("./x")``, ``require("./x").f``)."""
        func = unwrap(func)
        if func is None:
            return None
        if func.type == "identifier":
            name = mod.text(func)
            if name in mod.functions:
                return FunctionRef(mod, mod.functions[name])
            ref = mod.imports.get(name)
            return self.imported(ref, mod) if ref is not None and ref.module.startswith(".") else None
        if func.type != "member_expression":
            return None
        owner = unwrap(func.child_by_field_name("object"))
        prop = func.child_by_field_name("property")
        if owner is None or prop is None:
            return None
        method = mod.text(prop)
        if owner.type == "identifier":
            ref = mod.imports.get(mod.text(owner))
            if ref is not None and ref.module.startswith("."):
                target = self.relative(ref.module, mod)
                if target is None or ref.name not in (None, "default"):
                    return None
                return self.exported(target, method)
        elif owner.type == "call_expression":
            req = required(owner)
            if req is not None and req[0].startswith(".") and req[1] is None:
                target = self.relative(req[0], mod)
                return self.exported(target, method) if target is not None else None
        if mod.text(owner) in ("exports", "module.exports"):
            found = mod.exports.get(method)
            return FunctionRef(mod, found) if found is not None else None
        return None

    def wrapper_bodies(self, mod: JsModule, factory: Node) -> list[FunctionRef]:
        """The functions a wrapper of the package returns, called as ``factory`` in ``mod`` (one level of
        options: ``withErrors({status: 500})`` returns the wrapper that returns the handler's replacement)."""
        levels = 1
        inner = unwrap(factory)
        if inner is not None and inner.type == "call_expression":
            inner, levels = inner.child_by_field_name("function"), 2
        ref = self.callee(mod, inner)
        current = [ref] if ref is not None else []
        for _ in range(levels):
            current = [FunctionRef(r.module, fn) for r in current for fn in returned_functions(r.module, r.node)]
        return current

    def summary(self, ref: FunctionRef) -> Summary:
        key = ref.key
        if key in self.middleware:
            return self.middleware[key]
        if self.active:  # a call edge, for what each handler reaches (remit.code.reach)
            self.calls.setdefault(self.active[-1], set()).add(key)
        if key in self.summaries:
            return self.summaries[key]
        if key in self.active or len(self.active) >= MAX_DEPTH:
            return NO_SUMMARY
        self.active.append(key)
        try:
            found = FunctionAnalyzer(self, ref).run()
        finally:
            self.active.pop()
        self.summaries[key] = found
        return found


def params_of(node: Node) -> list[Node]:
    """The parameter patterns of a function node (TypeScript annotations removed)."""
    params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
    if params is None:
        return []
    if params.type == "identifier":
        return [params]
    out: list[Node] = []
    for p in params.named_children:
        if p.type in ("required_parameter", "optional_parameter"):
            inner = p.child_by_field_name("pattern")
            if inner is not None:
                out.append(inner)
        elif p.type not in ("comment", "this"):
            out.append(p)
    return out


def returned_functions(mod: JsModule, node: Node) -> list[Node]:
    """The functions ``node`` returns: an arrow whose body is a function (``(fn) => async (event) => ...``),
    ``return function (event) {...}``, or a function defined in its body and returned by name."""
    body = node.child_by_field_name("body")
    if body is None:
        return []
    inner = unwrap(body)
    if body.type != "statement_block":
        return [inner] if inner is not None and inner.type in FUNCTION_TYPES else []
    defs: dict[str, Node] = {}
    for stmt in body.named_children:
        if stmt.type in ("function_declaration", "generator_function_declaration"):
            name = stmt.child_by_field_name("name")
            if name is not None:
                defs[mod.text(name)] = stmt
        elif stmt.type in ("lexical_declaration", "variable_declaration"):
            for decl in stmt.named_children:
                name, value = decl.child_by_field_name("name"), unwrap(decl.child_by_field_name("value"))
                if name is not None and value is not None and value.type in FUNCTION_TYPES:
                    defs[mod.text(name)] = value
    out: list[Node] = []
    stack = list(body.named_children)
    while stack:
        current = stack.pop()
        if current.type in FUNCTION_TYPES:
            continue  # a nested function's returns are its own
        if current.type == "return_statement" and current.named_children:
            value = unwrap(current.named_children[0])
            if value is not None and value.type in FUNCTION_TYPES:
                out.append(value)
            elif value is not None and value.type == "identifier" and mod.text(value) in defs:
                out.append(defs[mod.text(value)])
            continue
        stack.extend(current.named_children)
    return out


def _used(node: Node) -> bool:
    """``node`` is the argument of a middy ``.use(...)`` call (a middleware, not a wrapper)."""
    args = node.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    func = unwrap(call.child_by_field_name("function")) if call is not None else None
    prop = func.child_by_field_name("property") if func is not None and func.type == "member_expression" else None
    return prop is not None and prop.text == b"use"


def returned_objects(node: Node) -> list[Node]:
    """The object literals a function returns (``() => ({ onError })``, ``return { onError: ... }``)."""
    body = node.child_by_field_name("body")
    inner = unwrap(body)
    if body is None or inner is None:
        return []
    if body.type != "statement_block":
        return [inner] if inner.type == "object" else []
    out: list[Node] = []
    stack = list(body.named_children)
    while stack:
        current = stack.pop()
        if current.type in FUNCTION_TYPES:
            continue
        if current.type == "return_statement" and current.named_children:
            value = unwrap(current.named_children[0])
            if value is not None and value.type == "object":
                out.append(value)
            continue
        stack.extend(current.named_children)
    return out


def _member_function(mod: JsModule, obj: Node, key: str, scope: Node | None) -> Node | None:
    """The function an object literal holds under ``key``: written in place, or named (a function of the
    enclosing ``scope`` or of the module)."""
    if obj.type != "object":
        return None
    for prop in obj.named_children:
        if prop.type == "method_definition":
            name = prop.child_by_field_name("name")
            if name is not None and mod.text(name) == key:
                return prop
        elif prop.type == "pair" and prop_key(mod, prop.child_by_field_name("key")) == key:
            value = unwrap(prop.child_by_field_name("value"))
            if value is not None and value.type in FUNCTION_TYPES:
                return value
            if value is not None and value.type == "identifier":
                return _named_function(mod, mod.text(value), scope)
        elif prop.type == "shorthand_property_identifier" and mod.text(prop) == key:
            return _named_function(mod, key, scope)
    return None


def _named_function(mod: JsModule, name: str, scope: Node | None) -> Node | None:
    body = scope.child_by_field_name("body") if scope is not None else None
    for stmt in body.named_children if body is not None and body.type == "statement_block" else []:
        if stmt.type in ("function_declaration", "generator_function_declaration"):
            found = stmt.child_by_field_name("name")
            if found is not None and mod.text(found) == name:
                return stmt
        elif stmt.type in ("lexical_declaration", "variable_declaration"):
            for decl in stmt.named_children:
                found, value = decl.child_by_field_name("name"), unwrap(decl.child_by_field_name("value"))
                if found is not None and mod.text(found) == name and value is not None and \
                        value.type in FUNCTION_TYPES:
                    return value
    return mod.functions.get(name)


def _terminates(node: Node | None) -> bool:
    if node is None:
        return False
    if node.type in _TERMINATORS:
        return True
    if node.type == "statement_block":
        named = [c for c in node.named_children if c.type != "comment"]
        return bool(named) and _terminates(named[-1])
    return False


# ------------------------------------------------------------------------------------------------
# one function


class FunctionAnalyzer:
    def __init__(self, program: Program, ref: FunctionRef, response_of: str | None = None) -> None:
        self.program = program
        self.ref = ref
        self.mod = ref.module
        self.response_of = response_of  # a middy middleware's request: ``request.response = ...`` is returned
        self.env: dict[str, Value] = {}
        self.locals: set[str] = set()
        self.kinds: dict[str, str] = {}
        self.prefixes: dict[str, str] = {}
        self.objects: dict[str, dict[str, Value]] = {}  # name -> the object literal it holds, key -> value
        self.props: dict[tuple[int, int], dict[str, Value]] = {}  # object literal (by span) -> key -> value
        self.prop_nodes: dict[tuple[int, int], dict[str, Node]] = {}  # object literal -> key -> value node
        self.object_nodes: dict[str, dict[str, Node]] = {}  # name -> the object literal's value nodes
        self.local_defs: dict[str, Node] = {}
        self.inlining: set[tuple[int, int]] = set()  # nested functions being followed in place
        self.strings: set[str] = set()  # names holding text built in the code (a query string, a command)
        self.returns: Value = EMPTY
        self.hits: list[SinkHit] = []
        self.callback: str | None = None

    def run(self) -> Summary:
        node = self.ref.node
        params = params_of(node)
        for i, pattern in enumerate(params):
            self.bind(pattern, (Dep(i, (), False, ()),), None, node, declare=True, quiet=True)
        if len(params) >= 3 and params[2].type == "identifier":
            self.callback = self.mod.text(params[2])
        body = node.child_by_field_name("body")
        if body is None:
            return NO_SUMMARY
        if body.type == "statement_block":
            self.hoist(body)
            self.block(body)
        else:
            value = self.expr(body)
            self.returns = union(self.returns, add_step(value, self.step(body, self.label(body))))
        return Summary(self.returns, tuple(self.hits[:MAX_HITS]))

    # -- helpers ------------------------------------------------------------------------------------
    def label(self, node: Node) -> str:
        text = " ".join(self.mod.text(node).split())
        return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"

    def loc(self, node: Node) -> SourceLocation:
        return self.mod.loc(node)

    def step(self, node: Node, text: str) -> FlowStep:
        return FlowStep(self.loc(node), text)

    def sink(self, kind: str, callee: str, node: Node, value: Value) -> None:
        for dep in value:
            if kind in dep.cleared or dep.param == EXCEPTION:
                continue
            self.hits.append(SinkHit(kind, callee, self.loc(node), dep, self.label(node)))

    def hoist(self, block: Node) -> None:
        for stmt in block.named_children:
            if stmt.type in ("function_declaration", "generator_function_declaration"):
                name = stmt.child_by_field_name("name")
                if name is not None:
                    self.local_defs[self.mod.text(name)] = stmt

    # -- statements ---------------------------------------------------------------------------------
    def block(self, node: Node) -> None:
        for stmt in node.named_children:
            self.stmt(stmt)

    def stmt(self, node: Node) -> None:
        statements.run(self, node)

    def merge(self, other: dict[str, Value]) -> None:
        for name, value in other.items():
            self.env[name] = union(self.env.get(name, EMPTY), value)

    def element(self, items: Value, node: Node | None, where: Node) -> Value:
        return self.subscript(items, "*", node, where)

    # -- binding ------------------------------------------------------------------------------------
    def bind(self, target: Node, value: Value, source: Node | None, stmt: Node, declare: bool = False,
             quiet: bool = False) -> None:
        """Give ``target`` (a name, a destructuring pattern, a member) the value of ``source``; ``declare`` for
        a declaration (never module state), ``quiet`` to add no step (parameters)."""
        kind = target.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            self.bind_name(target, value, source, stmt, declare, quiet)
        elif kind == "object_pattern":
            self.bind_object_pattern(target, value, source, stmt, declare)
        elif kind == "array_pattern":
            for element in target.named_children:
                if element.type == "rest_pattern":
                    inner = element.named_children[0] if element.named_children else None
                    if inner is not None:
                        self.bind(inner, value, source, stmt, declare)
                else:
                    self.bind(element, self.subscript(value, "*", None, None), source, stmt, declare)
        elif kind == "assignment_pattern":
            left, right = target.child_by_field_name("left"), target.child_by_field_name("right")
            if left is not None:
                default = self.expr(right) if right is not None else EMPTY
                self.bind(left, union(value, default), source, stmt, declare)
        elif kind == "rest_pattern":
            inner = target.named_children[0] if target.named_children else None
            if inner is not None:
                self.bind(inner, value, source, stmt, declare)
        elif kind in ("member_expression", "subscript_expression"):
            self.assign_member(target, value, stmt)
        elif kind in WRAPPER_TARGETS:
            inner = target.named_children[0] if target.named_children else None
            if inner is not None:
                self.bind(inner, value, source, stmt, declare)

    def bind_name(self, target: Node, value: Value, source: Node | None, stmt: Node, declare: bool,
                  quiet: bool) -> None:
        """A variable takes a value, and what is known of its source: its leading text, whether it is text,
        what made it, the object literal it holds."""
        mod = self.mod
        name = mod.text(target)
        if declare:
            self.locals.add(name)
        text = self.label(stmt) if stmt.type == "variable_declarator" else \
            f"{name} = {self.label(source)}" if source is not None else name
        self.env[name] = value if quiet else add_step(value, self.step(stmt, text))
        src = unwrap(source)
        prefix = self.prefix(src) if src is not None and stmt.type != "for_in_statement" else None
        if prefix is not None:
            self.prefixes[name] = prefix
        else:
            self.prefixes.pop(name, None)
        if src is not None and self.stringish(src):
            self.strings.add(name)
        else:
            self.strings.discard(name)
        made = self.kind_of(src) if src is not None and stmt.type != "for_in_statement" else None
        if made:
            self.kinds[name] = made
        else:
            self.kinds.pop(name, None)
        if src is not None and src.type == "object":
            self.objects[name] = dict(self.props.get((src.start_byte, src.end_byte), {}))
            self.object_nodes[name] = dict(self.prop_nodes.get((src.start_byte, src.end_byte), {}))
        elif src is not None and src.type == "identifier" and mod.text(src) in self.objects:
            self.objects[name] = self.objects[mod.text(src)]
            self.object_nodes[name] = self.object_nodes.get(mod.text(src), {})
        else:
            self.objects.pop(name, None)
            self.object_nodes.pop(name, None)
        if value and not declare and self.is_module_state(name):
            self.sink(cat.PERSIST, f"module-level {name}", stmt, value)

    def bind_object_pattern(self, target: Node, value: Value, source: Node | None, stmt: Node,
                            declare: bool) -> None:
        """``const {a, b: c, d = 1, ...rest} = value``: each name takes its property."""
        mod = self.mod
        for prop in target.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                key = mod.text(prop)
                self.bind(prop, self.subscript(value, key, None, None), source, stmt, declare)
            elif prop.type == "pair_pattern":
                key = prop_key(mod, prop.child_by_field_name("key")) or "*"
                inner = prop.child_by_field_name("value")
                if inner is not None:
                    self.bind(inner, self.subscript(value, key, None, None), source, stmt, declare)
            elif prop.type == "object_assignment_pattern":
                left, right = prop.child_by_field_name("left"), prop.child_by_field_name("right")
                if left is not None:
                    key = mod.text(left)
                    default = self.expr(right) if right is not None else EMPTY
                    self.bind(left, union(self.subscript(value, key, None, None), default), source, stmt,
                              declare)
            elif prop.type == "rest_pattern":
                inner = prop.named_children[0] if prop.named_children else None
                if inner is not None:
                    self.bind(inner, value, source, stmt, declare)

    def assign_member(self, target: Node, value: Value, stmt: Node) -> None:
        """``x.a = value`` / ``x[k] = value``: the object holds the value; module state keeps it."""
        kind = target.type
        mod = self.mod
        base = unwrap(target.child_by_field_name("object"))
        if kind == "subscript_expression":
            value = union(value, derived(self.expr(target.child_by_field_name("index"))))
        if base is None:
            return
        if base.type == "identifier":
            name = mod.text(base)
            member = target.child_by_field_name("property")
            if name == self.response_of and member is not None and mod.text(member) == "response":
                self.returns = union(self.returns, add_step(value, self.step(stmt, self.label(stmt))))
            if self.is_module_state(name) and value:
                self.sink(cat.PERSIST, f"module-level {name}", stmt,
                          add_step(value, self.step(stmt, self.label(stmt))))
            elif name in self.env:
                self.env[name] = union(self.env[name], derived(value))
                member = target.child_by_field_name("property")
                if name in self.objects and member is not None:
                    self.objects[name][mod.text(member)] = value
                    self.object_nodes.setdefault(name, {})[mod.text(member)] = stmt
        elif base.type == "member_expression" and mod.text(base) in ("module.exports", "this"):
            return
        else:
            self.expr(base)

    def is_module_state(self, name: str) -> bool:
        return name not in self.locals and name in self.mod.mutable

    # -- guards -------------------------------------------------------------------------------------
    def branch(self, node: Node) -> None:
        test = node.child_by_field_name("condition")
        self.expr(test)
        guards = self.guards(test)
        before = dict(self.env)
        for name, kinds, negated in guards:
            if not negated:
                self.refine(name, kinds)
        consequence = node.child_by_field_name("consequence")
        if consequence is not None:
            self.stmt(consequence)
        body_env, body_ends = self.env, _terminates(consequence)
        self.env = dict(before)
        for name, kinds, negated in guards:
            if negated:
                self.refine(name, kinds)
        alternative = node.child_by_field_name("alternative")
        else_ends = False
        if alternative is not None:
            for child in alternative.named_children:
                self.stmt(child)
                else_ends = _terminates(child)
        else_env = self.env
        if body_ends and not else_ends:
            self.env = else_env
        elif else_ends and not body_ends:
            self.env = body_env
        else:
            self.env = body_env
            self.merge(else_env)

    def refine(self, name: str, kinds: frozenset[str]) -> None:
        if name in self.env:
            self.env[name] = clear(self.env[name], kinds)

    def guards(self, test: Node | None) -> list[tuple[str, frozenset[str], bool]]:
        """(variable, sink kinds it is safe for, negated) for each check in ``test``; ``negated`` when the safe
        branch is the else branch (``if (!ALLOWED.includes(x)) return``)."""
        test = unwrap(test)
        if test is None:
            return []
        mod = self.mod
        if test.type == "unary_expression" and mod.text(test).startswith("!"):
            inner = self.guards(test.child_by_field_name("argument"))
            return [(n, k, not neg) for n, k, neg in inner]
        if test.type == "binary_expression":
            return self.comparison_guards(test)
        if test.type != "call_expression":
            return []
        return self.call_guards(test)

    def comparison_guards(self, test: Node) -> list[tuple[str, frozenset[str], bool]]:
        """``a && b`` (both hold in the then branch), ``a || b`` (neither in the else branch), ``x === "c"``,
        ``typeof x === "number"``."""
        mod = self.mod
        op_node = test.child_by_field_name("operator")
        op = mod.text(op_node) if op_node is not None else ""
        left, right = unwrap(test.child_by_field_name("left")), unwrap(test.child_by_field_name("right"))
        if op == "&&":
            return [g for g in (*self.guards(left), *self.guards(right)) if not g[2]]
        if op == "||":
            return [g for g in (*self.guards(left), *self.guards(right)) if g[2]]
        if op in ("===", "==", "!==", "!=") and left is not None and right is not None:
            negated = op.startswith("!")
            for a, b in ((left, right), (right, left)):
                if a.type == "identifier" and (string_value(b) is not None or b.type == "number"):
                    return [(mod.text(a), frozenset({cat.ALL}), negated)]
                if a.type == "unary_expression" and mod.text(a).startswith("typeof") and \
                        string_value(b) in ("number", "boolean"):
                    arg = unwrap(a.child_by_field_name("argument"))
                    if arg is not None and arg.type == "identifier":
                        return [(mod.text(arg), frozenset({cat.ALL}), negated)]
        return []

    def call_guards(self, test: Node) -> list[tuple[str, frozenset[str], bool]]:
        """``ALLOWED.includes(x)``, ``/^...$/.test(x)``, ``x.startsWith(BASE)``, ``validator.isUUID(x)``."""
        mod = self.mod
        func = unwrap(test.child_by_field_name("function"))
        args = test.child_by_field_name("arguments")
        first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if func is None or func.type != "member_expression":
            qual = self.qualify(func) if func is not None else None
            if qual in cat.SANITIZERS and first is not None and first.type == "identifier" and \
                    qual not in ("parseInt", "parseFloat", "Number"):
                return [(mod.text(first), cat.SANITIZERS[qual], False)]
            return []
        owner = unwrap(func.child_by_field_name("object"))
        prop_node = func.child_by_field_name("property")
        method = mod.text(prop_node) if prop_node is not None else ""
        if owner is None:
            return []
        if method in ("includes", "has") and first is not None and first.type == "identifier" and \
                self.constant_collection(owner):
            return [(mod.text(first), frozenset({cat.ALL}), False)]
        if method == "test" and owner.type == "regex" and first is not None and first.type == "identifier":
            pattern = owner.child_by_field_name("pattern")
            text = mod.text(pattern) if pattern is not None else ""
            if text.startswith("^") and text.endswith("$"):
                return [(mod.text(first), frozenset({cat.ALL}), False)]
        if method == "startsWith" and owner.type == "identifier" and first is not None and self.prefix(first):
            return [(mod.text(owner), frozenset({SinkKind.PATH.value, SinkKind.SSRF.value,
                                                SinkKind.REDIRECT.value}), False)]
        qual = self.qualify(func) or ""
        if qual in cat.SANITIZERS and first is not None and first.type == "identifier":
            return [(mod.text(first), cat.SANITIZERS[qual], False)]
        return []

    def constant_collection(self, node: Node) -> bool:
        node = unwrap(node) or node
        if node.type == "array":
            return all(string_value(e) is not None or e.type == "number" for e in node.named_children)
        if node.type == "new_expression":
            args = node.child_by_field_name("arguments")
            inner = args.named_children[0] if args is not None and args.named_children else None
            return inner is not None and self.constant_collection(inner)
        if node.type == "object":
            return True
        if node.type == "identifier":
            name = self.mod.text(node)
            if name in self.env:
                return False
            value = self.mod.constants.get(name)
            return value is not None and self.constant_collection(value)
        if node.type == "call_expression":  # Object.keys(CONST)
            func = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if func is not None and self.mod.text(func) in ("Object.keys", "Object.values") and args is not None \
                    and args.named_children:
                return self.constant_collection(args.named_children[0])
        return False

    # -- expressions --------------------------------------------------------------------------------
    def expr(self, node: Node | None) -> Value:
        return expressions.evaluate(self, node)

    def object(self, node: Node) -> Value:
        mod = self.mod
        values: list[Value] = []
        props: dict[str, Value] = {}
        nodes: dict[str, Node] = {}
        for prop in node.named_children:
            if prop.type == "pair":
                key_node, value_node = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                value = self.expr(value_node)
                key = prop_key(mod, key_node)
                if key_node is not None and key_node.type == "computed_property_name":
                    values.append(derived(self.expr(key_node.named_children[0] if key_node.named_children
                                                    else None)))
                if key is not None and value_node is not None:
                    props[key] = value
                    nodes[key] = value_node
                values.append(value)
            elif prop.type == "shorthand_property_identifier":
                key = mod.text(prop)
                value = self.env.get(key, EMPTY)
                props[key] = value
                nodes[key] = prop
                values.append(value)
            elif prop.type == "spread_element":
                values.append(self.expr(prop))
        self.props[(node.start_byte, node.end_byte)] = props
        self.prop_nodes[(node.start_byte, node.end_byte)] = nodes
        sinks.response_object(self, props, nodes)
        return derived(union(*values))

    def subscript(self, base: Value, key: str, node: Node | None, where: Node | None) -> Value:
        out: list[Dep] = []
        for d in base:
            if d.derived or d.param == EXCEPTION:
                out.append(d)
                continue
            extended = replace(d, path=(*d.path, key)[:MAX_PATH])
            if where is not None and node is not None:
                extended = add_step((extended,), self.step(where, self.label(node)))[0]
            out.append(extended)
        return tuple(out)

    def built(self, node: Node, value: Value) -> Value:
        prefix = self.prefix(node) or ""
        kinds: set[str] = set()
        if _URL_WITH_HOST.match(prefix) or _LOCAL_PATH.match(prefix) or prefix.startswith("/tmp/") or \
                self.configured_base(node):
            kinds |= {SinkKind.SSRF.value, SinkKind.REDIRECT.value}
        return tuple(replace(d, cleared=d.cleared | kinds) for d in value) if kinds else value

    def configured_base(self, node: Node) -> bool:
        """Text that starts with a value from the environment followed by a path (``${process.env.API}/x/${id}``,
        ``API_URL + "/x/" + id``): the deployment chose the destination, the event only a part of the path."""
        first: Node | None = None
        rest = ""
        if node.type == "template_string":
            parts = [c for c in node.named_children if c.type != "comment"]
            if len(parts) > 1 and parts[0].type == "template_substitution" and parts[0].named_children:
                first, rest = parts[0].named_children[0], self.mod.text(parts[1])
        elif node.type == "binary_expression":
            operands = self.operands(node)
            if len(operands) > 1:
                first, rest = operands[0], self.prefix(operands[1]) or ""
        first = unwrap(first)
        if first is None or not rest.startswith("/"):
            return False
        if first.type == "identifier" and self.mod.text(first) not in self.env:
            first = unwrap(self.mod.constants.get(self.mod.text(first)))
            if first is not None and first.type == "binary_expression" and self.operator(first) in ("||", "??"):
                first = unwrap(first.child_by_field_name("left"))
        return first is not None and self.mod.text(first).startswith("process.env")

    def prefix(self, node: Node | None) -> str | None:
        """The text a string expression certainly starts with, when known."""
        node = unwrap(node)
        if node is None:
            return None
        text = string_value(node)
        if text is not None:
            return text
        mod = self.mod
        if node.type == "template_string":
            return self.template_prefix(node)
        if node.type == "binary_expression":
            return self.sum_prefix(node)
        if node.type == "identifier":
            name = mod.text(node)
            if name in self.prefixes:
                return self.prefixes[name]
            if name not in self.env:
                value = mod.constants.get(name)
                if value is not None and value.type in ("string", "template_string", "binary_expression"):
                    return self.prefix(value)
            return None
        if node.type == "member_expression" and mod.text(node).startswith("process.env."):
            return None
        if node.type == "call_expression":
            return self.call_prefix(node)
        return None

    def template_prefix(self, node: Node) -> str:
        """The known start of a template literal: up to the first substitution that is not a constant."""
        mod = self.mod
        out = ""
        for part in node.named_children:
            if part.type == "template_substitution":
                inner = self.prefix(part.named_children[0]) if part.named_children else None
                if inner is None:
                    return out
                out += inner
                if not self.is_constant(part.named_children[0]):
                    return out
            elif part.type in ("string_fragment", "escape_sequence"):
                out += mod.text(part)
        return out

    def sum_prefix(self, node: Node) -> str | None:
        """The known start of ``a + b + c``: up to the first operand that is not a constant."""
        if self.operator(node) != "+":
            return None
        out = ""
        for operand in self.operands(node):
            piece = self.prefix(operand) if operand.type != "binary_expression" else None
            if piece is None:
                return out or None
            out += piece
            if not self.is_constant(operand):
                return out
        return out

    def call_prefix(self, node: Node) -> str | None:
        """The known start of text a call builds: ``path.join``, ``util.format``, ``[...].join``."""
        mod = self.mod
        func = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        qual = self.qualify(func) if func is not None else None
        if qual in ("path.join", "path.resolve", "path.posix.join") and args is not None and args.named_children:
            first = self.prefix(args.named_children[0])
            return first.rstrip("/") + "/" if first else None
        if qual in {"URL", "new URL"}:
            return None
        if qual == "util.format" and args is not None and args.named_children:
            fmt = string_value(args.named_children[0])
            return fmt.split("%", 1)[0] if fmt is not None else None
        items = unwrap(func.child_by_field_name("object")) if func is not None and \
            func.type == "member_expression" else None
        prop = func.child_by_field_name("property") if func is not None else None
        if items is not None and items.type == "array" and prop is not None and mod.text(prop) == "join":
            given = args.named_children if args is not None else []
            separator = string_value(given[0]) if given else ","
            if separator is not None:
                return joined_prefix(((self.prefix(e), self.is_constant(e)) for e in items.named_children),
                                     separator)
        return None

    def stringish(self, node: Node) -> bool:
        """Text built in the code: a string, a template, a concatenation, a string method's result, or a name
        holding one. Query methods are sinks only for these (``docClient.query(params)`` is not SQL)."""
        node = unwrap(node) or node
        if node.type in ("string", "template_string"):
            return True
        if node.type == "binary_expression":
            return self.operator(node) == "+"
        if node.type == "identifier":
            return self.mod.text(node) in self.strings or self.mod.text(node) in self.prefixes
        if node.type == "call_expression":
            func = unwrap(node.child_by_field_name("function"))
            if func is not None and func.type == "member_expression":
                prop = func.child_by_field_name("property")
                return prop is not None and self.mod.text(prop) in ("replace", "replaceAll", "concat", "join",
                                                                    "format", "trim", "toString")
            return func is not None and self.mod.text(func) in ("util.format", "format", "String")
        return False

    def operator(self, node: Node) -> str:
        op = node.child_by_field_name("operator")
        return self.mod.text(op) if op is not None else ""

    def operands(self, node: Node) -> list[Node]:
        """The operands of a left-nested ``+`` chain, left to right."""
        rights: list[Node] = []
        current: Node | None = node
        while current is not None and current.type == "binary_expression" and self.operator(current) == "+":
            right = current.child_by_field_name("right")
            if right is not None:
                rights.append(right)
            current = unwrap(current.child_by_field_name("left"))
        return ([current] if current is not None else []) + rights[::-1]

    def is_constant(self, node: Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if string_value(node) is not None:
            return True
        return node.type == "identifier" and self.mod.text(node) not in self.env and \
            self.mod.text(node) in self.mod.constants

    # -- names --------------------------------------------------------------------------------------
    def import_ref(self, name: str) -> ImportRef | None:
        if name in self.env or name in self.local_defs or name in self.locals:
            return None
        return self.mod.imports.get(name)

    def qualify(self, node: Node | None) -> str | None:
        """The dotted name a callee or object resolves to through imports and known object kinds."""
        node = unwrap(node)
        if node is None:
            return None
        mod = self.mod
        if node.type == "identifier":
            name = mod.text(node)
            if name in self.kinds:
                return self.kinds[name]
            ref = self.import_ref(name)
            if ref is not None:
                base = normal_module(ref.module)
                if ref.name is None or ref.name == "default":
                    return base
                return f"{base}.{ref.name}"
            if name not in self.env and name not in self.locals and name in mod.constants:
                return self.kind_of(mod.constants[name])
            return name
        if node.type == "member_expression":
            owner = self.qualify(node.child_by_field_name("object"))
            prop = node.child_by_field_name("property")
            if owner is None or prop is None:
                return None
            if owner == "fs.promises":
                owner = "fs"
            return f"{owner}.{mod.text(prop)}"
        if node.type == "call_expression":
            req = required(node)
            if req is not None:
                return normal_module(req[0]) + (f".{req[1]}" if req[1] else "")
            return self.kind_of(node)
        if node.type == "new_expression":
            return self.kind_of(node)
        return None

    def kind_of(self, node: Node | None) -> str | None:
        """What an expression makes: ``axios`` for ``axios.create()``, ``mysql.Connection`` for a connection."""
        node = unwrap(node)
        if node is None:
            return None
        req = required(node)
        if req is not None:
            return normal_module(req[0]) + (f".{req[1]}" if req[1] else "")
        if node.type == "member_expression" or (node.type == "identifier" and self.import_ref(self.mod.text(node))):
            return self.qualify(node)  # an alias: const sh = exec
        if node.type not in ("call_expression", "new_expression"):
            return None
        func = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        qual = self.qualify(func)
        if qual is None:
            return None
        for client in ("axios", "got", "ky", "superagent"):
            if qual in (f"{client}.create", f"{client}.extend"):
                return client
        if qual.endswith((".createConnection", ".createPool", ".Client", ".Pool", ".connect")):
            return "sql-client"
        if qual in cat.PROMISIFY:  # util.promisify(exec) runs what exec runs
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            inner = self.qualify(first) if first is not None else None
            if inner is not None:
                return inner
        return ("new " + qual) if node.type == "new_expression" else qual + "()"

    def local_function(self, func: Node | None) -> FunctionRef | None:
        func = unwrap(func)
        if func is None:
            return None
        mod = self.mod
        if func.type == "identifier":
            name = mod.text(func)
            if name in self.local_defs:
                return FunctionRef(mod, self.local_defs[name])
            if name in self.env or name in self.locals:
                return None
            return self.program.callee(mod, func)
        if func.type == "member_expression":
            owner = unwrap(func.child_by_field_name("object"))
            prop = func.child_by_field_name("property")
            if owner is None or prop is None:
                return None
            if owner.type == "this":
                body = self.ref.node.parent
                while body is not None and body.type != "class_body":
                    body = body.parent if body.type in ("method_definition", "field_definition",
                                                        "public_field_definition") else None
                if body is not None:
                    from remit.code.javascript.parse import class_methods  # noqa: PLC0415 - a cycle at load time (the package imports this module)

                    found_method = class_methods(mod, body).get(mod.text(prop))
                    return FunctionRef(mod, found_method) if found_method is not None else None
                return None
            if owner.type == "identifier" and self.import_ref(mod.text(owner)) is None and \
                    mod.text(owner) in mod.imports:
                return None  # a local variable shadows the import
            return self.program.callee(mod, func)
        return None

    # -- calls --------------------------------------------------------------------------------------
    def call(self, node: Node, new: bool = False) -> Value:
        mod = self.mod
        func = unwrap(node.child_by_field_name("constructor" if new else "function"))
        args_node = node.child_by_field_name("arguments")
        arg_nodes: list[Node] = []
        tagged = False
        if args_node is not None:
            if args_node.type == "template_string":  # a tagged template: sql`...` keeps values apart
                tagged = True
                arg_nodes = [args_node]
            else:
                arg_nodes = [a for a in args_node.named_children if a.type != "comment"]
        receiver = EMPTY
        method = ""
        if func is not None and func.type == "member_expression":
            receiver = self.expr(func.child_by_field_name("object"))
            prop = func.child_by_field_name("property")
            method = mod.text(prop) if prop is not None else ""
        qual = self.qualify(func) or ""
        qual_new = "new " + qual if new else qual
        # inline callbacks see the enclosing variables
        args: list[Value] = []
        for a in arg_nodes:
            inner = unwrap(a)
            if inner is not None and inner.type in ("arrow_function", "function_expression", "function"):
                args.append(self.inline(inner, receiver, method))
            else:
                args.append(self.expr(a))
        if tagged:
            return clear(derived(args[0]), {SinkKind.SQL.value}) if args else EMPTY
        if func is not None and func.type == "identifier" and mod.text(func) == self.callback and len(args) > 1:
            self.returns = union(self.returns, add_step(args[1], self.step(node, self.label(node))))
        sinks.match(self, sinks.Call(self, node, qual_new, method, arg_nodes, args))

        base_qual = qual.removeprefix("new ")
        if base_qual in cat.SANITIZERS:
            return clear(derived(union(*args, receiver)), cat.SANITIZERS[base_qual])
        if method == "pop" and not arg_nodes and func is not None and _splits_on_separator(
                mod, unwrap(func.child_by_field_name("object"))):
            return clear(derived(receiver), (SinkKind.PATH.value,))  # key.split("/").pop(): a name, no directory
        if func is not None and not new:
            nested = self.nested(func)
            if nested is not None:
                return self.inline_call(nested, node, args)
            ref = self.local_function(func)
            if ref is not None:
                return self.instantiate(ref, node, args)
        if method in cat.NON_PROPAGATING_METHODS:
            return EMPTY
        root = qual.split(".", 1)[0]
        if root in cat.OPAQUE or qual in cat.OPAQUE:
            return EMPTY
        everything = union(*args)
        if method in ("then", "catch", "finally") and receiver:
            return union(receiver, everything)
        if method in _ARRAY_ELEMENT and receiver:
            return union(receiver, everything) if method in ("filter", "find", "findLast") else derived(
                union(receiver, everything))
        if receiver:
            return derived(union(receiver, everything))
        if method and method not in cat.ARGUMENT_METHODS and root not in cat.GLOBAL_OBJECTS and \
                not self.import_ref(_root_name(mod, func)):
            return EMPTY  # a method of an object remit cannot type (a client, a table): returns its own data
        return derived(everything)

    def nested(self, func: Node) -> Node | None:
        """A function defined inside the one being analysed (it sees the enclosing variables), when ``func``
        names it and it is not already being followed (recursion)."""
        if func.type != "identifier" or len(self.inlining) >= 4:
            return None
        found = self.local_defs.get(self.mod.text(func))
        if found is None or (found.start_byte, found.end_byte) in self.inlining:
            return None
        return found

    def inline_call(self, fn: Node, node: Node, args: list[Value]) -> Value:
        """Call a nested function in place: its parameters take the arguments, its body sees the enclosing
        variables."""
        span = (fn.start_byte, fn.end_byte)
        self.inlining.add(span)
        try:
            call_step = self.step(node, f"calls {self.label(node)}")
            outer = dict(self.env)
            for i, pattern in enumerate(params_of(fn)):
                value = args[i] if i < len(args) else EMPTY
                self.bind(pattern, add_step(value, call_step) if value else value, None, fn, declare=True,
                          quiet=True)
            return self.inline(fn, EMPTY, "", bind=False, outer=outer)
        finally:
            self.inlining.discard(span)

    def inline(self, fn: Node, receiver: Value, method: str, bind: bool = True,
               outer: dict[str, Value] | None = None) -> Value:
        """Analyse a callback written in place, in the enclosing environment; its returned value. Its
        parameters shadow enclosing names only inside it: afterwards the enclosing values are back (merged)."""
        before = dict(self.env) if outer is None else outer
        params = params_of(fn) if bind else []
        if params:
            if method in _ARRAY_ELEMENT:
                element = self.subscript(receiver, "*", None, None)
                index = 1 if method == "reduce" else 0
                if index < len(params):
                    self.bind(params[index], element, None, fn, declare=True)
                if method == "reduce":
                    self.bind(params[0], EMPTY, None, fn, declare=True)
            elif method in ("then", "catch", "finally"):
                self.bind(params[0], receiver, None, fn, declare=True)
            else:
                for p in params:
                    self.bind(p, EMPTY, None, fn, declare=True)
        saved = self.returns
        self.returns = EMPTY
        body = fn.child_by_field_name("body")
        if body is not None and body.type == "statement_block":
            self.hoist(body)
            self.stmt(body)
        elif body is not None:
            self.returns = self.expr(body)
        self.merge(before)
        out = self.returns
        self.returns = saved
        return out

    def instantiate(self, ref: FunctionRef, node: Node, args: list[Value]) -> Value:
        summary = self.program.summary(ref)
        call_step = self.step(node, f"calls {self.label(node)}")
        for hit in summary.hits:
            for outer in args[hit.dep.param] if 0 <= hit.dep.param < len(args) else EMPTY:
                if hit.kind in outer.cleared or outer.param == EXCEPTION:
                    continue
                self.hits.append(SinkHit(hit.kind, hit.callee, hit.location, compose(outer, hit.dep, call_step),
                                         hit.text))
        out: list[Dep] = []
        for dep in summary.returns:
            if dep.param == EXCEPTION:
                out.append(replace(dep, steps=cap((*dep.steps, call_step))))
                continue
            if 0 <= dep.param < len(args):
                out.extend(compose(outer, dep, call_step) for outer in args[dep.param])
        return union(out)

    @functools.cached_property
    def removed(self) -> frozenset[str]:
        """The paths (as written) this function deletes (``fs.unlinkSync(path)``, ``fs.promises.rm``...): a /tmp
        file written and removed in one invocation does not outlive it."""
        out: set[str] = set()
        for call in walk(self.ref.node):
            if call.type != "call_expression":
                continue
            callee = call.child_by_field_name("function")
            arguments = call.child_by_field_name("arguments")
            if callee is None or arguments is None or not arguments.named_children:
                continue
            if self.mod.text(callee).rsplit(".", 1)[-1] in cat.REMOVERS:
                out.add(self.mod.text(arguments.named_children[0]))
        return frozenset(out)




def _root_name(mod: JsModule, node: Node | None) -> str:
    node = unwrap(node)
    while node is not None and node.type == "member_expression":
        node = unwrap(node.child_by_field_name("object"))
    return mod.text(node) if node is not None and node.type == "identifier" else ""


def _splits_on_separator(mod: JsModule, node: Node | None) -> bool:
    """``value.split("/")``: what ``.pop()`` takes from it is the last path segment, like ``path.basename``."""
    if node is None or node.type != "call_expression":
        return False
    func = unwrap(node.child_by_field_name("function"))
    if func is None or func.type != "member_expression":
        return False
    prop = func.child_by_field_name("property")
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return prop is not None and mod.text(prop) == "split" and first is not None \
        and string_value(first) in ("/", "\\")
