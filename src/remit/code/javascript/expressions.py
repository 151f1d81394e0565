"""How the JavaScript taint analysis evaluates each kind of expression to a value: one small function per
tree-sitter expression type.

A value is the set of dependencies on the function's parameters (:mod:`remit.code.lattice`). Reading a
property or an element extends the access path (``process.env`` is never event data); building text, arrays
and objects makes the value *derived*; ``||`` / ``??`` take either side, ``&&`` the right one. Calls go to the
analyzer (:meth:`~remit.code.javascript.taint.FunctionAnalyzer.call`), which matches sinks and follows the
package's functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from remit.code.javascript import catalog as cat
from remit.code.javascript.parse import string_value, unwrap
from remit.code.lattice import EMPTY, Value, add_step, derived, union

if TYPE_CHECKING:
    from tree_sitter import Node

    from remit.code.javascript.taint import FunctionAnalyzer


def evaluate(fa: FunctionAnalyzer, node: Node | None) -> Value:
    node = unwrap(node)
    if node is None:
        return EMPTY
    handler = _HANDLERS.get(node.type)
    return handler(fa, node) if handler is not None else EMPTY


def _first_child(fa: FunctionAnalyzer, node: Node) -> Value:
    """``await x``, ``(x)``, ``x as T``, ``x!``, ``...x``: the value of what is inside."""
    inner = node.named_children
    return fa.expr(inner[0]) if inner else EMPTY


def _identifier(fa: FunctionAnalyzer, node: Node) -> Value:
    return fa.env.get(fa.mod.text(node), EMPTY)


def _template(fa: FunctionAnalyzer, node: Node) -> Value:
    parts = union(*(fa.expr(c.named_children[0]) for c in node.named_children
                    if c.type == "template_substitution" and c.named_children))
    return fa.built(node, derived(parts))


def _binary(fa: FunctionAnalyzer, node: Node) -> Value:
    if fa.operator(node) == "+":
        operands = fa.operands(node)  # a long a + b + c chain, without recursing on its depth
        return fa.built(node, derived(union(*(fa.expr(o) for o in operands))))
    lhs = fa.expr(node.child_by_field_name("left"))
    rhs = fa.expr(node.child_by_field_name("right"))
    op = fa.operator(node)
    if op in ("||", "??", "&&"):
        return union(lhs, rhs) if op != "&&" else rhs
    return EMPTY


def _ternary(fa: FunctionAnalyzer, node: Node) -> Value:
    fa.expr(node.child_by_field_name("condition"))
    return union(fa.expr(node.child_by_field_name("consequence")), fa.expr(node.child_by_field_name("alternative")))


def _member(fa: FunctionAnalyzer, node: Node) -> Value:
    obj = node.child_by_field_name("object")
    prop = node.child_by_field_name("property")
    if obj is not None and fa.mod.text(obj) == "process.env":
        return EMPTY
    base = fa.expr(obj)
    name = fa.mod.text(prop) if prop is not None else "*"
    if not base or name in ("length", "size"):
        return EMPTY
    return fa.subscript(base, name, node, node)


def _subscript(fa: FunctionAnalyzer, node: Node) -> Value:
    base = fa.expr(node.child_by_field_name("object"))
    index = node.child_by_field_name("index")
    fa.expr(index)
    key = string_value(index)
    return fa.subscript(base, key if key is not None else "*", node, node) if base else EMPTY


def _call(fa: FunctionAnalyzer, node: Node) -> Value:
    value = fa.call(node)
    func = unwrap(node.child_by_field_name("function"))
    prop = func.child_by_field_name("property") if func is not None and func.type == "member_expression" else None
    if value and prop is not None and fa.mod.text(prop) in ("join", "format"):
        return fa.built(node, value)  # [API, "x", id].join("/"): the text starts with a fixed host
    return value


def _new(fa: FunctionAnalyzer, node: Node) -> Value:
    return fa.call(node, new=True)


def _object(fa: FunctionAnalyzer, node: Node) -> Value:
    return fa.object(node)


def _array(fa: FunctionAnalyzer, node: Node) -> Value:
    return derived(union(*(fa.expr(e) for e in node.named_children)))


def _assignment(fa: FunctionAnalyzer, node: Node) -> Value:
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    value = fa.expr(right)
    if left is not None:
        fa.bind(left, value, right, node)
    return value


def _augmented(fa: FunctionAnalyzer, node: Node) -> Value:
    """``x += value``: ``x`` is text built from what it held and the value."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    value = fa.expr(right)
    if left is not None and left.type == "identifier" and value:
        name = fa.mod.text(left)
        fa.env[name] = add_step(derived(union(fa.env.get(name, EMPTY), value)), fa.step(node, fa.label(node)))
        fa.prefixes.pop(name, None)
        fa.strings.add(name)
        if fa.is_module_state(name):
            fa.sink(cat.PERSIST, f"module-level {name}", node, value)
    elif left is not None and value:
        fa.bind(left, value, right, node)
    return value


def _sequence(fa: FunctionAnalyzer, node: Node) -> Value:
    values = [fa.expr(c) for c in node.named_children]
    return values[-1] if values else EMPTY


def _yield(fa: FunctionAnalyzer, node: Node) -> Value:
    value = union(*(fa.expr(c) for c in node.named_children))
    fa.returns = union(fa.returns, value)
    return EMPTY


def _unary(fa: FunctionAnalyzer, node: Node) -> Value:
    for child in node.named_children:
        fa.expr(child)
    return EMPTY


#: wrappers around an expression: its value is what is inside
WRAPPER_TARGETS = frozenset({"parenthesized_expression", "non_null_expression", "as_expression",
                             "satisfies_expression", "type_assertion"})

_HANDLERS: dict[str, Callable[[FunctionAnalyzer, Node], Value]] = {
    **dict.fromkeys((*WRAPPER_TARGETS, "await_expression", "spread_element"), _first_child),
    "identifier": _identifier, "template_string": _template, "binary_expression": _binary,
    "ternary_expression": _ternary, "member_expression": _member, "subscript_expression": _subscript,
    "call_expression": _call, "new_expression": _new, "object": _object, "array": _array,
    "assignment_expression": _assignment, "augmented_assignment_expression": _augmented,
    "sequence_expression": _sequence, "yield_expression": _yield, "unary_expression": _unary,
    "update_expression": _unary,
}
