"""HCL text -> a small expression tree with line numbers.

python-hcl2 parses with a Lark LALR grammar whose raw tree keeps the line of every node
(``propagate_positions``); its dict output does not (``with_meta`` has no effect in 8.x), and it renders every
expression back to a string. remit therefore reads the raw Lark tree and builds its own nodes: literals,
string templates, tuples, objects, traversals (``aws_iam_role.x.arn``, ``a[0]``, splats), function calls,
operators, conditionals and ``for`` expressions. Heredocs are templates too: their ``${...}`` parts are parsed
as expressions. Nothing is evaluated here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from remit.errors import HclError

MAX_DEPTH = 120  # nesting of expressions; deeper input is refused, never a recursion crash


# -- nodes ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Expr:
    line: int


@dataclass(frozen=True, slots=True)
class Lit(Expr):
    value: str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Template(Expr):
    """A string with interpolations; a part is literal text or an expression. ``directive`` marks a
    ``%{if}``/``%{for}`` template, which remit does not evaluate."""

    parts: tuple[str | Expr, ...]
    heredoc: bool = False
    directive: bool = False


@dataclass(frozen=True, slots=True)
class Tuple(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Object(Expr):
    items: tuple[tuple[Expr, Expr], ...]  # (key, value); a bare identifier key is a Lit


@dataclass(frozen=True, slots=True)
class Name(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    obj: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    obj: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """``obj[*].rest`` / ``obj.*.rest``: ``rest`` is applied to each element (``Name('*')`` stands for it)."""

    obj: Expr
    rest: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand: bool = False


@dataclass(frozen=True, slots=True)
class Cond(Expr):
    test: Expr
    then: Expr
    other: Expr


@dataclass(frozen=True, slots=True)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class For(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # object form: key => value
    value: Expr
    cond: Expr | None
    grouping: bool = False


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int


@dataclass(frozen=True, slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()


# -- reading the Lark tree ---------------------------------------------------------------------------
_CLOSING_MARKER = re.compile(r"^([ \t]*[A-Za-z][A-Za-z0-9._-]*)[ \t]+$", re.MULTILINE)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def parse(text: str) -> Body:
    """Parse one .tf file. Raises :class:`HclError` with the line when the text is not HCL."""
    from hcl2.api import parses_to_tree  # noqa: PLC0415 - hcl2 and lark load only when Terraform is scanned
    from lark.exceptions import LarkError  # noqa: PLC0415 - loaded on first use: most scans never need it

    # Terraform accepts a heredoc's closing marker followed by blanks; the grammar does not
    text = _CLOSING_MARKER.sub(r"\1", text)
    try:
        tree = parses_to_tree(text)
    except LarkError as exc:
        line = getattr(exc, "line", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HclError(first[:200], line if isinstance(line, int) and line > 0 else None) from None
    except RecursionError:
        raise HclError("nesting too deep") from None
    body = next((c for c in tree.children if _is(c, "body")), None)
    if body is None:
        return Body()
    try:
        return _Reader().body(body, 0)
    except RecursionError:
        raise HclError("nesting too deep") from None


def parse_expression(text: str, line: int) -> Expr:
    """One expression (from inside a heredoc's ``${...}``), its lines counted from ``line``."""
    body = parse("x = " + text + "\n")
    attr = body.attributes.get("x")
    if attr is None:
        raise HclError("not an expression", line)
    return _shift(attr.expr, line - 1)


def _shift(expr: Expr, offset: int) -> Expr:
    # heredoc interpolations are rare and small: rebuilding them with shifted lines is cheap enough

    changes: dict[str, Any] = {"line": expr.line + offset}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, Expr):
            changes[f.name] = _shift(value, offset)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(_shift_item(v, offset) for v in value)
    return dataclasses.replace(expr, **changes)


def _shift_item(value: Any, offset: int) -> Any:
    if isinstance(value, Expr):
        return _shift(value, offset)
    if isinstance(value, tuple):
        return tuple(_shift_item(v, offset) for v in value)
    return value


def _is(node: Any, name: str) -> bool:
    return getattr(node, "data", None) == name


def _line(node: Any, default: int = 1) -> int:
    line = getattr(node, "line", None)
    if isinstance(line, int):
        return line
    meta = getattr(node, "meta", None)
    line = getattr(meta, "line", None) if meta is not None and not getattr(meta, "empty", True) else None
    return line if isinstance(line, int) else default


