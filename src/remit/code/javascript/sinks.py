"""The one routine that matches a JavaScript call against the sink catalog (:data:`catalog.SINKS`), and the
engine's own persistence sinks (event data kept in module state or in files under /tmp).

What each sink is lives in :mod:`remit.code.javascript.catalog`; this module only reads the call: its
arguments, the properties of an options object passed to it, and the options an entry names
(:class:`remit.code.sinkspec.Option`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from remit.code.facts import SinkKind
from remit.code.javascript import catalog as cat
from remit.code.javascript.parse import FUNCTION_TYPES, prop_key, string_value, unwrap
from remit.code.lattice import EMPTY, Value, union
from remit.code.sinkspec import ALL_ARGS, LAST, Arg, Option, Sink

if TYPE_CHECKING:
    from tree_sitter import Node

    from remit.code.javascript.taint import FunctionAnalyzer

_STATE_METHODS = frozenset({"push", "unshift", "set", "add", "splice", "assign"})

Note = str | tuple[str, Value] | None  # see option_note


class Call:
    """One call as the matcher reads it: the node, its callee (without ``new``), method and arguments."""

    __slots__ = ("arg_nodes", "args", "base", "fa", "method", "node", "operation")

    def __init__(self, fa: FunctionAnalyzer, node: Node, qual: str, method: str, arg_nodes: list[Node],
                 args: list[Value]) -> None:
        self.fa = fa
        self.node = node
        self.base = qual.removeprefix("new ")
        self.operation = self.base.rsplit(".", 1)[-1]
        self.method = method
        self.arg_nodes = arg_nodes
        self.args = args

    def arg(self, index: int) -> Value:
        return self.args[index] if 0 <= index < len(self.args) else EMPTY

    def options(self, index: int) -> dict[str, Value] | None:
        """The properties of an object literal argument (written in place or held by a variable)."""
        if index >= len(self.arg_nodes):
            return None
        node = unwrap(self.arg_nodes[index])
        if node is None:
            return None
        fa = self.fa
        if node.type == "object":
            return fa.props.get((node.start_byte, node.end_byte), {})
        if node.type == "identifier":
            return fa.objects.get(fa.mod.text(node))
        return None

    def option_nodes(self, index: int) -> dict[str, Node]:
        node = unwrap(self.arg_nodes[index]) if index < len(self.arg_nodes) else None
        if node is None:
            return {}
        fa = self.fa
        if node.type == "object":
            return fa.prop_nodes.get((node.start_byte, node.end_byte), {})
        if node.type == "identifier":
            return fa.object_nodes.get(fa.mod.text(node), {})
        return {}

    def properties(self, index: int, names: tuple[str, ...]) -> Value:
        found = self.options(index) or {}
        return union(*(found.get(k, EMPTY) for k in names))

    def value(self, arg: Arg) -> Value:
        """What one dangerous argument holds: the named properties of an options object, or the argument."""
        if arg.index == ALL_ARGS:
            return union(*self.args)
        index = len(self.args) - 1 if arg.index == LAST else arg.index
        if arg.names and self.options(index) is not None:
            return self.properties(index, arg.names)
        return self.arg(index)

    def values(self, spec: Sink) -> Value:
        return union(*(self.value(a) for a in spec.args))

    def names(self) -> dict[str, str]:
        return {"callee": self.base, "method": self.method, "operation": self.operation or self.method}


def match(fa: FunctionAnalyzer, call: Call) -> None:
    """Record the hits of the first entry of each catalog chain that takes the call, then the persistence
    sinks."""
    for chain in cat.SINKS:
        for spec in chain:
            if not spec.fits(call.base, call.method, len(call.arg_nodes)):
                continue
            if spec.options_object and call.options(0) is None:
                continue
            if spec.builtin and fa.local_function(call.node.child_by_field_name("function")) is not None:
                continue  # the package defines a function of that name
            judge(fa, spec, call)
            break
    persistence(fa, call)


def judge(fa: FunctionAnalyzer, spec: Sink, call: Call) -> None:
    """The hits of one entry on a call it takes, as its option decides."""
    if spec.each_name:
        found = call.options(0) or {}
        where = call.option_nodes(0)
        for arg in spec.args:
            for name in arg.names:
                if name in found:
                    fa.sink(spec.kind, spec.label.format(keyword=name, **call.names()), where.get(name, call.node),
                            found[name])
        return
    check = _OPTIONS.get(spec.option)
    if check is None:
        raise ValueError(f"option {spec.option.value} is not read in JavaScript")
    note = check(fa, spec, call)
    if note is None:
        return
    if isinstance(note, tuple):  # the option chose the dangerous value itself
        note, value = note
    else:
        value = call.values(spec)
    fa.sink(spec.kind, spec.label.format(note=note, **call.names()), call.node, value)


def _always(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    del fa, spec, call
    return ""


def _shell_property(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    """``spawn(cmd, args, {shell: true})``: a shell runs the program and its arguments as one command."""
    unquoted = re.compile(rf"\b{re.escape(spec.keyword)}\s*:\s*(?!false\b)")
    for a in call.arg_nodes[1:3]:
        inner = unwrap(a)
        if inner is None:
            continue
        if inner.type == "identifier":
            inner = fa.mod.constants.get(fa.mod.text(inner))
        elif inner.type != "object":
            continue
        if inner is not None and unquoted.search(fa.mod.text(inner)):
            return f"{spec.keyword}: true", union(call.arg(0), call.arg(1))
    return "<program>"


def _string_code(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    """``setTimeout("code", ms)`` runs a string; a function or a name (most likely a function) is no code."""
    del fa, spec
    first = unwrap(call.arg_nodes[0]) if call.arg_nodes else None
    if first is None or first.type in FUNCTION_TYPES or first.type == "identifier":
        return None
    return ""


def _sql_text(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    first = unwrap(call.arg_nodes[0])
    if first is not None and first.type == "object":
        return "", call.properties(0, spec.args[0].names)
    if first is not None and fa.stringish(first):
        return "", call.arg(0)
    return None


def _unsafe_yaml(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    options = call.arg_nodes[1] if len(call.arg_nodes) > 1 else None
    unsafe_schema = options is not None and spec.keyword in fa.mod.text(options)
    return "" if unsafe_schema or fa.program.yaml_unsafe else None


def _entities_option(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    options = call.arg_nodes[1] if len(call.arg_nodes) > 1 else None
    pattern = rf"\b{re.escape(spec.keyword)}\s*:\s*true"
    return "" if options is not None and re.search(pattern, fa.mod.text(options)) else None


def _first_literal(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    del fa
    return "" if (string_value(call.arg_nodes[0]) or "").lower() == spec.keyword else None


_OPTIONS: dict[Option, Callable[[FunctionAnalyzer, Sink, Call], Note]] = {
    Option.ALWAYS: _always, Option.SHELL_PROPERTY: _shell_property, Option.STRING_CODE: _string_code,
    Option.SQL_TEXT: _sql_text, Option.UNSAFE_YAML: _unsafe_yaml, Option.ENTITIES_OPTION: _entities_option,
    Option.FIRST_LITERAL: _first_literal,
}


def persistence(fa: FunctionAnalyzer, call: Call) -> None:
    """Event data kept beyond the invocation: a file written under /tmp (and not removed in the invocation),
    module-level state changed by a method (``cache.push(x)``) or ``Object.assign``."""
    mod, node, method = fa.mod, call.node, call.method
    if call.base in cat.TMP_WRITES:
        written = (fa.prefix(call.arg_nodes[0]) if call.arg_nodes else None) or ""
        if written.startswith("/tmp") and mod.text(call.arg_nodes[0]) not in fa.removed:
            fa.sink(cat.PERSIST, f"{call.base} under /tmp", node, union(call.arg(0), call.arg(1)))
    func = unwrap(node.child_by_field_name("function"))
    if method not in _STATE_METHODS or func is None:
        return
    owner = unwrap(func.child_by_field_name("object"))
    if owner is not None and owner.type == "identifier" and fa.is_module_state(mod.text(owner)):
        fa.sink(cat.PERSIST, f"module-level {mod.text(owner)}.{method}", node, union(*call.args))
    if call.base == "Object.assign" and call.arg_nodes:
        target = unwrap(call.arg_nodes[0])
        if target is not None and target.type == "identifier" and fa.is_module_state(mod.text(target)):
            fa.sink(cat.PERSIST, f"module-level {mod.text(target)} (Object.assign)", node, union(*call.args[1:]))


def response_object(fa: FunctionAnalyzer, props: dict[str, Value], nodes: dict[str, Node]) -> None:
    """Redirects and HTML bodies in a Lambda proxy response written as an object literal; ``$where``."""
    for key, value in props.items():
        if key.lower() == "location":
            fa.sink(SinkKind.REDIRECT.value, "Location header", nodes[key], value)
        elif key == "$where":
            fa.sink(SinkKind.NOSQL.value, "$where", nodes[key], value)
    if "body" in props and "headers" in props and html_headers(fa, nodes["headers"]):
        fa.sink(SinkKind.XSS.value, "HTML response body", nodes["body"], props["body"])


def html_headers(fa: FunctionAnalyzer, headers: Node) -> bool:
    mod = fa.mod
    headers = unwrap(headers) or headers
    if headers.type == "identifier" and mod.text(headers) not in fa.env:
        found = mod.constants.get(mod.text(headers))
        headers = found if found is not None else headers
    if headers.type != "object":
        return False
    for prop in headers.named_children:
        if prop.type != "pair":
            continue
        name = prop_key(mod, prop.child_by_field_name("key"))
        text = string_value(prop.child_by_field_name("value"))
        if name is not None and name.lower() == "content-type" and text is not None and "html" in text.lower():
            return True
    return False
