"""Values in the model: plain data where remit knows them, explicit symbols where it does not.

A template value after intrinsic resolution is one of:

* plain JSON data (``str``, ``int``, ``float``, ``bool``, ``None``, ``list``, ``dict``) where it is known;
* :class:`Symbol` for a reference that stays symbolic offline: a resource (``!Ref Bucket``,
  ``!GetAtt Role.Arn``), a parameter without a usable default, a pseudo parameter (``AWS::AccountId``);
* :class:`Concat` for a string built from known text and symbols (``arn:aws:s3:::${Bucket}/*``);
* :class:`Choice` for ``Fn::If`` on a condition that is not known before deployment (both branches kept);
* :class:`Unknown` for what cannot be known offline (``Fn::ImportValue``, a ``Select`` over a symbol...),
  always with a reason;
* :data:`NO_VALUE` for ``AWS::NoValue`` (only ever seen as a branch of a :class:`Choice`).

``None`` only ever means a JSON ``null`` written in the template; the model uses ``None`` for "not set".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value remit cannot know offline, and why."""

    reason: str

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"


class SymbolKind(StrEnum):
    RESOURCE = "resource"
    PARAMETER = "parameter"
    PSEUDO = "pseudo"


@dataclass(frozen=True, slots=True)
class Symbol:
    """A reference resolved at deployment: ``Ref`` (``attribute`` empty) or ``GetAtt`` of ``name``."""

    kind: SymbolKind
    name: str
    attribute: str = ""

    def __str__(self) -> str:
        return "${" + self.name + (f".{self.attribute}" if self.attribute else "") + "}"


@dataclass(frozen=True, slots=True)
class Concat:
    """A string made of literal text and symbols, e.g. ``arn:aws:s3:::${Bucket}/*``."""

    parts: tuple[str | Symbol | Unknown, ...]

    def __str__(self) -> str:
        return "".join(str(p) for p in self.parts)


class _NoValue:
    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    __str__ = __repr__


NO_VALUE: Final = _NoValue()

Value: TypeAlias = (
    "str | int | float | bool | list[Value] | dict[str, Value] | Unknown | Symbol | Concat | Choice | _NoValue | None"
)


@dataclass(frozen=True, slots=True)
class Choice:
    """``Fn::If`` on a condition decided at deployment: either branch may be what AWS sees."""

    condition: str
    when_true: Value
    when_false: Value

    def __str__(self) -> str:
        return f"(if {self.condition}: {render(self.when_true)} else {render(self.when_false)})"


def options(value: Value) -> tuple[Value, ...]:
    """Every value ``value`` may take (a :class:`Choice` opens into its branches, recursively)."""
    if isinstance(value, Choice):
        return options(value.when_true) + options(value.when_false)
    return (value,)


def present_options(value: Value) -> tuple[Value, ...]:
    """:func:`options` without the ``AWS::NoValue`` branches."""
    return tuple(v for v in options(value) if v is not NO_VALUE)


def may_be_absent(value: Value) -> bool:
    return any(v is NO_VALUE for v in options(value))


def text(value: Value) -> str | None:
    """The value as text when it is one known scalar (numbers and booleans as CloudFormation writes them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def texts(value: Value) -> tuple[str | None, ...]:
    """:func:`text` of every option (None for an option that is not a known scalar)."""
    return tuple(text(v) for v in present_options(value))


def is_known(value: Value) -> bool:
    """True when the value has no symbol, unknown or undecided branch anywhere inside."""
    if isinstance(value, (Unknown, Symbol, Concat, Choice, _NoValue)):
        return False
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return True


def items(value: Value) -> tuple[Value, ...]:
    """The elements of a list value; a scalar counts as a one-element list; a :class:`Choice` contributes the
    elements of every branch; ``AWS::NoValue`` and an unset value (None) contribute nothing."""
    out: list[Value] = []
    for option in present_options(value):
        if option is None:
            continue  # not set: no elements
        if isinstance(option, list):
            for item in option:
                out.extend(present_options(item))
        else:
            out.append(option)
    return tuple(out)


def truthy(value: Value) -> bool | None:
    """A boolean property as written (``true``, ``"true"``, ``"True"``); None when not a known boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def number(value: Value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def symbols(value: Value) -> Iterator[Symbol]:
    """Every symbol inside ``value``."""
    if isinstance(value, Symbol):
        yield value
    elif isinstance(value, Concat):
        yield from (p for p in value.parts if isinstance(p, Symbol))
    elif isinstance(value, Choice):
        yield from symbols(value.when_true)
        yield from symbols(value.when_false)
    elif isinstance(value, list):
        for v in value:
            yield from symbols(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from symbols(v)


def resource_ref(value: Value) -> str | None:
    """The logical id a value points at when it is a plain ``Ref`` or ``GetAtt`` of a resource."""
    if isinstance(value, Symbol) and value.kind is SymbolKind.RESOURCE:
        return value.name
    return None


def render(value: Value) -> str:
    """A short human form, for messages."""
    if isinstance(value, str):
        return value
    if isinstance(value, (Symbol, Concat, Unknown, Choice, _NoValue)):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}: {render(v)}" for k, v in value.items()) + "}"


def to_json(value: Value) -> object:
    """The value as JSON-serialisable data, symbols written as ``${Name.Attr}`` strings."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (Symbol, Concat, Unknown, Choice, _NoValue)):
        return str(value)
    return value
