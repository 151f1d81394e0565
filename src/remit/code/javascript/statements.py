"""How the JavaScript taint analysis steps over each kind of statement: one small function per tree-sitter
statement type.

Each takes the :class:`~remit.code.javascript.taint.FunctionAnalyzer` whose environment it updates and
evaluates expressions through it. Loops run their body twice and merge with the state before them; ``try``
merges the handler's outcome; ``catch (err)`` binds exception text (parameter ``-1``); ``switch`` merges every
case. Other statements carry no data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from remit.code.javascript.parse import FUNCTION_TYPES, unwrap
from remit.code.lattice import EMPTY, EXCEPTION, Dep, Value, add_step, union

if TYPE_CHECKING:
    from tree_sitter import Node

    from remit.code.javascript.taint import FunctionAnalyzer


def run(fa: FunctionAnalyzer, node: Node) -> None:
    handler = _HANDLERS.get(node.type)
    if handler is not None:
        handler(fa, node)


def _declaration(fa: FunctionAnalyzer, node: Node) -> None:
    for decl in node.named_children:
        if decl.type != "variable_declarator":
            continue
        name, value_node = decl.child_by_field_name("name"), decl.child_by_field_name("value")
        if name is None:
            continue
        inner = unwrap(value_node)
        if inner is not None and inner.type in FUNCTION_TYPES and name.type == "identifier":
            fa.local_defs[fa.mod.text(name)] = inner
            fa.locals.add(fa.mod.text(name))
            continue
        value = fa.expr(value_node) if value_node is not None else EMPTY
        fa.bind(name, value, value_node, decl, declare=True)


def _expressions(fa: FunctionAnalyzer, node: Node) -> None:
    """An expression statement or ``throw``: evaluated for the sinks it reaches."""
    for child in node.named_children:
        fa.expr(child)


def _return(fa: FunctionAnalyzer, node: Node) -> None:
    for child in node.named_children:
        value = fa.expr(child)
        fa.returns = union(fa.returns, add_step(value, fa.step(node, fa.label(node))))


def _if(fa: FunctionAnalyzer, node: Node) -> None:
    fa.branch(node)


def _for_in(fa: FunctionAnalyzer, node: Node) -> None:
    right = node.child_by_field_name("right")
    items = fa.expr(right)
    element = fa.element(items, right, node)
    left = node.child_by_field_name("left")
    before = dict(fa.env)
    body = node.child_by_field_name("body")
    for _ in range(2):
        if left is not None:
            fa.bind(left, element, right, node, declare=True)
        if body is not None:
            fa.stmt(body)
    fa.merge(before)


def _loop(fa: FunctionAnalyzer, node: Node) -> None:
    for part_name in ("initializer", "condition", "increment"):
        part = node.child_by_field_name(part_name)
        if part is not None:
            fa.stmt(part) if part.type.endswith(("declaration", "statement")) else fa.expr(part)
    before = dict(fa.env)
    body = node.child_by_field_name("body")
    for _ in range(2):
        if body is not None:
            fa.stmt(body)
    fa.merge(before)


def _block(fa: FunctionAnalyzer, node: Node) -> None:
    fa.hoist(node)
    fa.block(node)


def _try(fa: FunctionAnalyzer, node: Node) -> None:
    before = dict(fa.env)
    body = node.child_by_field_name("body")
    if body is not None:
        fa.stmt(body)
    after = dict(fa.env)
    outs = [after]
    handler = node.child_by_field_name("handler")
    if handler is not None:
        fa.env = dict(after)
        fa.merge(before)
        param = handler.child_by_field_name("parameter")
        if param is not None:
            dep = Dep(EXCEPTION, (), True, (fa.step(handler, f"catch ({fa.mod.text(param)})"),))
            fa.bind(param, (dep,), None, handler, declare=True, quiet=True)
        handler_body = handler.child_by_field_name("body")
        if handler_body is not None:
            fa.stmt(handler_body)
        outs.append(dict(fa.env))
    fa.env = outs[0]
    for other in outs[1:]:
        fa.merge(other)
    final = node.child_by_field_name("finalizer")
    if final is not None:
        for child in final.named_children:
            fa.stmt(child)


def _switch(fa: FunctionAnalyzer, node: Node) -> None:
    fa.expr(node.child_by_field_name("value"))
    body = node.child_by_field_name("body")
    before = dict(fa.env)
    outs: list[dict[str, Value]] = []
    for case in body.named_children if body is not None else []:
        fa.env = dict(before)
        for child in case.named_children:
            if child.type.endswith(("statement", "declaration")):
                fa.stmt(child)
        outs.append(fa.env)
    fa.env = before
    for other in outs:
        fa.merge(other)


def _labeled(fa: FunctionAnalyzer, node: Node) -> None:
    body = node.child_by_field_name("body")
    if body is not None:
        fa.stmt(body)


def _function(fa: FunctionAnalyzer, node: Node) -> None:
    name = node.child_by_field_name("name")
    if name is not None:
        fa.local_defs[fa.mod.text(name)] = node


_HANDLERS: dict[str, Callable[[FunctionAnalyzer, Node], None]] = {
    "lexical_declaration": _declaration, "variable_declaration": _declaration,
    "expression_statement": _expressions, "throw_statement": _expressions, "return_statement": _return,
    "if_statement": _if, "for_in_statement": _for_in, "for_statement": _loop, "while_statement": _loop,
    "do_statement": _loop, "statement_block": _block, "try_statement": _try, "switch_statement": _switch,
    "labeled_statement": _labeled, "function_declaration": _function, "generator_function_declaration": _function,
}
