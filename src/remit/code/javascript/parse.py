"""The JavaScript / TypeScript front end: tree-sitter parsing (once per file) and each module's top-level facts.

tree-sitter is error tolerant: a file with a syntax error still yields a tree (the broken region becomes an
``ERROR`` node) and the analysis goes on; the error becomes a diagnostic. tree-sitter and the grammars load
on first use only.

A :class:`JsModule` records what the rest of the analysis asks of a file: its top-level functions, what each
local name was imported from (``require`` / ``import``), what it exports, its module-level mutable state and
constants, and the packages it imports.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from remit import safeio
from remit.code.javascript.tsconfig import Aliases
from remit.diagnostics import Diagnostic, Level
from remit.source import SourceLocation

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

MAX_BYTES = 2_000_000  # bigger files are bundles or generated code: skipped with a diagnostic
FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "arrow_function", "function",
                            "generator_function_declaration", "generator_function", "method_definition"})
WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
                      "type_assertion", "await_expression"})
_BUILTINS = frozenset({
    "assert", "buffer", "child_process", "cluster", "console", "crypto", "dgram", "dns", "events", "fs", "http",
    "http2", "https", "net", "os", "path", "perf_hooks", "process", "querystring", "readline", "stream",
    "string_decoder", "timers", "tls", "url", "util", "v8", "vm", "worker_threads", "zlib", "module",
    "async_hooks", "inspector", "punycode", "tty",
})
_LOOKUP_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx")


@dataclass(frozen=True, slots=True)
class ImportRef:
    """What a local name was bound to: ``module`` as written (``child_process``, ``./db``), ``name`` the
    imported member (None for the whole module: a namespace, ``require(...)`` or a default CommonJS export)."""

    module: str
    name: str | None = None


@dataclass
class JsModule:
    path: Path
    rel: str
    source: bytes
    root: Node
    line_offset: int = 0
    typescript: bool = False
    functions: dict[str, Node] = field(default_factory=dict)  # top-level function name -> function node
    imports: dict[str, ImportRef] = field(default_factory=dict)  # local name -> where it comes from
    exports: dict[str, Node] = field(default_factory=dict)  # export name -> function node ("default" too)
    export_aliases: dict[str, str] = field(default_factory=dict)  # export name -> local name
    reexports: dict[str, ImportRef] = field(default_factory=dict)  # export name -> another module's member
    wrappers: dict[str, tuple[Node, ...]] = field(default_factory=dict)  # export name -> factories around it
    stars: list[str] = field(default_factory=list)  # every ``export * from "m"``, in order
    constants: dict[str, Node] = field(default_factory=dict)  # top-level const name -> its initial value
    classes: dict[str, dict[str, Node]] = field(default_factory=dict)  # class name -> method name -> method
    mutable: set[str] = field(default_factory=set)  # module-level names holding state (let/var, containers)
    packages: set[str] = field(default_factory=set)  # packages imported (not relative, not built in)
    specifiers: set[str] = field(default_factory=set)  # every module specifier imported, as written

    def text(self, node: Node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def loc(self, node: Node) -> SourceLocation:
        row, col = node.start_point
        return SourceLocation(self.rel, row + 1 + self.line_offset, col + 1)


@cache
def _parser(typescript: bool, tsx: bool) -> Parser:
    import tree_sitter  # noqa: PLC0415 - heavy: loads only when a Node.js function is analysed

    if typescript:
        import tree_sitter_typescript  # noqa: PLC0415 - the grammar loads only for TypeScript

        lang: Any = tree_sitter_typescript.language_tsx() if tsx else tree_sitter_typescript.language_typescript()
    else:
        import tree_sitter_javascript  # noqa: PLC0415 - the grammar loads only for JavaScript

        lang = tree_sitter_javascript.language()
    return tree_sitter.Parser(tree_sitter.Language(lang))


def unwrap(node: Node | None) -> Node | None:
    """The expression inside parentheses, TypeScript casts (``as``, ``!``, ``satisfies``) and ``await``."""
    while node is not None and node.type in WRAPPERS:
        inner = node.named_children
        node = inner[0] if inner else None
    return node


def string_value(node: Node | None) -> str | None:
    """The text of a string literal, or of a template literal without substitutions."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return "".join(_fragment(c) for c in node.named_children)
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return "".join(_fragment(c) for c in node.named_children)
    return None