def _trees(node: Any) -> list[Any]:
    """Children that are rules (not tokens), comments and newlines left out."""
    return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]


def unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = raw[i + 2: i + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                    i += 2 + width
                    continue
                except ValueError:
                    pass
        out.append(ch)
        i += 1
    return "".join(out)


class _Reader:
    def body(self, node: Any, depth: int) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in _trees(node):
            if child.data == "attribute":
                parts = _trees(child)
                name = self._name(parts[0])
                attributes[name] = Attribute(name, self.expr(parts[-1], depth + 1), _line(child))
            elif child.data == "block":
                parts = _trees(child)
                inner = parts[-1] if parts and parts[-1].data == "body" else None
                labels = [self._label(p) for p in parts[1:-1]] if inner is not None else []
                blocks.append(Block(self._name(parts[0]), tuple(labels),
                                    self.body(inner, depth + 1) if inner is not None else Body(), _line(child)))
        return Body(attributes, tuple(blocks))

    def _name(self, node: Any) -> str:
        return "".join(str(t) for t in node.children if not hasattr(t, "data"))

    def _label(self, node: Any) -> str:
        if node.data == "string":
            return "".join(unescape(str(p.children[0])) for p in _trees(node)
                           if p.children and not hasattr(p.children[0], "data"))
        return self._name(node)

    def expr(self, node: Any, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise HclError("expression nested too deeply", _line(node))
        kind = node.data
        line = _line(node)
        if kind == "expr_term":
            kids = _trees(node)
            if len(kids) == 1:
                return self.expr(kids[0], depth + 1)
            if not kids:
                return Lit(line, None)
            return self.expr(kids[0], depth + 1)
        if kind in {"identifier", "keyword"}:
            return Name(line, self._name(node))
        if kind == "literal_value":
            word = self._name(node)
            return Lit(line, {"true": True, "false": False}.get(word))
        if kind == "int_lit":
            return Lit(line, int(self._name(node)))
        if kind == "float_lit":
            return Lit(line, float(self._name(node)))
        if kind == "string":
            return self._string(node, depth)
        if kind == "template_string":
            return Lit(line, self._name(node).strip('\\"'))
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(self._name(node), line, kind.endswith("trim"))
        if kind == "tuple":
            return Tuple(line, tuple(self.expr(k, depth + 1) for k in _trees(node)))
        if kind == "object":
            items: list[tuple[Expr, Expr]] = []
            for elem in _trees(node):
                key_node, value_node = _trees(elem)[0], _trees(elem)[-1]
                key_kids = _trees(key_node)
                key = self.expr(key_kids[0], depth + 1) if key_kids else Lit(_line(elem), self._name(key_node))
                if isinstance(key, Name):
                    key = Lit(key.line, key.name)
                items.append((key, self.expr(value_node, depth + 1)))
            return Object(line, tuple(items))
        if kind == "function_call":
            kids = _trees(node)
            names = [self._name(k) for k in kids if k.data == "identifier"]
            args_node = next((k for k in kids if k.data == "arguments"), None)
            args = tuple(self.expr(a, depth + 1) for a in _trees(args_node)) if args_node is not None else ()
            expand = args_node is not None and any(str(t) == "..." for t in args_node.children
                                                   if not hasattr(t, "data"))
            return Call(line, "::".join(names), args, expand)
        if kind == "get_attr_expr_term":
            obj, attr = _trees(node)
            return GetAttr(line, self.expr(obj, depth + 1), self._attr_name(attr))
        if kind == "index_expr_term":
            obj, index = _trees(node)
            return Index(line, self.expr(obj, depth + 1), self._index(index, depth))
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            obj, splat = _trees(node)
            rest: Expr = Name(line, "*")
            for step in _trees(splat):
                if step.data == "get_attr":
                    rest = GetAttr(line, rest, self._attr_name(step))
                else:
                    rest = Index(line, rest, self._index(step, depth))
            return Splat(line, self.expr(obj, depth + 1), rest)
        if kind == "conditional":
            test, then, other = _trees(node)
            return Cond(line, self.expr(test, depth + 1), self.expr(then, depth + 1), self.expr(other, depth + 1))
        if kind == "binary_op":
            left, term = _trees(node)
            op_node, right = _trees(term)
            return BinOp(line, self._name(op_node).strip(), self.expr(left, depth + 1), self.expr(right, depth + 1))
        if kind == "unary_op":
            op = next(str(t) for t in node.children if not hasattr(t, "data"))
            return Unary(line, op, self.expr(_trees(node)[0], depth + 1))
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self._for(node, depth, kind == "for_object_expr")
        if kind == "interpolation":
            return self.expr(_trees(node)[0], depth + 1)
        raise HclError(f"unsupported expression ({kind})", line)

    def _attr_name(self, node: Any) -> str:
        kids = _trees(node)
        return self._name(kids[0]) if kids else self._name(node)

    def _index(self, node: Any, depth: int) -> Expr:
        if node.data == "short_index":
            digits = "".join(str(t) for t in node.children if not hasattr(t, "data") and str(t) != ".")
            return Lit(_line(node), int(digits))
        return self.expr(_trees(node)[0], depth + 1)

    def _for(self, node: Any, depth: int, is_object: bool) -> For:
        kids = _trees(node)
        intro = kids[0]
        intro_kids = _trees(intro)
        names = [self._name(k) for k in intro_kids if k.data == "identifier"]
        collection = self.expr(intro_kids[-1], depth + 1)
        rest = kids[1:]
        cond: Expr | None = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(_trees(rest[-1])[0], depth + 1)
            rest = rest[:-1]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0] if names else "_")
        grouping = any(str(t) == "..." for t in node.children if not hasattr(t, "data"))
        if is_object and len(rest) >= 2:
            return For(_line(node), key_var, value_var, collection, self.expr(rest[0], depth + 1),
                       self.expr(rest[1], depth + 1), cond, grouping)
        return For(_line(node), key_var, value_var, collection, None, self.expr(rest[0], depth + 1), cond)

    def _string(self, node: Any, depth: int) -> Expr:
        parts: list[str | Expr] = []
        directive = False
        for part in _trees(node):
            for piece in part.children:
                if not hasattr(piece, "data"):
                    raw = str(piece)
                    if getattr(piece, "type", "") in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                        parts.append(raw[1:])
                    else:
                        parts.append(unescape(raw))
                elif piece.data == "interpolation":
                    parts.append(self.expr(_trees(piece)[0], depth + 1))
                else:
                    directive = True
        return _template(_line(node), parts, heredoc=False, directive=directive)

    def _heredoc(self, raw: str, line: int, trim: bool) -> Expr:
        first_nl = raw.find("\n")
        body = raw[first_nl + 1:]
        body = body.rstrip("\r\n")
        lines = body.split("\n")
        lines = lines[:-1]  # the closing marker
        if trim:
            indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
            cut = min(indents) if indents else 0
            lines = [x[cut:] for x in lines]
        text = "\n".join(x.rstrip("\r") for x in lines) + ("\n" if lines else "")
        return _heredoc_template(text, line + 1)


