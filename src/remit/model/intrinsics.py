"""Resolving CloudFormation intrinsic functions offline, into values or explicit symbols.

What each function becomes (see :mod:`remit.model.values` for the value kinds):

* ``Ref``: a parameter's ``Default`` (lists split for list types), or a parameter :class:`Symbol` when the
  parameter has no default, is ``NoEcho`` (a secret the author keeps out of the template) or is resolved from
  SSM at deployment; a resource :class:`Symbol`; a pseudo-parameter :class:`Symbol`; ``AWS::NoValue``.
* ``Fn::GetAtt``: a resource :class:`Symbol` with its attribute.
* ``Fn::Sub`` (both forms), ``Fn::Join``: text, or a :class:`Concat` of text and symbols.
* ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``, ``Fn::Length``, ``Fn::ToJsonString``, ``Fn::Base64``:
  computed when their inputs are known, else :class:`Unknown`.
* ``Fn::If``: the branch when the condition is decided, else a :class:`Choice` keeping both branches.
  A condition is decided only from literals: one that depends on a parameter or a pseudo parameter is a
  deployment-time choice, so both branches are analysed.
* ``Fn::ImportValue``, ``Fn::GetAZs``, ``Fn::Cidr``, ``Fn::Transform``: :class:`Unknown` with the reason.

Condition cycles and runaway nesting end in :class:`Unknown` with a problem recorded, never in an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from remit.model.values import (
    NO_VALUE,
    Choice,
    Concat,
    Symbol,
    SymbolKind,
    Unknown,
    Value,
    is_known,
    to_json,
)

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
MAX_DEPTH = 200
MAX_CHOICES_IN_STRING = 6  # 2**6 variants at most
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_LIST_PARAM = re.compile(r"^(CommaDelimitedList|List<.*>)$")


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNDECIDED = "undecided"

    @staticmethod
    def of(flag: bool) -> Truth:
        return Truth.TRUE if flag else Truth.FALSE


class Resolver:
    """Resolves values of one template. ``problems`` collects (message) strings worth a diagnostic."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        params = template.get("Parameters")
        self.parameters: Mapping[str, Any] = params if isinstance(params, dict) else {}
        conds = template.get("Conditions")
        self.conditions: Mapping[str, Any] = conds if isinstance(conds, dict) else {}
        maps = template.get("Mappings")
        self.mappings: Mapping[str, Any] = maps if isinstance(maps, dict) else {}
        res = template.get("Resources")
        self.resources: frozenset[str] = frozenset(res) if isinstance(res, dict) else frozenset()
        self._truth: dict[str, Truth] = {}
        self._evaluating: list[str] = []
        self._deciding = 0  # > 0 while resolving an operand of a condition
        self.problems: list[str] = []

    # ------------------------------------------------------------------------------------------
    def resolve(self, node: Any, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            return Unknown("nested too deeply to resolve")
        if isinstance(node, dict):
            if len(node) == 1:
                (key, arg), = node.items()
                if key == "Ref" or (key.startswith("Fn::") and key != "Fn::Transform"):
                    return self._intrinsic(key, arg, depth + 1)
                if key == "Fn::Transform":
                    return Unknown("Fn::Transform (a macro) is not expanded offline")
            out: dict[str, Value] = {}
            for k, v in node.items():
                value = self.resolve(v, depth + 1)
                if value is not NO_VALUE:
                    out[str(k)] = value
            return out
        if isinstance(node, list):
            return [v for v in (self.resolve(x, depth + 1) for x in node) if v is not NO_VALUE]
        if isinstance(node, (str, int, float, bool)) or node is None:
            return node
        return str(node)

    # ------------------------------------------------------------------------------------------
    def ref(self, name: Any) -> Value:
        if not isinstance(name, str):
            return Unknown("Ref to a computed name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO_PARAMETERS:
            return Symbol(SymbolKind.PSEUDO, name)
        if name in self.parameters:
            return self._parameter(name)
        if name in self.resources:
            return Symbol(SymbolKind.RESOURCE, name)
        return Unknown(f"Ref to {name}, which the template does not define")

    def _parameter(self, name: str) -> Value:
        spec = self.parameters.get(name)
        if not isinstance(spec, dict) or self._deciding:
            return Symbol(SymbolKind.PARAMETER, name)
        ptype = str(spec.get("Type", "String"))
        if "Default" not in spec or str(spec.get("NoEcho", "")).lower() == "true" or ptype.startswith("AWS::SSM"):
            return Symbol(SymbolKind.PARAMETER, name)
        default = spec["Default"]
        if _LIST_PARAM.match(ptype):
            if isinstance(default, list):
                return [str(x) for x in default]
            return [part.strip() for part in str(default).split(",")] if str(default) else []
        if isinstance(default, (dict, list)):
            return Unknown(f"parameter {name} has a structured default")
        return default if isinstance(default, str) else json.dumps(default)

    def _intrinsic(self, key: str, arg: Any, depth: int) -> Value:
        if key == "Ref":
            return self.ref(arg)
        handler = getattr(self, "_fn_" + key[4:].lower(), None)
        if handler is None:
            if key in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
                return Unknown(f"{key} outside Conditions")
            return Unknown(f"{key} is not a known intrinsic function")
        result: Value = handler(arg, depth)
        return result

    # -- functions --------------------------------------------------------------------------
    def _fn_getatt(self, arg: Any, depth: int) -> Value:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::GetAtt")
        name, attr = arg[0], self.resolve(arg[1], depth)
        if not isinstance(name, str) or not isinstance(attr, str):
            return Unknown("Fn::GetAtt with a computed name or attribute")
        if name not in self.resources:
            return Unknown(f"Fn::GetAtt of {name}, which the template does not define")
        return Symbol(SymbolKind.RESOURCE, name, attr)

    def _fn_sub(self, arg: Any, depth: int) -> Value:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            pattern, variables = arg[0], {str(k): self.resolve(v, depth) for k, v in arg[1].items()}
        else:
            pattern, variables = arg, {}
        if not isinstance(pattern, str):
            return Unknown("Fn::Sub of a computed string")
        parts: list[Value] = []
        pos = 0
        for match in _SUB_VAR.finditer(pattern):
            parts.append(pattern[pos : match.start()])
            pos = match.end()
            inner = match.group(1)
            if inner.startswith("!"):
                parts.append("${" + inner[1:] + "}")
                continue
            inner = inner.strip()
            if inner in variables:
                parts.append(variables[inner])
            elif "." in inner and inner.split(".", 1)[0] in self.resources:
                parts.append(self._fn_getatt(inner, depth))
            else:
                parts.append(self.ref(inner))
        parts.append(pattern[pos:])
        return self._join(parts)

    def _fn_join(self, arg: Any, depth: int) -> Value:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::Join")
        delimiter = self.resolve(arg[0], depth)
        values = self.resolve(arg[1], depth)
        if not isinstance(delimiter, str):
            return Unknown("Fn::Join with a computed delimiter")
        if not isinstance(values, list):
            return Unknown("Fn::Join over a list known only at deployment")
        parts: list[Value] = []
        for i, v in enumerate(values):
            if i:
                parts.append(delimiter)
            parts.append(v)
        return self._join(parts)

    def _join(self, parts: list[Value]) -> Value:
        """Concatenate resolved parts into text, a Concat, or (when a part is a Choice) a Choice of those."""
        for i, part in enumerate(parts):
            if isinstance(part, Choice):
                if sum(isinstance(p, Choice) for p in parts) > MAX_CHOICES_IN_STRING:
                    return Unknown("string built from too many conditional parts")
                when_true = self._join([*parts[:i], part.when_true, *parts[i + 1 :]])
                when_false = self._join([*parts[:i], part.when_false, *parts[i + 1 :]])
                return Choice(part.condition, when_true, when_false)
        out: list[str | Symbol | Unknown] = []
        for part in parts:
            pieces: tuple[str | Symbol | Unknown, ...]
            if isinstance(part, Concat):
                pieces = part.parts
            elif isinstance(part, (Symbol, Unknown)):
                pieces = (part,)
            elif part is NO_VALUE or part is None:
                pieces = ("",)
            elif isinstance(part, bool):
                pieces = ("true" if part else "false",)
            elif isinstance(part, (int, float, str)):
                pieces = (str(part),)
            else:
                pieces = (Unknown("a list or map inside a string"),)
            for piece in pieces:
                if isinstance(piece, str) and out and isinstance(out[-1], str):
                    out[-1] = out[-1] + piece
                elif piece != "":
                    out.append(piece)
        if not out:
            return ""
        if len(out) == 1 and isinstance(out[0], str):
            return out[0]
        return Concat(tuple(out))

    def _fn_select(self, arg: Any, depth: int) -> Value:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::Select")
        index, values = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        try:
            i = int(index)  # type: ignore[arg-type]  # any Value: int() refuses a non-number, caught below
        except (TypeError, ValueError):
            return Unknown("Fn::Select with a computed index")
        if not isinstance(values, list):
            return Unknown("Fn::Select from a list known only at deployment")
        if not 0 <= i < len(values):
            self.problems.append(f"Fn::Select index {i} is outside a list of {len(values)}")
            return Unknown("Fn::Select index out of range")
        return values[i]

    def _fn_split(self, arg: Any, depth: int) -> Value:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::Split")
        delimiter, source = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        if isinstance(delimiter, str) and delimiter and isinstance(source, str):
            return list(source.split(delimiter))
        return Unknown("Fn::Split of a string known only at deployment")

    def _fn_findinmap(self, arg: Any, depth: int) -> Value:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            return Unknown("malformed Fn::FindInMap")
        keys = [self.resolve(a, depth) for a in arg[:3]]
        default: Value = Unknown("Fn::FindInMap key known only at deployment")
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            default = self.resolve(arg[3]["DefaultValue"], depth)
        if not all(isinstance(k, str) for k in keys):
            return default
        node: Any = self.mappings
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                if len(arg) == 4:
                    return default
                self.problems.append(f"Fn::FindInMap finds no {'/'.join(str(k) for k in keys)}")
                return Unknown("Fn::FindInMap key not in the mapping")
            node = node[key]
        return self.resolve(node, depth)

    def _fn_if(self, arg: Any, depth: int) -> Value:
        if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
            return Unknown("malformed Fn::If")
        truth = self.condition(arg[0])
        if truth is Truth.TRUE:
            return self.resolve(arg[1], depth)
        if truth is Truth.FALSE:
            return self.resolve(arg[2], depth)
        return Choice(arg[0], self.resolve(arg[1], depth), self.resolve(arg[2], depth))

    def _fn_importvalue(self, arg: Any, depth: int) -> Value:
        name = self.resolve(arg, depth)
        return Unknown(f"Fn::ImportValue {to_json(name)} (another stack's export)")

    def _fn_unknown(self, arg: Any, _depth: int) -> Value:
        # written by loaders that translate another format (Terraform): a value they could not know, and why
        return Unknown(str(arg))

    def _fn_getazs(self, _arg: Any, _depth: int) -> Value:
        return Unknown("Fn::GetAZs (the region's availability zones)")

    def _fn_cidr(self, _arg: Any, _depth: int) -> Value:
        return Unknown("Fn::Cidr")

    def _fn_base64(self, arg: Any, depth: int) -> Value:
        return self.resolve(arg, depth)  # the text before encoding is what matters for analysis

    def _fn_length(self, arg: Any, depth: int) -> Value:
        values = self.resolve(arg, depth)
        return len(values) if isinstance(values, list) else Unknown("Fn::Length of a list known at deployment")

    def _fn_tojsonstring(self, arg: Any, depth: int) -> Value:
        value = self.resolve(arg, depth)
        if is_known(value):
            return json.dumps(value, separators=(",", ":"))
        return Unknown("Fn::ToJsonString of values known at deployment")

    # -- conditions ---------------------------------------------------------------------------
    def condition(self, name: str) -> Truth:
        """Whether a named condition holds: decided only when it depends on literals alone."""
        if name in self._truth:
            return self._truth[name]
        if name in self._evaluating:
            self.problems.append(f"condition {name} depends on itself ({' -> '.join([*self._evaluating, name])})")
            return Truth.UNDECIDED
        if name not in self.conditions:
            self.problems.append(f"condition {name} is not defined")
            return Truth.UNDECIDED
        self._evaluating.append(name)
        try:
            truth = self._decide(self.conditions[name], 0)
        finally:
            self._evaluating.pop()
        self._truth[name] = truth
        return truth

    def _decide(self, node: Any, depth: int) -> Truth:
        if depth > MAX_DEPTH or not isinstance(node, dict) or len(node) != 1:
            if isinstance(node, bool):
                return Truth.of(node)
            return Truth.UNDECIDED
        (key, arg), = node.items()
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = (self._operand(x, depth + 1) for x in arg)
            if a is None or b is None:
                return Truth.UNDECIDED
            return Truth.of(a == b)
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._decide(arg[0], depth + 1)
            return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(inner, Truth.UNDECIDED)
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            results = [self._decide(x, depth + 1) for x in arg]
            decisive, other = (Truth.FALSE, Truth.TRUE) if key == "Fn::And" else (Truth.TRUE, Truth.FALSE)
            if decisive in results:
                return decisive
            return other if all(r is other for r in results) else Truth.UNDECIDED
        return Truth.UNDECIDED

    def _operand(self, node: Any, depth: int) -> str | None:
        self._deciding += 1
        try:
            value = self.resolve(node, depth)
        finally:
            self._deciding -= 1
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        if isinstance(value, list) and is_known(value):
            return json.dumps(value)
        return None