def _fragment(node: Node) -> str:
    raw = (node.text or b"").decode("utf-8", "replace")
    if node.type == "escape_sequence":
        return {"\\n": "\n", "\\t": "\t", "\\r": "\r"}.get(raw, raw[1:])
    return raw


def require_target(node: Node | None) -> str | None:
    """``require("x")`` (possibly awaited ``import("x")``) -> ``x``."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    func = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if func is None or args is None or func.type not in ("identifier", "import") or \
            (func.type == "identifier" and func.text != b"require"):
        return None
    first = args.named_children[0] if args.named_children else None
    return string_value(first)


def package_name(specifier: str) -> str | None:
    """``lodash/merge`` -> ``lodash``, ``@aws-sdk/client-s3/dist`` -> ``@aws-sdk/client-s3``; None for relative
    paths and Node.js built-ins."""
    if specifier.startswith((".", "/", "node:")) or not specifier:
        return None
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    return None if name in _BUILTINS else name


def normal_module(specifier: str) -> str:
    """``node:fs`` -> ``fs``; ``fs/promises`` -> ``fs``; everything else as written."""
    name = specifier.removeprefix("node:")
    if name in ("fs/promises",):
        return "fs"
    return name


def find_relative(specifier: str, importer: Path) -> Path | None:
    """The file a relative specifier names, with Node.js and bundler lookup (extension, ``index``)."""
    if not specifier.startswith("."):
        return None
    return lookup(importer.parent / specifier)


def lookup(base: Path) -> Path | None:
    """The source file Node.js or a bundler loads for ``base``: itself, with an extension, ``index``."""
    candidates = [base]
    stem = base.with_suffix("") if base.suffix in (".js", ".mjs", ".cjs") else None
    candidates += [base.with_name(base.name + s) for s in _LOOKUP_SUFFIXES]
    if stem is not None:  # TypeScript sources import "./x.js" meaning "./x.ts"
        candidates += [stem.with_name(stem.name + s) for s in _LOOKUP_SUFFIXES]
    candidates += [base / f"index{s}" for s in _LOOKUP_SUFFIXES]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def _alias(mod: JsModule, aliases: Aliases) -> None:
    """Bare specifiers that name the package's own files through ``tsconfig.json`` aliases become relative ones:
    followed like ``./x``, no longer counted as dependencies."""
    mapping: dict[str, str] = {}
    for spec in mod.specifiers:
        found = aliases.resolve(spec, mod.path)
        if found is not None:
            rel = os.path.relpath(found, mod.path.parent).replace(os.sep, "/")
            mapping[spec] = rel if rel.startswith(".") else f"./{rel}"
    if not mapping:
        return
    mod.imports = {name: ImportRef(mapping.get(ref.module, ref.module), ref.name) for name, ref in mod.imports.items()}
    mod.reexports = {name: ImportRef(mapping.get(ref.module, ref.module), ref.name)
                     for name, ref in mod.reexports.items()}
    mod.stars = [mapping.get(spec, spec) for spec in mod.stars]
    mod.specifiers = {mapping.get(spec, spec) for spec in mod.specifiers}
    mod.packages = {name for name in map(package_name, mod.specifiers) if name is not None}


class ParseCache:
    """Parsed modules of one scan, by absolute path; each file is read and parsed once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: dict[Path, JsModule | None] = {}
        self.diagnostics: list[Diagnostic] = []
        self.aliases = Aliases(root, lookup)

    def module(self, path: Path) -> JsModule | None:
        if path in self.modules:
            return self.modules[path]
        rel = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.name
        found: JsModule | None = None
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                self.diagnostics.append(Diagnostic(rel, Level.INFO, "code-too-large",
                                                   f"{rel} is larger than {MAX_BYTES} bytes (a bundle?): not analysed"))
            else:
                data = safeio.read_bytes(path, MAX_BYTES)
                if b"\x00" in data[:4096]:
                    self.diagnostics.append(Diagnostic(rel, Level.WARNING, "code-binary",
                                                       f"{rel} is not text: not analysed"))
                else:
                    found = self.parse(data, rel, path)
        except OSError as exc:
            self.diagnostics.append(Diagnostic(rel, Level.WARNING, "code-unreadable", f"{rel}: {exc.strerror}"))
        self.modules[path] = found
        return found

    def parse(self, data: bytes, rel: str, path: Path, line_offset: int = 0) -> JsModule:
        suffix = path.suffix.lower()
        typescript = suffix in (".ts", ".mts", ".cts", ".tsx")
        tree = _parser(typescript, suffix == ".tsx").parse(data)
        root = tree.root_node
        if root.has_error:
            first = _first_error(root)
            line = (first.start_point[0] + 1 + line_offset) if first is not None else None
            self.diagnostics.append(Diagnostic(rel, Level.WARNING, "code-syntax-error",
                                               f"{rel} has a syntax error; the rest of the file is still analysed",
                                               line))
        mod = JsModule(path, rel, data, root, line_offset, typescript)
        _index(mod)
        if path.parts[:1] != ("<inline>",):
            _alias(mod, self.aliases)
        return mod


