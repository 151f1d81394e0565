"""The one routine that matches a Python call against the sink catalog (:data:`catalog.SINKS`), and the
engine's own persistence sinks (event data kept in module state or in files under /tmp).

What each sink is lives in :mod:`remit.code.python.catalog`; this module only reads the call: its
arguments by position and keyword, and the options an entry names (:class:`remit.code.sinkspec.Option`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from remit.code.facts import SinkKind
from remit.code.lattice import EMPTY, Value, union
from remit.code.python import catalog as cat
from remit.code.python.syntax import keyword, label_of, literal
from remit.code.sinkspec import ALL_ARGS, RECEIVER, Arg, Option, Sink

if TYPE_CHECKING:
    from remit.code.python.taint import FunctionAnalyzer

_STATE_METHODS = frozenset({"append", "add", "update", "extend", "insert", "setdefault", "__setitem__"})


@dataclass(frozen=True, slots=True)
class Call:
    """One call as the matcher reads it: the node, its qualified callee and method, its argument values."""

    node: ast.Call
    qual: str
    method: str
    args: list[Value]
    kwargs: dict[str, Value]
    receiver: Value

    def value(self, arg: Arg) -> Value:
        """What one dangerous argument holds: the positional one and its keyword names."""
        if arg.index == ALL_ARGS:
            return union(*self.args, *self.kwargs.values())
        if arg.index == RECEIVER:
            found = self.receiver
        else:
            found = self.args[arg.index] if 0 <= arg.index < len(self.args) else EMPTY
        return union(found, *(self.kwargs.get(n, EMPTY) for n in arg.names))

    def values(self, spec: Sink) -> Value:
        return union(*(self.value(a) for a in spec.args))

    def keyword(self, name: str) -> ast.expr | None:
        return keyword(self.node, name)

    def option_node(self, position: int, name: str) -> ast.expr | None:
        """An option given by position or by keyword (``yaml.load(s, Loader)`` / ``Loader=``)."""
        return self.node.args[position] if len(self.node.args) > position else self.keyword(name)


def match(fa: FunctionAnalyzer, call: Call) -> None:
    """Record the hits of the first catalog entry that takes the call, then the persistence sinks."""
    positional = len(call.node.args)
    for spec in cat.SINKS:
        if not spec.fits(call.qual, call.method, positional):
            continue
        if spec.builtin and fa.local_function(call.node.func) is not None:
            continue  # the package defines a function of that name: not the builtin
        judge(fa, spec, call)
        break
    persistence(fa, call)


def judge(fa: FunctionAnalyzer, spec: Sink, call: Call) -> None:
    """The hits of one entry on a call it takes, as its option decides."""
    names = {"callee": call.qual, "method": call.method}
    if spec.each_name:
        for arg in spec.args:
            for name in arg.names:
                if name in call.kwargs:
                    fa.sink(spec.kind, spec.label.format(keyword=name, **names), call.node, call.kwargs[name])
        return
    note = option_note(fa, spec, call)
    if note is None:
        return
    if isinstance(note, tuple):  # the option chose the dangerous value itself (a command list's program)
        note, value = note
    else:
        value = call.values(spec)
    keyword_given, other_label = spec.label_with
    template = other_label if keyword_given and keyword_given in call.kwargs else spec.label
    fa.sink(spec.kind, template.format(note=note, **names), call.node, value)


Note = str | tuple[str, Value] | None  # see option_note


def option_note(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    """None when the entry's option makes the call safe; otherwise the note for its label (and, for a command
    list, the value that is dangerous instead of the entry's arguments)."""
    check = _OPTIONS.get(spec.option)
    if check is None:
        raise ValueError(f"option {spec.option.value} is not read in Python")
    return check(fa, spec, call)


