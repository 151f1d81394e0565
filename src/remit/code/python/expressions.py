"""How the Python taint analysis evaluates each kind of expression to a value: one small function per kind.

A value is the set of dependencies on the function's parameters (:mod:`remit.code.lattice`). Reading a field
or an element extends the access path; building text or containers makes the value *derived* (paths stop
extending); comparisons and constants carry nothing. Calls go to the analyzer
(:meth:`~remit.code.python.taint.FunctionAnalyzer.call`), which matches sinks and follows the package's
functions.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from remit.code.facts import SinkKind
from remit.code.lattice import EMPTY, Value, clear, derived, union
from remit.code.python import sinks
from remit.code.python.syntax import literal

if TYPE_CHECKING:
    from remit.code.python.taint import FunctionAnalyzer

#: attribute names of event wrappers (aws-lambda-powertools data classes) → the event field they read
SNAKE_TO_EVENT = {"query_string_parameters": "queryStringParameters", "path_parameters": "pathParameters",
                  "multi_value_query_string_parameters": "multiValueQueryStringParameters",
                  "multi_value_headers": "multiValueHeaders", "json_body": "body", "decoded_body": "body",
                  "raw_path": "rawPath", "raw_query_string": "rawQueryString", "records": "Records",
                  "request_context": "requestContext", "user_attributes": "userAttributes",
                  "user_name": "userName"}


def evaluate(fa: FunctionAnalyzer, node: ast.expr | None) -> Value:
    if node is None:
        return EMPTY
    handler = _HANDLERS.get(type(node))
    return handler(fa, node) if handler is not None else EMPTY


def _nothing(fa: FunctionAnalyzer, node: ast.expr) -> Value:
    del fa, node
    return EMPTY


def _name(fa: FunctionAnalyzer, node: ast.Name) -> Value:
    return fa.env.get(node.id, EMPTY)


def _fstring(fa: FunctionAnalyzer, node: ast.JoinedStr) -> Value:
    parts = union(*(fa.expr(v.value) for v in node.values if isinstance(v, ast.FormattedValue)))
    return fa.built(node, derived(parts))


def _formatted(fa: FunctionAnalyzer, node: ast.FormattedValue) -> Value:
    return fa.expr(node.value)


def _binary(fa: FunctionAnalyzer, node: ast.BinOp) -> Value:
    left, right = fa.expr(node.left), fa.expr(node.right)
    if isinstance(node.op, (ast.Add, ast.Mod, ast.Div)):
        return fa.built(node, derived(union(left, right)))
    return EMPTY


def _boolean(fa: FunctionAnalyzer, node: ast.BoolOp) -> Value:
    return union(*(fa.expr(v) for v in node.values))


def _conditional(fa: FunctionAnalyzer, node: ast.IfExp) -> Value:
    fa.expr(node.test)
    return union(fa.expr(node.body), fa.expr(node.orelse))


def _compare(fa: FunctionAnalyzer, node: ast.Compare) -> Value:
    fa.expr(node.left)
    for c in node.comparators:
        fa.expr(c)
    return EMPTY


def _unary(fa: FunctionAnalyzer, node: ast.UnaryOp) -> Value:
    fa.expr(node.operand)
    return EMPTY


def _subscript(fa: FunctionAnalyzer, node: ast.Subscript) -> Value:
    base = fa.expr(node.value)
    fa.expr(node.slice)
    key = literal(node.slice)
    if isinstance(node.slice, ast.Slice):
        return base
    if _last_path_segment(node):
        return clear(derived(base), (SinkKind.PATH.value,))  # x.split("/")[-1]: a name, no directory
    return fa.subscript(base, key if key is not None else "*", node, node)


def _attribute(fa: FunctionAnalyzer, node: ast.Attribute) -> Value:
    base = fa.expr(node.value)
    if not base:
        return EMPTY
    return fa.subscript(base, SNAKE_TO_EVENT.get(node.attr, node.attr), node, node)


def _call(fa: FunctionAnalyzer, node: ast.Call) -> Value:
    value = fa.call(node)
    if value and isinstance(node.func, ast.Attribute) and node.func.attr in ("join", "format"):
        return fa.built(node, value)  # "".join([API, "/x/", id]): the text starts with a fixed host
    return value


def _dict(fa: FunctionAnalyzer, node: ast.Dict) -> Value:
    values = [fa.expr(v) for v in node.values]
    keys = [fa.expr(k) for k in node.keys if k is not None]
    sinks.response_dict(fa, node, values)
    return derived(union(*values, *keys))


def _sequence(fa: FunctionAnalyzer, node: ast.List | ast.Tuple | ast.Set) -> Value:
    return derived(union(*(fa.expr(e) for e in node.elts)))


def _starred(fa: FunctionAnalyzer, node: ast.Starred) -> Value:
    return fa.expr(node.value)


def _comprehension(fa: FunctionAnalyzer, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) \
        -> Value:
    for gen in node.generators:
        items = fa.expr(gen.iter)
        fa.bind(gen.target, fa.subscript(items, "*", gen.iter, None), gen.iter,
                ast.Expr(value=gen.iter, lineno=gen.iter.lineno, col_offset=gen.iter.col_offset))
        for cond in gen.ifs:
            fa.expr(cond)
    if isinstance(node, ast.DictComp):
        return derived(union(fa.expr(node.key), fa.expr(node.value)))
    return derived(fa.expr(node.elt))


def _awaited(fa: FunctionAnalyzer, node: ast.Await | ast.YieldFrom) -> Value:
    return fa.expr(node.value)


def _yield(fa: FunctionAnalyzer, node: ast.Yield) -> Value:
    value = fa.expr(node.value)
    fa.returns = union(fa.returns, value)
    return EMPTY


def _walrus(fa: FunctionAnalyzer, node: ast.NamedExpr) -> Value:
    value = fa.expr(node.value)
    fa.bind(node.target, value, node.value, ast.Expr(value=node, lineno=node.lineno, col_offset=node.col_offset))
    return value


# each handler takes its own expression class; the table is keyed by exactly that class
_HANDLERS: dict[type[ast.expr], Callable[[FunctionAnalyzer, Any], Value]] = {
    ast.Constant: _nothing, ast.Name: _name, ast.JoinedStr: _fstring, ast.FormattedValue: _formatted,
    ast.BinOp: _binary, ast.BoolOp: _boolean, ast.IfExp: _conditional, ast.Compare: _compare, ast.UnaryOp: _unary,
    ast.Subscript: _subscript, ast.Attribute: _attribute, ast.Call: _call, ast.Dict: _dict, ast.List: _sequence,
    ast.Tuple: _sequence, ast.Set: _sequence, ast.Starred: _starred, ast.ListComp: _comprehension,
    ast.SetComp: _comprehension, ast.GeneratorExp: _comprehension, ast.DictComp: _comprehension,
    ast.Await: _awaited, ast.YieldFrom: _awaited, ast.Yield: _yield, ast.NamedExpr: _walrus,
}


def _last_path_segment(node: ast.Subscript) -> bool:
    """``value.split("/")[-1]`` / ``value.rsplit("/", 1)[-1]``: the last segment of a path holds no separator, like
    ``os.path.basename``, so it cannot climb out of a directory."""
    call = node.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("split", "rsplit") and call.args):
        return False
    separator = literal(call.args[0])
    index = node.slice
    negative_one = isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) \
        and isinstance(index.operand, ast.Constant) and index.operand.value == 1
    return separator in ("/", "\\") and negative_one