def _first_error(node: Node) -> Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "ERROR" or current.is_missing:
            return current
        stack.extend(reversed([c for c in current.children if c.has_error or c.is_missing or c.type == "ERROR"]))
    return None


# ------------------------------------------------------------------------------------------------
# top-level facts

_EXPORTS_MEMBER = re.compile(r"^(?:module\.)?exports\.([A-Za-z_$][\w$]*)$")


def _bind_require(mod: JsModule, pattern: Node, specifier: str, member: str | None = None) -> None:
    """``const x = require(m)`` / ``const {a, b: c} = require(m)`` / ``const y = require(m).z``."""
    if pattern.type == "identifier":
        mod.imports[mod.text(pattern)] = ImportRef(specifier, member)
    elif pattern.type == "object_pattern" and member is None:
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                mod.imports[mod.text(prop)] = ImportRef(specifier, mod.text(prop))
            elif prop.type == "pair_pattern":
                key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is not None and value is not None and value.type == "identifier":
                    mod.imports[mod.text(value)] = ImportRef(specifier, mod.text(key).strip("'\""))


def required(node: Node | None) -> tuple[str, str | None] | None:
    """``require("m")`` -> (m, None); ``require("m").x`` -> (m, "x")."""
    node = unwrap(node)
    if node is None:
        return None
    target = require_target(node)
    if target is not None:
        return target, None
    if node.type == "member_expression":
        inner = require_target(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        if inner is not None and prop is not None:
            return inner, (prop.text or b"").decode()
    return None


def _index(mod: JsModule) -> None:
    for node in _walk_imports(mod.root):
        if node.type == "import_statement":
            source = string_value(node.child_by_field_name("source"))
            if source is None:
                continue
            _note(mod, source)
            for clause in node.named_children:
                if clause.type != "import_clause":
                    continue
                for part in clause.named_children:
                    if part.type == "identifier":
                        mod.imports[mod.text(part)] = ImportRef(source, "default")
                    elif part.type == "namespace_import":
                        names = [c for c in part.named_children if c.type == "identifier"]
                        if names:
                            mod.imports[mod.text(names[0])] = ImportRef(source, None)
                    elif part.type == "named_imports":
                        for spec in part.named_children:
                            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                            if name is not None:
                                mod.imports[mod.text(alias or name)] = ImportRef(source, mod.text(name).strip("'\""))
        elif node.type == "call_expression":
            target = require_target(node)
            if target is not None:
                _note(mod, target)
    for stmt in mod.root.named_children:
        _top_statement(mod, stmt)
    if mod.root.has_error:  # statements a syntax error swallowed still define and export functions
        stack = list(mod.root.named_children)
        while stack:
            node = stack.pop()
            if node.type == "assignment_expression":
                _export_assignment(mod, node, lenient=True)
            elif node.type in ("function_declaration", "lexical_declaration", "export_statement") and \
                    node.parent is not None and node.parent.type == "ERROR":
                _top_statement(mod, node)
            if node.type not in FUNCTION_TYPES:
                stack.extend(node.named_children)


def _note(mod: JsModule, specifier: str) -> None:
    mod.specifiers.add(specifier)
    name = package_name(specifier)
    if name is not None:
        mod.packages.add(name)


def _walk_imports(root: Node) -> list[Node]:
    out: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("import_statement", "call_expression"):
            out.append(node)
        stack.extend(node.named_children)
    return out


def _top_statement(mod: JsModule, stmt: Node, exported: bool = False) -> None:
    kind = stmt.type
    if kind in ("function_declaration", "generator_function_declaration"):
        name = stmt.child_by_field_name("name")
        if name is not None:
            mod.functions[mod.text(name)] = stmt
            if exported:
                mod.exports[mod.text(name)] = stmt
    elif kind in ("lexical_declaration", "variable_declaration"):
        const = mod.text(stmt).startswith("const")
        for decl in stmt.named_children:
            if decl.type != "variable_declarator":
                continue
            name, value = decl.child_by_field_name("name"), unwrap(decl.child_by_field_name("value"))
            if name is None:
                continue
            req = required(value)
            if req is not None:
                _bind_require(mod, name, req[0], req[1])
                continue
            held = mod.imports.get(mod.text(value)) if value is not None and value.type == "identifier" else None
            if held is not None and held.name is None and name.type == "object_pattern":
                _bind_require(mod, name, held.module)  # const { execSync: run } = cp, cp = require(m)
                continue
            if name.type != "identifier":
                continue
            ident = mod.text(name)
            if value is not None and value.type in FUNCTION_TYPES:
                mod.functions[ident] = value
                if exported:
                    mod.exports[ident] = value
                continue
            inner, factories = wrapped(mod, value)
            if exported and inner is not None:
                if isinstance(inner, str):
                    mod.export_aliases[ident] = inner
                else:
                    mod.exports[ident] = inner
                if factories:
                    mod.wrappers[ident] = factories
                continue
            if value is not None and const:
                mod.constants[ident] = value
            if not const or (value is not None and _is_container(mod, value)):
                mod.mutable.add(ident)
            if exported and value is not None:
                mod.export_aliases[ident] = ident
    elif kind == "export_statement":
        declaration = stmt.child_by_field_name("declaration")
        exported_value = unwrap(stmt.child_by_field_name("value"))
        source = string_value(stmt.child_by_field_name("source"))
        default = any(c.type == "default" for c in stmt.children)
        if declaration is not None:
            _top_statement(mod, declaration, exported=True)
            if default and declaration.type in FUNCTION_TYPES:
                mod.exports["default"] = declaration
        elif exported_value is not None:
            if exported_value.type in FUNCTION_TYPES:
                mod.exports["default"] = exported_value
            elif exported_value.type == "identifier":
                mod.export_aliases["default"] = mod.text(exported_value)
        for clause in stmt.named_children:
            if clause.type != "export_clause":
                continue
            for spec in clause.named_children:
                spec_name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                if spec_name is None:
                    continue
                exported_as = mod.text(alias or spec_name)
                if source is not None:
                    mod.reexports[exported_as] = ImportRef(source, mod.text(spec_name))
                else:
                    mod.export_aliases[exported_as] = mod.text(spec_name)
        if source is not None:
            _note(mod, source)
            if not any(c.type == "export_clause" for c in stmt.named_children):  # export * from "./x"
                mod.reexports["*"] = ImportRef(source, None)
                mod.stars.append(source)
    elif kind == "expression_statement":
        expr = unwrap(stmt.named_children[0]) if stmt.named_children else None
        if expr is not None and expr.type == "assignment_expression":
            _export_assignment(mod, expr)
    elif kind in ("class_declaration", "abstract_class_declaration"):
        name = stmt.child_by_field_name("name")
        body = stmt.child_by_field_name("body")
        if name is not None and body is not None:
            mod.classes[mod.text(name)] = class_methods(mod, body)


def _export_assignment(mod: JsModule, expr: Node, lenient: bool = False) -> None:
    left, right = expr.child_by_field_name("left"), unwrap(expr.child_by_field_name("right"))
    if left is None or right is None:
        return
    target = re.sub(r"[\s{}()]+" if lenient else r"\s+", "", mod.text(left))
    member = _EXPORTS_MEMBER.match(target)
    req = required(right)
    if req is not None and (member is not None or target == "module.exports"):
        # exports.handler = require("./x").handler; module.exports = require("./x")
        mod.reexports[member.group(1) if member is not None else "*"] = ImportRef(req[0], req[1])
        return
    if member is not None:
        name = member.group(1)
        inner, factories = wrapped(mod, right)
        if right.type in FUNCTION_TYPES:
            mod.exports[name] = right
        elif inner is not None:
            if isinstance(inner, str):
                mod.export_aliases[name] = inner
            else:
                mod.exports[name] = inner
            if factories:
                mod.wrappers[name] = factories
        elif right.type == "identifier":
            mod.export_aliases[name] = mod.text(right)
        elif right.type == "assignment_expression":  # exports.a = module.exports.a = function ...
            _export_assignment(mod, right)
            inner = unwrap(right.child_by_field_name("right"))
            if inner is not None and inner.type in FUNCTION_TYPES:
                mod.exports[name] = inner
        return
    if target != "module.exports":
        return
    if right.type in FUNCTION_TYPES:
        mod.exports["default"] = right
    elif right.type == "identifier":
        mod.export_aliases["default"] = mod.text(right)
    elif right.type == "object":
        for prop in right.named_children:
            if prop.type == "shorthand_property_identifier":
                mod.export_aliases[mod.text(prop)] = mod.text(prop)
            elif prop.type == "pair":
                key, value = prop.child_by_field_name("key"), unwrap(prop.child_by_field_name("value"))
                if key is None or value is None:
                    continue
                name = mod.text(key).strip("'\"")
                if value.type in FUNCTION_TYPES:
                    mod.exports[name] = value
                elif value.type == "identifier":
                    mod.export_aliases[name] = mod.text(value)
            elif prop.type == "method_definition":
                key = prop.child_by_field_name("name")
                if key is not None:
                    mod.exports[mod.text(key)] = prop


def class_methods(mod: JsModule, body: Node) -> dict[str, Node]:
    methods: dict[str, Node] = {}
    for member in body.named_children:
        if member.type == "method_definition":
            key = member.child_by_field_name("name")
            if key is not None:
                methods[mod.text(key)] = member
        elif member.type in ("field_definition", "public_field_definition"):  # handler = async (event) => ...
            key = member.child_by_field_name("property") or member.child_by_field_name("name")
            value = unwrap(member.child_by_field_name("value"))
            if key is not None and value is not None and value.type in FUNCTION_TYPES:
                methods[mod.text(key)] = value
    return methods


def wrapped(mod: JsModule, node: Node | None) -> tuple[Node | str | None, tuple[Node, ...]]:
    """The handler inside a wrapper: ``middy(fn).use(...)``, ``wrap(async (event) => ...)``; a function node or
    the name of one, and the factories called around it, outermost first (``withErrors``, ``lib.wrap``,
    ``withErrors({status: 500})``), with the middlewares given to middy's ``.use`` (the argument nodes);
    ``.bind`` is neither."""
    factories: list[Node] = []
    for _ in range(8):
        node = unwrap(node)
        if node is not None and node.type == "member_expression":  # instance.handle, new Lambda().handle
            return " ".join(mod.text(node).split()), tuple(factories)
        if node is None or node.type != "call_expression" or required(node) is not None:
            return None, ()
        func = unwrap(node.child_by_field_name("function"))
        bound = func.child_by_field_name("property") if func is not None and func.type == "member_expression" \
            else None
        if func is not None and bound is not None and mod.text(bound) == "bind":  # h.handler.bind(h)
            node = func.child_by_field_name("object")
            continue
        if func is not None and func.type == "member_expression":
            inner = unwrap(func.child_by_field_name("object"))
            if inner is not None and inner.type == "call_expression":  # middy(fn).use(a).use(b)
                args = node.child_by_field_name("arguments")
                if bound is not None and mod.text(bound) == "use" and args is not None:
                    factories.extend(args.named_children[:1])  # a middleware: its onError may answer
                node = inner
                continue
        args = node.child_by_field_name("arguments")
        first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if first is None:
            return None, ()
        if func is not None:
            factories.append(func)
        if first.type in FUNCTION_TYPES:
            return first, tuple(factories)
        if first.type == "identifier":
            return mod.text(first), tuple(factories)
        node = first
    return None, ()


def _is_container(mod: JsModule, value: Node) -> bool:
    if value.type in ("object", "array"):
        return True
    if value.type == "new_expression":
        ctor = value.child_by_field_name("constructor")
        return ctor is not None and mod.text(ctor) in ("Map", "Set", "Array", "Object")
    return False


_BARREL_STATEMENTS = frozenset({"import_statement", "export_statement", "comment", "empty_statement"})


def is_barrel(mod: JsModule) -> bool:
    """A module that only re-exports others (``index.ts`` of ``export * from "./a"``, ``export { b } from
    "./b"``): a bundler keeps of it only what the importer asks for."""
    if not mod.reexports or mod.exports or mod.functions or mod.constants or mod.classes:
        return False
    for stmt in mod.root.named_children:
        if stmt.type not in _BARREL_STATEMENTS:
            return False
        if stmt.type == "export_statement" and stmt.child_by_field_name("source") is None:
            return False
    return True


def walk(root: Node) -> Iterator[Node]:
    """Every named node under ``root`` (itself first), in source order, without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.named_children))


def prop_key(mod: JsModule, key: Node | None) -> str | None:
    """An object literal key as text (``a``, ``"a"``, ``1``); None for a computed key."""
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier", "number"):
        return mod.text(key)
    return string_value(key)
