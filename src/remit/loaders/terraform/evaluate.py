"""Evaluating a Terraform module's expressions offline.

Values are plain data where they are known before apply; otherwise explicit:

* :class:`Cfn` — a CloudFormation intrinsic standing for a resource attribute known after apply
  (``aws_iam_role.x.arn`` -> ``{"Fn::GetAtt": ["aws_iam_role.x", "Arn"]}``, ``.name`` -> ``{"Ref": ...}``) or
  a pseudo parameter (``data.aws_caller_identity.current.account_id`` -> ``AWS::AccountId``);
* :class:`Join` — a string template with such parts;
* :class:`Unk` — anything that cannot be known offline, with the reason (a remote module's output, a data
  source read at plan time, a condition on an unknown value...);
* :class:`JsonText` — ``jsonencode(...)`` of a structure, kept as the structure so a policy stays located;
* :class:`Archive` — the ``archive_file`` data source's output, remembering the directory it zips.

Objects and tuples are :class:`LDict` / :class:`LList` carrying the (file, line) of each key or item, and
heredocs / ``file()`` text are :class:`LStr` with their first line, so positions travel with values through
locals, variables and policy documents. Evaluation never raises for input: cycles, depth and size limits end
in :class:`Unk`.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.loaders.terraform import hcl

Loc = tuple[str, int]  # (file relative to the scanned root, line)
MAX_EVAL_DEPTH = 80
MAX_INSTANCES = 256  # count / for_each expansion per resource
MAX_ITEMS = 10_000  # for expressions, range()
MAX_FILE_READ = 512 * 1024


class LDict(dict[str, Any]):
    """An object value with the location of each key."""

    locs: dict[str, Loc]

    def __init__(self, *args: Any, locs: dict[str, Loc] | None = None) -> None:
        super().__init__(*args)
        self.locs = dict(locs or {})


class LList(list[Any]):
    """A tuple value with the location of each item."""

    locs: list[Loc | None]

    def __init__(self, items: Any = (), locs: list[Loc | None] | None = None) -> None:
        super().__init__(items)
        self.locs = list(locs) if locs is not None else [None] * len(self)


class LStr(str):
    """Text whose first line is known (a heredoc, a file read with ``file()``): JSON in it can be located."""

    loc: Loc

    def __new__(cls, value: str, loc: Loc) -> LStr:
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj


@dataclass(frozen=True, eq=False)
class Cfn:
    node: dict[str, Any]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cfn) and other.node == self.node

    def __hash__(self) -> int:
        return hash(json.dumps(self.node, sort_keys=True, default=str))


@dataclass(frozen=True)
class Unk:
    reason: str


@dataclass(frozen=True, eq=False)
class Join:
    parts: tuple[Any, ...]
    loc: Loc | None = None  # a heredoc's first line

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Join) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(tuple(str(p) for p in self.parts))


@dataclass(frozen=True, eq=False)
class JsonText:
    value: Any


@dataclass(frozen=True)
class Archive:
    """``data.archive_file.x.output_path``: the zip made from ``source`` (relative to the root module)."""

    source: str
    is_dir: bool
    output: str
    # an archive of `source { content, filename }` blocks: (filename, content) of each known one
    inline: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.output


def is_plain(value: Any) -> bool:
    if isinstance(value, (Cfn, Unk, Join, JsonText, Archive)):
        return False
    if isinstance(value, list):
        return all(is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(is_plain(v) for v in value.values())
    return True


def first_unknown(value: Any) -> Unk | None:
    if isinstance(value, Unk):
        return value
    if isinstance(value, list):
        for v in value:
            found = first_unknown(v)
            if found:
                return found
    if isinstance(value, dict):
        for v in value.values():
            found = first_unknown(v)
            if found:
                return found
    if isinstance(value, Join):
        for v in value.parts:
            if isinstance(v, Unk):
                return v
    return None


def concat(parts: list[Any], loc: Loc | None = None) -> Any:
    """Text from parts: a str when every part is known text, else a :class:`Join`."""
    out: list[Any] = []
    for part in parts:
        pieces: tuple[Any, ...]
        if isinstance(part, Join):
            pieces = part.parts
        elif isinstance(part, (Cfn, Unk)):
            pieces = (part,)
        elif isinstance(part, Archive):
            pieces = (part.output,)
        elif isinstance(part, JsonText):
            pieces = (json.dumps(part.value),) if is_plain(part.value) else (Unk("jsonencode of a value known "
                                                                                 "after apply, inside a string"),)
        elif isinstance(part, bool):
            pieces = ("true" if part else "false",)
        elif part is None:
            pieces = ("",)
        elif isinstance(part, (int, float)):
            pieces = (_num_text(part),)
        elif isinstance(part, str):
            pieces = (str(part),)
        else:
            pieces = (Unk("a list or map inside a string"),)
        for piece in pieces:
            if isinstance(piece, str) and out and isinstance(out[-1], str):
                out[-1] = out[-1] + piece
            elif piece != "":
                out.append(piece)
    if all(isinstance(p, str) for p in out):
        text = "".join(out)
        return LStr(text, loc) if loc is not None else text
    return Join(tuple(out), loc)


def _num_text(n: float) -> str:
    if isinstance(n, float) and n.is_integer() and abs(n) < 1e15:
        return str(int(n))
    return str(n)


@dataclass
class Scope:
    """What an expression sees besides the module: its file and the names bound around it (count, each,
    for-expression variables, dynamic block iterators)."""

    file: str
    names: dict[str, Any] = field(default_factory=dict)

    def bind(self, **names: Any) -> Scope:
        return Scope(self.file, {**self.names, **names})


# -- what a resource's attribute is, before apply ------------------------------------------------------
def _getatt(lid: str, attr: str) -> Cfn:
    return Cfn({"Fn::GetAtt": [lid, attr]})


def _ref(lid: str) -> Cfn:
    return Cfn({"Ref": lid})


def _pseudo(name: str) -> Cfn:
    return Cfn({"Ref": name})


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


_REF_ATTRS: dict[str, frozenset[str]] = {
    # attributes whose value is what CloudFormation's Ref gives for the resource
    "aws_iam_role": frozenset({"name", "id"}),
    "aws_iam_user": frozenset({"name", "id"}),
    "aws_iam_group": frozenset({"name", "id"}),
    "aws_iam_policy": frozenset({"arn", "id"}),
    "aws_lambda_function": frozenset({"function_name", "id"}),
    "aws_s3_bucket": frozenset({"id", "bucket"}),
    "aws_sqs_queue": frozenset({"id", "url"}),
    "aws_sns_topic": frozenset({"arn", "id"}),
    "aws_dynamodb_table": frozenset({"name", "id"}),
    "aws_secretsmanager_secret": frozenset({"arn", "id"}),
    "aws_kms_key": frozenset({"key_id", "id"}),
    "aws_cloudwatch_event_bus": frozenset({"name", "id"}),
    "aws_cloudwatch_event_rule": frozenset({"name", "id"}),
    "aws_sfn_state_machine": frozenset({"arn", "id"}),
    "aws_cloudwatch_log_group": frozenset({"name", "id"}),
    "aws_cognito_user_pool": frozenset({"id"}),
    "aws_cognito_user_pool_client": frozenset({"id"}),
    "aws_cognito_identity_pool": frozenset({"id"}),
    "aws_api_gateway_rest_api": frozenset({"id"}),
    "aws_api_gateway_resource": frozenset({"id"}),
    "aws_api_gateway_authorizer": frozenset({"id"}),
    "aws_api_gateway_deployment": frozenset({"id"}),
    "aws_apigatewayv2_api": frozenset({"id"}),
    "aws_apigatewayv2_integration": frozenset({"id"}),
    "aws_apigatewayv2_authorizer": frozenset({"id"}),
    "aws_apigatewayv2_route": frozenset({"id"}),
    "aws_lambda_layer_version": frozenset({"arn", "id"}),
}
_GETATT_NAMES = {
    ("aws_sqs_queue", "name"): "QueueName",
    ("aws_sns_topic", "name"): "TopicName",
    ("aws_dynamodb_table", "stream_arn"): "StreamArn",
    ("aws_cognito_user_pool", "endpoint"): "ProviderName",
    ("aws_api_gateway_rest_api", "root_resource_id"): "RootResourceId",
    ("aws_cloudwatch_event_bus", "arn"): "Arn",
    ("aws_lambda_function", "qualified_arn"): "Arn",
}


def _required(value: Any) -> bool:
    """A root variable without a default (a deployment parameter): Terraform refuses to plan without it."""
    return isinstance(value, Cfn) and str(value.node.get("Ref", "")).startswith("var.")


def resource_attribute(rtype: str, lid: str, attr: str) -> Any:
    """An attribute Terraform knows only after apply, as the CloudFormation value that stands for it."""
    if attr in _REF_ATTRS.get(rtype, frozenset()):
        return _ref(lid)
    if (rtype, attr) in _GETATT_NAMES:
        return _getatt(lid, _GETATT_NAMES[(rtype, attr)])
    if rtype == "aws_lambda_function" and attr == "invoke_arn":
        return concat(["arn:", _pseudo("AWS::Partition"), ":apigateway:",
                       _pseudo("AWS::Region"), ":lambda:path/2015-03-31/functions/", _getatt(lid, "Arn"),
                       "/invocations"])
    if rtype in ("aws_apigatewayv2_api", "aws_api_gateway_rest_api") and attr == "execution_arn":
        return concat(["arn:", _pseudo("AWS::Partition"), ":execute-api:", _pseudo("AWS::Region"), ":",
                       _pseudo("AWS::AccountId"), ":", _ref(lid)])
    if rtype == "aws_apigatewayv2_api" and attr == "api_endpoint":
        return concat(["https://", _ref(lid), ".execute-api.", _pseudo("AWS::Region"), ".amazonaws.com"])
    return _getatt(lid, _camel(attr))


# -- the evaluator ------------------------------------------------------------------------------------
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "%": lambda a, b: a % b,
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b), ">": lambda a, b: bool(a > b), "<=": lambda a, b: bool(a <= b),
    ">=": lambda a, b: bool(a >= b),
}


class Namespace:
    """Something a traversal steps into: ``var``, ``local``, ``aws_iam_role``, ``module.x``..."""

    def attr(self, name: str, line: int) -> Any:
        raise NotImplementedError

    def index(self, key: Any, line: int) -> Any:
        return Unk(f"index into {self.describe()}")

    def splat(self) -> list[Any] | None:
        return None

    def describe(self) -> str:
        return type(self).__name__


class Evaluator:
    """Evaluates expressions of one module. ``lookup(name)`` gives the module-level namespace for a root
    name (``var``, ``local``, ``data``, ``module``, a resource type) or None."""

    def __init__(self, lookup: Callable[[str, Scope], Any], scan_root: Path, cwd: Path) -> None:
        self.lookup = lookup
        self.scan_root = scan_root.resolve()  # file() never reads outside it
        self.cwd = cwd  # the root module's directory: Terraform resolves relative paths from there
        self.depth = 0

    def eval(self, expr: hcl.Expr, scope: Scope) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_EVAL_DEPTH:
                return Unk("expression nested too deeply (or a reference cycle)")
            if isinstance(expr, hcl.Lit):
                return expr.value
            if isinstance(expr, hcl.Template):
                return self._template(expr, scope)
            if isinstance(expr, hcl.Tuple):
                values = [self.eval(i, scope) for i in expr.items]
                return LList(values, [(scope.file, i.line) for i in expr.items])
            if isinstance(expr, hcl.Object):
                out = LDict()
                for key_expr, value_expr in expr.items:
                    key = self.eval(key_expr, scope)
                    if isinstance(key, (int, float, bool)):
                        key = concat([key])
                    if not isinstance(key, str):
                        return Unk("an object with a key known only after apply")
                    out[str(key)] = self.eval(value_expr, scope)
                    out.locs[str(key)] = (scope.file, key_expr.line)
                return out
            if isinstance(expr, hcl.Name):
                if expr.name in scope.names:
                    return scope.names[expr.name]
                found = self.lookup(expr.name, scope)
                return found if found is not None else Unk(f"{expr.name} is not defined")
            if isinstance(expr, hcl.GetAttr):
                return self._get(self.eval(expr.obj, scope), expr.name, expr.line)
            if isinstance(expr, hcl.Index):
                return self._index(self.eval(expr.obj, scope), self.eval(expr.key, scope), expr.line)
            if isinstance(expr, hcl.Splat):
                return self._splat(expr, scope)
            if isinstance(expr, hcl.Call):
                return self._call(expr, scope)
            if isinstance(expr, hcl.Cond):
                test = self.eval(expr.test, scope)
                if isinstance(test, bool):
                    return self.eval(expr.then if test else expr.other, scope)
                then, other = self.eval(expr.then, scope), self.eval(expr.other, scope)
                if then == other and not isinstance(then, Unk):
                    return then
                return Unk("a conditional whose condition is known only at apply")
            if isinstance(expr, hcl.BinOp):
                return self._binop(expr, scope)
            if isinstance(expr, hcl.Unary):
                value = self.eval(expr.operand, scope)
                if expr.op == "!" and isinstance(value, bool):
                    return not value
                if expr.op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    return -value
                return Unk(f"{expr.op} of a value known only at apply")
            if isinstance(expr, hcl.For):
                return self._for(expr, scope)
            return Unk(f"unsupported expression {type(expr).__name__}")
        finally:
            self.depth -= 1

    # -- pieces ---------------------------------------------------------------------------------
    def _template(self, expr: hcl.Template, scope: Scope) -> Any:
        if expr.directive:
            return Unk("a string template with %{if}/%{for} directives")
        parts = [p if isinstance(p, str) else self.eval(p, scope) for p in expr.parts]
        if len(parts) == 1 and not isinstance(expr.parts[0], str) and not expr.heredoc:
            return parts[0]  # "${x}" is x itself, a list or a map included
        return concat(parts, (scope.file, expr.line) if expr.heredoc else None)

    def _get(self, obj: Any, name: str, line: int) -> Any:
        if isinstance(obj, Namespace):
            return obj.attr(name, line)
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
            return Unk(f"attribute {name} is not set")
        if isinstance(obj, Unk):
            return obj
        if isinstance(obj, JsonText):
            return self._get(obj.value, name, line)
        if isinstance(obj, list) and len(obj) == 1:
            return self._get(obj[0], name, line)
        return Unk(f"attribute {name} of a value known only at apply")

    def _index(self, obj: Any, key: Any, line: int) -> Any:
        if isinstance(obj, Namespace):
            return obj.index(key, line)
        if isinstance(obj, Unk):
            return obj
        if isinstance(key, (Unk, Cfn, Join)):
            return Unk("an index known only at apply")
        if isinstance(obj, list):
            try:
                return obj[int(key)]
            except (ValueError, TypeError, IndexError):
                return Unk(f"index {key!r} out of range")
        if isinstance(obj, dict):
            return obj.get(str(key), Unk(f"key {key!r} not in the map"))
        return Unk("index into a value known only at apply")

    def _splat(self, expr: hcl.Splat, scope: Scope) -> Any:
        obj = self.eval(expr.obj, scope)
        items: list[Any] | None
        if isinstance(obj, Namespace):
            items = obj.splat()
        elif isinstance(obj, list):
            items = list(obj)
        elif isinstance(obj, Unk):
            return obj
        elif obj is None:
            items = []
        else:
            items = [obj]
        if items is None:
            return Unk("a splat over a value known only at apply")
        return LList([self.eval(expr.rest, scope.bind(**{"*": item})) for item in items])

    def _binop(self, expr: hcl.BinOp, scope: Scope) -> Any:
        left = self.eval(expr.left, scope)
        if expr.op in ("&&", "||") and isinstance(left, bool):
            if (expr.op == "&&" and not left) or (expr.op == "||" and left):
                return left
            right = self.eval(expr.right, scope)
            return right if isinstance(right, bool) else Unk("a condition known only at apply")
        right = self.eval(expr.right, scope)
        if expr.op in ("==", "!="):
            if is_plain(left) and is_plain(right):
                same = left == right
                return same if expr.op == "==" else not same
            if (left is None and _required(right)) or (right is None and _required(left)):
                return expr.op == "!="  # a variable the deployer must set is never null
            return Unk("a comparison with a value known only at apply")
        a, b = _number(left), _number(right)
        if a is None or b is None:
            return Unk(f"{expr.op} on values known only at apply")
        try:
            if expr.op in _ARITH:
                result = _ARITH[expr.op](a, b)
                return int(result) if isinstance(result, float) and result.is_integer() and expr.op != "/" else result
            if expr.op in _COMPARE:
                return _COMPARE[expr.op](a, b)
        except (ZeroDivisionError, OverflowError, ValueError):
            return Unk(f"{expr.op} failed")
        return Unk(f"operator {expr.op}")

    def _for(self, expr: hcl.For, scope: Scope) -> Any:
        coll = self.eval(expr.collection, scope)
        if isinstance(coll, dict):
            pairs = list(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            return Unk("a for expression over a collection known only at apply")
        if len(pairs) > MAX_ITEMS:
            return Unk("a for expression over too many items")
        out_list = LList()
        out_map = LDict()
        for k, v in pairs:
            names = {expr.value_var: v}
            if expr.key_var:
                names[expr.key_var] = k
            inner = scope.bind(**names)
            if expr.cond is not None:
                keep = self.eval(expr.cond, inner)
                if not isinstance(keep, bool):
                    return Unk("a for expression filtered by a value known only at apply")
                if not keep:
                    continue
            value = self.eval(expr.value, inner)
            if expr.key is None:
                out_list.append(value)
                out_list.locs.append((scope.file, expr.line))
                continue
            key = self.eval(expr.key, inner)
            if not isinstance(key, (str, int, float)) or isinstance(key, bool):
                return Unk("a for expression with keys known only at apply")
            skey = concat([key])
            if expr.grouping:
                out_map.setdefault(skey, LList()).append(value)
            else:
                out_map[skey] = value
            out_map.locs[skey] = (scope.file, expr.line)
        return out_list if expr.key is None else out_map

    # -- functions --------------------------------------------------------------------------------
    def _call(self, expr: hcl.Call, scope: Scope) -> Any:
        name = expr.name.split("::")[-1]
        if name == "__unparsed__":
            return Unk("an interpolation remit could not parse")
        if name == "try":
            for arg in expr.args:
                value = self.eval(arg, scope)
                if first_unknown(value) is None:
                    return value
            return Unk("try() where every argument is unknown")
        if name == "can":
            value = self.eval(expr.args[0], scope) if expr.args else None
            return True if first_unknown(value) is None else Unk("can() of an unknown value")
        args = [self.eval(a, scope) for a in expr.args]
        if expr.expand and args and isinstance(args[-1], list):
            args = [*args[:-1], *args[-1]]
        if name == "jsonencode" and len(args) == 1:
            return JsonText(args[0])
        if name in ("sensitive", "nonsensitive", "tostring", "tolist", "toset", "tomap", "one") and len(args) == 1:
            value = args[0]
            if name == "toset" and isinstance(value, list) and is_plain(value):
                return LList(_dedupe(value))
            if name == "one" and isinstance(value, list):
                return value[0] if len(value) == 1 else (None if not value else Unk("one() of several"))
            if name == "tostring" and isinstance(value, (int, float, bool)):
                return concat([value])
            return value
        if name == "file" and len(args) == 1:
            return self._file(args[0], expr.line)
        if name == "templatefile" and len(args) == 2:
            return self._templatefile(args[0], args[1], expr.line)
        if name in ("templatefile", "filebase64", "filebase64sha256", "filesha256", "filemd5", "base64sha256",
                    "sha256", "sha1", "md5", "uuid", "timestamp", "bcrypt", "base64encode", "cidrsubnet",
                    "regex", "regexall", "yamldecode", "fileset", "templatestring"):
            return Unk(f"{name}() is not evaluated offline")
        bad = next((a for a in args if isinstance(a, Unk)), None)
        if bad is not None:
            return bad
        if name == "jsondecode" and len(args) == 1:
            if isinstance(args[0], str):
                try:
                    return untrusted.json_loads(args[0])
                except ValueError:
                    return Unk("jsondecode of text that is not JSON")
            if isinstance(args[0], JsonText):
                return args[0].value
            return Unk("jsondecode of a value known only at apply")
        if name in ("merge", "concat", "flatten", "coalesce", "coalescelist", "compact", "distinct", "keys",
                    "values", "lookup", "element", "length", "contains", "zipmap", "join", "split", "format",
                    "lower", "upper", "title", "trimspace", "replace", "substr", "startswith", "endswith",
                    "range", "min", "max", "abs", "ceil", "floor", "basename", "dirname", "abspath", "reverse",
                    "sort", "slice", "index", "trimprefix", "trimsuffix", "trim", "tonumber", "formatlist",
                    "setunion", "chunklist", "can", "alltrue", "anytrue", "sum", "pathexpand", "list", "map"):
            try:
                return _builtin(name, args)
            except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError):
                return Unk(f"{name}() of values known only at apply")
        return Unk(f"function {expr.name}() is not evaluated offline")

    def _file(self, arg: Any, line: int) -> Any:
        if not isinstance(arg, str):
            return Unk("file() of a path known only at apply")
        try:
            path = (self.cwd / arg).resolve()
            if self.scan_root not in path.parents or not path.is_file() or path.stat().st_size > MAX_FILE_READ:
                return Unk(f"file({arg}) is outside the scanned root, missing or too large")
            text = safeio.read_text(path, MAX_FILE_READ)
        except (OSError, UnicodeDecodeError, ValueError):
            return Unk(f"file({arg}) could not be read")
        return LStr(text, (path.relative_to(self.scan_root).as_posix(), 1))


    def _templatefile(self, arg: Any, variables: Any, line: int) -> Any:
        """``templatefile(path, vars)`` for a template inside the scanned root: each ``${name}`` (and
        ``${name.key}`` into an object) replaced by its variable. A value known only at apply stays written as
        ``${name}``, so the text keeps its shape (code stays code); ``%{}`` directives and other expressions are
        not evaluated: the whole result is then unknown."""
        text = self._file(arg, line)
        if not isinstance(text, LStr):
            return Unk(f"template{text.reason}") if isinstance(text, Unk) else text  # "file(x) is outside..."
        if not isinstance(variables, dict):
            return Unk(f"templatefile({arg}) with variables known only at apply")
        out: list[str] = []
        pos = 0
        for match in _TEMPLATE_PART.finditer(text):
            out.append(text[pos:match.start()])
            pos = match.end()
            escaped, directive, name = match.group("escaped"), match.group("directive"), match.group("name")
            if escaped:
                out.append(escaped[1:])
            elif directive is not None:
                return Unk(f"templatefile({arg}): %{{}} directives are not evaluated offline")
            elif name is None:
                return Unk(f"templatefile({arg}): an expression other than a variable is not evaluated offline")
            else:
                value: Any = variables
                for part in name.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                if value is None:
                    return Unk(f"templatefile({arg}): ${{{name}}} is not among its variables")
                plain = _template_text(value)
                out.append(plain if plain is not None else match.group(0))
        out.append(text[pos:])
        return LStr("".join(out), text.loc)


# in a template: `$${` / `%%{` escapes, a `%{` directive, `${ name }` / `${ name.key }`, any other `${...}`
_TEMPLATE_PART = re.compile(r"(?P<escaped>\$\$\{|%%\{)|(?P<directive>%\{)|\$\{\s*(?:(?P<name>[A-Za-z_][\w-]*"
                            r"(?:\.[A-Za-z_][\w-]*)*)\s*\}|[^}]*\})")


def _template_text(value: Any) -> str | None:
    """A variable's text in a rendered template, when it is known."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)) and is_plain(value):
        return str(value)
    return None


