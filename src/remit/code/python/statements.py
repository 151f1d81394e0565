"""How the Python taint analysis steps over each kind of statement: one small function per kind.

Each takes the :class:`~remit.code.python.taint.FunctionAnalyzer` whose environment it updates (variable →
value), and evaluates expressions through it. Loops run their body twice and merge with the state before
them; ``try`` merges every handler's outcome; ``except ... as exc`` binds exception text (parameter ``-1``).
Statements of no consequence for data flow (``pass``, ``del``...) are skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from remit.code.lattice import EMPTY, EXCEPTION, Dep, add_step, derived, union
from remit.code.python import catalog as cat
from remit.code.python.modules import import_bindings
from remit.code.python.syntax import label_of

if TYPE_CHECKING:
    from remit.code.python.taint import FunctionAnalyzer


def run(fa: FunctionAnalyzer, node: ast.stmt) -> None:
    handler = _HANDLERS.get(type(node))
    if handler is not None:
        handler(fa, node)


def _assign(fa: FunctionAnalyzer, node: ast.Assign) -> None:
    value = fa.expr(node.value)
    for target in node.targets:
        fa.bind(target, value, node.value, node)


def _annotated(fa: FunctionAnalyzer, node: ast.AnnAssign) -> None:
    if node.value is not None:
        fa.bind(node.target, fa.expr(node.value), node.value, node)


def _augmented(fa: FunctionAnalyzer, node: ast.AugAssign) -> None:
    value = fa.expr(node.value)
    if not isinstance(node.target, ast.Name):
        fa.bind(node.target, value, node.value, node)
        return
    name = node.target.id
    merged = derived(union(fa.env.get(name, EMPTY), value))
    fa.env[name] = add_step(value, fa.step(node, label_of(node))) if value else merged
    if value and name in fa.globals:
        fa.sink(cat.PERSIST, f"global {name}", node, value)


def _expression(fa: FunctionAnalyzer, node: ast.Expr) -> None:
    fa.expr(node.value)


def _return(fa: FunctionAnalyzer, node: ast.Return) -> None:
    if node.value is not None:
        value = fa.expr(node.value)
        if value:  # nothing returned from the event: no step to label
            fa.returns = union(fa.returns, add_step(value, fa.step(node, label_of(node))))


def _if(fa: FunctionAnalyzer, node: ast.If) -> None:
    fa.branch(node)


def _for(fa: FunctionAnalyzer, node: ast.For | ast.AsyncFor) -> None:
    items = fa.expr(node.iter)
    element = fa.subscript(items, "*", node.iter, node)
    before = dict(fa.env)
    for _ in range(2):
        fa.bind(node.target, element, node.iter, node)
        fa.block(node.body)
    fa.merge(before)
    fa.block(node.orelse)


def _while(fa: FunctionAnalyzer, node: ast.While) -> None:
    fa.expr(node.test)
    before = dict(fa.env)
    for _ in range(2):
        fa.block(node.body)
    fa.merge(before)
    fa.block(node.orelse)


def _with(fa: FunctionAnalyzer, node: ast.With | ast.AsyncWith) -> None:
    for item in node.items:
        value = fa.expr(item.context_expr)
        if item.optional_vars is not None:
            fa.bind(item.optional_vars, value, item.context_expr, node)
    fa.block(node.body)


def _try(fa: FunctionAnalyzer, node: ast.Try | ast.TryStar) -> None:
    before = dict(fa.env)
    fa.block(node.body)
    after_body = dict(fa.env)
    outs = [after_body]
    for handler in node.handlers:
        fa.env = dict(after_body)
        fa.merge(before)
        if handler.name:
            caught = f"except {label_of(handler.type) if handler.type else ''} as {handler.name}"
            fa.env[handler.name] = (Dep(EXCEPTION, (), True, (fa.step(handler, caught),)),)
        fa.block(handler.body)
        outs.append(dict(fa.env))
    fa.env = outs[0]
    for other in outs[1:]:
        fa.merge(other)
    fa.block(node.orelse)
    fa.block(node.finalbody)


def _def(fa: FunctionAnalyzer, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    fa.local_defs[node.name] = node


def _import(fa: FunctionAnalyzer, node: ast.Import | ast.ImportFrom) -> None:
    fa.local_imports.update(import_bindings(node))


def _global(fa: FunctionAnalyzer, node: ast.Global) -> None:
    fa.globals.update(node.names)


def _match(fa: FunctionAnalyzer, node: ast.Match) -> None:
    fa.expr(node.subject)
    before = dict(fa.env)
    outs = []
    for case in node.cases:
        fa.env = dict(before)
        fa.block(case.body)
        outs.append(fa.env)
    fa.env = before
    for other in outs:
        fa.merge(other)


def _raise(fa: FunctionAnalyzer, node: ast.Raise) -> None:
    if node.exc is not None:
        fa.expr(node.exc)


def _assert(fa: FunctionAnalyzer, node: ast.Assert) -> None:
    fa.expr(node.test)


# each handler takes its own statement class; the table is keyed by exactly that class
_HANDLERS: dict[type[ast.stmt], Callable[[FunctionAnalyzer, Any], None]] = {
    ast.Assign: _assign, ast.AnnAssign: _annotated, ast.AugAssign: _augmented, ast.Expr: _expression,
    ast.Return: _return, ast.If: _if, ast.For: _for, ast.AsyncFor: _for, ast.While: _while, ast.With: _with,
    ast.AsyncWith: _with, ast.Try: _try, ast.TryStar: _try, ast.FunctionDef: _def, ast.AsyncFunctionDef: _def,
    ast.Import: _import, ast.ImportFrom: _import, ast.Global: _global, ast.Match: _match, ast.Raise: _raise,
    ast.Assert: _assert,
}