def _always(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    del fa, spec, call
    return ""


def _tmp_path(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    target = fa.prefix(call.node.args[spec.args[-1].index]) or ""
    return "" if target.startswith("/tmp") else None


def _unsafe_yaml(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    del fa
    loader = call.option_node(1, spec.keyword)
    loader_name = label_of(loader).rsplit(".", 1)[-1] if loader is not None else ""
    return None if loader_name in cat.YAML_SAFE_LOADERS else (loader_name or "default")


def _xml_parser(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    parser = call.option_node(1, spec.keyword)
    kind = (fa.kind_of(parser, None) if parser is not None else None) or ""
    if parser is not None and not kind.endswith(("!unsafe", "!default")):
        return None
    # the RMT-CODE-008 rule weighs "default" by the lxml version the function ships
    return "with resolve_entities=True" if kind.endswith("!unsafe") else "with the default parser"


def _keyword_false(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    del fa
    flag = call.keyword(spec.keyword)
    return "" if isinstance(flag, ast.Constant) and flag.value is False else None


def _launch(fa: FunctionAnalyzer, spec: Sink, call: Call) -> Note:
    """``subprocess.run``: a shell runs the whole command; without one, a list's program or a command string."""
    shell = call.keyword(spec.keyword)
    first = call.node.args[0] if call.node.args else call.keyword("args")
    if shell is not None and not (isinstance(shell, ast.Constant) and not shell.value):
        return f"{spec.keyword}=True"
    if isinstance(first, (ast.List, ast.Tuple)):
        return ("[program, ...]", fa.expr(first.elts[0])) if first.elts else None
    if first is not None and not spec.lists_only:
        return "<command string>"
    return None


_OPTIONS: dict[Option, Callable[[FunctionAnalyzer, Sink, Call], Note]] = {
    Option.ALWAYS: _always, Option.SHELL_KEYWORD: _launch, Option.TMP_PATH: _tmp_path,
    Option.UNSAFE_YAML: _unsafe_yaml, Option.XML_PARSER: _xml_parser, Option.KEYWORD_FALSE: _keyword_false,
}


def persistence(fa: FunctionAnalyzer, call: Call) -> None:
    """Event data kept beyond the invocation: written to a file under /tmp, or into module-level state."""
    node, method = call.node, call.method
    if method in ("write", "writelines") and isinstance(node.func, ast.Attribute):
        holder = node.func.value
        if isinstance(holder, ast.Name) and fa.kinds.get(holder.id) == "tmpfile":
            fa.sink(cat.PERSIST, "write to a file under /tmp", node, call.value(Arg(0)))
    if call.qual in cat.OPEN and fa.kind_of(node, None) == "tmpfile":
        fa.sink(cat.PERSIST, "file under /tmp named by event data", node, call.value(Arg(0, ("file",))))
    if method in _STATE_METHODS and isinstance(node.func, ast.Attribute) and \
            isinstance(node.func.value, ast.Name) and fa.is_module_state(node.func.value.id):
        fa.sink(cat.PERSIST, f"module-level {node.func.value.id}.{method}", node, call.value(Arg(ALL_ARGS)))


def response_dict(fa: FunctionAnalyzer, node: ast.Dict, values: list[Value]) -> None:
    """Redirects and HTML bodies in a Lambda proxy response written as a dict literal; ``$where`` in a
    MongoDB query."""
    keys = [literal(k) for k in node.keys]
    for key, value, value_node in zip(keys, values, node.values, strict=False):
        if key is None:
            continue
        if key.lower() == "location":
            fa.sink(SinkKind.REDIRECT.value, "Location header", value_node, value)
        elif key == "$where":
            fa.sink(SinkKind.NOSQL.value, "$where", value_node, value)
    if "body" in keys and "headers" in keys:
        headers = node.values[keys.index("headers")]
        if html_headers(fa, headers):
            body_index = keys.index("body")
            fa.sink(SinkKind.XSS.value, "HTML response body", node.values[body_index], values[body_index])


def html_headers(fa: FunctionAnalyzer, headers: ast.expr) -> bool:
    if isinstance(headers, ast.Name) and headers.id not in fa.env:
        found = fa.info.assigned.get(headers.id)
        headers = found if found is not None else headers
    if not isinstance(headers, ast.Dict):
        return False
    for key, value in zip(headers.keys, headers.values, strict=False):
        name = literal(key)
        text = literal(value)
        if name is not None and name.lower() == "content-type" and text is not None and "html" in text.lower():
            return True
    return False