def _dedupe(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for v in values:
        key = json.dumps(v, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _strings(args: list[Any]) -> list[str]:
    out = []
    for a in args:
        if isinstance(a, bool):
            out.append("true" if a else "false")
        elif isinstance(a, (int, float)):
            out.append(_num_text(a))
        elif isinstance(a, str):
            out.append(a)
        else:
            raise TypeError("not text")
    return out


def _format(fmt: str, values: list[Any]) -> str:
    out: list[str] = []
    i = j = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            spec = fmt[i + 1]
            if spec == "%":
                out.append("%")
                i += 2
                continue
            k = i + 1
            while k < len(fmt) and fmt[k] in "0123456789.#+- ":
                k += 1
            if k < len(fmt):
                value = values[j]
                j += 1
                out.append(json.dumps(value) if fmt[k] == "q" else _strings([value])[0] if not isinstance(
                    value, (list, dict)) else json.dumps(value))
                i = k + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _builtin(name: str, args: list[Any]) -> Any:
    if name == "merge":
        merged = LDict()
        for a in args:
            if a is None:
                continue
            if not isinstance(a, dict):
                return Unk("merge() of a value known only at apply")
            merged.update(a)
            if isinstance(a, LDict):
                merged.locs.update(a.locs)
        return merged
    if name in ("concat", "setunion"):
        out = LList()
        for a in args:
            if not isinstance(a, list):
                return Unk(f"{name}() of a value known only at apply")
            out.extend(a)
            out.locs.extend(a.locs if isinstance(a, LList) else [None] * len(a))
        return _dedupe(out) if name == "setunion" else out
    if name == "flatten":
        def flat(v: Any) -> Iterator[Any]:
            for x in v:
                if isinstance(x, list):
                    yield from flat(x)
                else:
                    yield x
        return LList(list(flat(args[0]))) if isinstance(args[0], list) else Unk("flatten of an unknown")
    if name == "coalesce":
        return next((a for a in args if a not in (None, "")), Unk("coalesce() of nothing known"))
    if name == "coalescelist":
        return next((a for a in args if isinstance(a, list) and a), LList())
    if name == "compact":
        return LList([a for a in args[0] if a not in (None, "")])
    if name == "distinct":
        return _dedupe(args[0])
    if name == "keys":
        return LList(sorted(args[0].keys()))
    if name == "values":
        return LList([args[0][k] for k in sorted(args[0].keys())])
    if name == "lookup":
        if isinstance(args[0], dict):
            return args[0].get(str(args[1]), args[2] if len(args) > 2 else Unk(f"lookup of a missing {args[1]}"))
        return Unk("lookup in a map known only at apply")
    if name == "element":
        return args[0][int(args[1]) % len(args[0])]
    if name == "length":
        if isinstance(args[0], (list, dict, str)):
            return len(args[0])
        return Unk("length of a value known only at apply")
    if name == "contains":
        return args[1] in args[0] if is_plain(args[1]) else Unk("contains() of an unknown")
    if name == "zipmap":
        return LDict(zip(_strings(args[0]), args[1], strict=False))
    if name == "join":
        sep = args[0]
        items = [x for a in args[1:] for x in (a if isinstance(a, list) else [a])]
        parts: list[Any] = []
        for i, item in enumerate(items):
            if i:
                parts.append(sep)
            parts.append(item)
        return concat(parts)
    if name == "split":
        if isinstance(args[1], str) and isinstance(args[0], str) and args[0]:
            return LList(args[1].split(args[0]))
        return Unk("split() of text known only at apply")
    if name == "format":
        if isinstance(args[0], str) and all(is_plain(a) for a in args[1:]):
            return _format(args[0], list(args[1:]))
        if isinstance(args[0], str) and args[0].count("%") == len(args) - 1 and "%%" not in args[0]:
            pieces = args[0].split("%")
            parts = [pieces[0]]
            for value, piece in zip(args[1:], pieces[1:], strict=False):
                parts.extend([value, piece[1:]])
            return concat(parts)
        return Unk("format() with values known only at apply")
    if name == "formatlist":
        return Unk("formatlist() is not evaluated offline")
    text_fns: dict[str, Callable[[str], str]] = {
        "lower": str.lower, "upper": str.upper, "title": str.title, "trimspace": str.strip,
        "basename": posixpath.basename, "dirname": posixpath.dirname, "abspath": lambda s: s,
        "pathexpand": lambda s: s,
    }
    if name in text_fns:
        if not isinstance(args[0], str):
            return Unk(f"{name}() of text known only at apply")
        return text_fns[name](args[0])
    if name == "replace":
        if all(isinstance(a, str) for a in args[:3]):
            if args[1].startswith("/") and args[1].endswith("/") and len(args[1]) > 1:
                return Unk("replace() with a regular expression")
            return args[0].replace(args[1], args[2])
        return Unk("replace() of text known only at apply")
    if name in ("trimprefix", "trimsuffix", "trim"):
        s, cut = _strings(args[:2])
        if name == "trimprefix":
            return s[len(cut):] if s.startswith(cut) else s
        if name == "trimsuffix":
            return s[: -len(cut)] if cut and s.endswith(cut) else s
        return s.strip(cut)
    if name == "substr":
        s = _strings(args[:1])[0]
        offset, length = int(args[1]), int(args[2])
        return s[offset:] if length < 0 else s[offset: offset + length]
    if name in ("startswith", "endswith"):
        s, part = _strings(args[:2])
        return s.startswith(part) if name == "startswith" else s.endswith(part)
    if name == "range":
        ints = [int(a) for a in args]
        start, stop, step = (0, ints[0], 1) if len(ints) == 1 else (ints[0], ints[1], ints[2] if len(ints) > 2 else 1)
        if step == 0 or abs((stop - start) // step) > MAX_ITEMS:
            return Unk("range() too large")
        return LList(list(range(start, stop, step)))
    if name in ("min", "max", "sum"):
        nums = [n for n in (_number(a) for a in (args[0] if name == "sum" else args)) if n is not None]
        if name == "sum":
            return sum(nums)
        return min(nums) if name == "min" else max(nums)
    if name in ("abs", "ceil", "floor"):
        n = _number(args[0])
        if n is None:
            return Unk(f"{name}() of an unknown")
        if name == "abs":
            return abs(n)
        return math.ceil(n) if name == "ceil" else math.floor(n)
    if name in ("reverse", "sort"):
        return LList(list(reversed(args[0])) if name == "reverse" else sorted(_strings(args[0])))
    if name == "slice":
        return LList(args[0][int(args[1]): int(args[2])])
    if name == "index":
        return args[0].index(args[1])
    if name == "tonumber":
        return _number(args[0]) if _number(args[0]) is not None else Unk("tonumber() of an unknown")
    if name == "chunklist":
        size = int(args[1])
        return LList([args[0][i: i + size] for i in range(0, len(args[0]), size)]) if size > 0 else Unk("chunk")
    if name in ("alltrue", "anytrue"):
        flags = list(args[0])
        if not all(isinstance(f, bool) for f in flags):
            return Unk(f"{name}() of unknowns")
        return all(flags) if name == "alltrue" else any(flags)
    if name == "list":
        return LList(args)
    if name == "map":
        return LDict(zip(_strings(args[0::2]), args[1::2], strict=False))
    return Unk(f"function {name}() is not evaluated offline")