def _template(line: int, parts: list[str | Expr], heredoc: bool, directive: bool) -> Expr:
    merged: list[str | Expr] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + p
        elif p != "":
            merged.append(p)
    if not directive and not heredoc and all(isinstance(p, str) for p in merged):
        return Lit(line, "".join(p for p in merged if isinstance(p, str)))
    return Template(line, tuple(merged), heredoc, directive)


def _heredoc_template(text: str, first_line: int) -> Expr:
    """Split heredoc text at ``${...}`` (braces balanced, strings skipped) and parse each expression."""
    parts: list[str | Expr] = []
    i = 0
    start = 0
    directive = "%{" in text.replace("%%{", "")
    while True:
        j = text.find("${", i)
        if j < 0:
            break
        if j > 0 and text[j - 1] == "$":  # $${ is a literal ${
            parts.append(text[start:j - 1] + "${")
            i = start = j + 2
            continue
        k, level, in_str = j + 2, 1, False
        while k < len(text) and level:
            ch = text[k]
            if in_str:
                if ch == "\\":
                    k += 1
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                level += 1
            elif ch == "}":
                level -= 1
            k += 1
        if level:
            break
        parts.append(text[start:j])
        line = first_line + text.count("\n", 0, j)
        inner = text[j + 2:k - 1]
        try:
            parts.append(parse_expression(inner, line))
        except HclError:
            parts.append(Call(line, "__unparsed__", (Lit(line, inner),)))
        i = start = k
    parts.append(text[start:])
    merged = [p for p in parts if p != ""]
    return Template(first_line, tuple(merged), heredoc=True, directive=directive)
