"""IAM wildcard matching and the small questions basic rules ask of a statement.

Action names match case-insensitively with ``*`` and ``?`` wildcards (IAM's semantics); ``NotAction`` and
``NotResource`` are complements. Resource values may be symbolic (``${Bucket.Arn}/*``); a statement "names"
a resource when one of its resource values refers to it. Deny, conditions and combinations of policies are the
evaluator's business (``remit.iam`` grows it); these helpers answer what one statement says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from remit.model.policy import Statement
from remit.model.values import Concat, Symbol, SymbolKind, Value, text


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
                      re.IGNORECASE | re.DOTALL)


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM-style glob: ``*`` any run of characters, ``?`` one character, case-insensitive."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower()
    if pattern.endswith("*") and "*" not in pattern[:-1] and "?" not in pattern:
        return value.lower().startswith(pattern[:-1].lower())
    return _glob(pattern).fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class ActionPatterns:
    """A statement's Action (or NotAction) list compiled once: exact names, ``prefix*`` patterns and the other
    globs as one regular expression, so that asking about thousands of actions costs a set lookup each."""

    exact: frozenset[str]  # lower case
    prefixes: tuple[str, ...]  # lower case, from ``prefix*`` (``*`` is the empty prefix)
    regex: re.Pattern[str] | None  # every other glob, as alternatives, case-insensitive
    unknown: bool  # some value is computed at deployment

    def hit(self, action: str) -> bool:
        """Some literal pattern covers ``action`` (as :func:`wildcard_match` would say)."""
        low = action.lower()
        if low in self.exact or (self.prefixes and low.startswith(self.prefixes)):
            return True
        return self.regex is not None and self.regex.fullmatch(action) is not None


def compile_patterns(literals: Iterable[str | None]) -> ActionPatterns:
    """Compile IAM action patterns (None: a value computed at deployment)."""
    exact: set[str] = set()
    prefixes: list[str] = []
    globs: list[str] = []
    unknown = False
    for literal in literals:
        if literal is None:
            unknown = True
        elif "*" not in literal and "?" not in literal:
            exact.add(literal.lower())
        elif literal.endswith("*") and "*" not in literal[:-1] and "?" not in literal:
            prefixes.append(literal[:-1].lower())
        else:
            globs.append(literal)
    regex = None
    if globs:
        regex = re.compile("|".join(f"(?:{_glob(g).pattern})" for g in dict.fromkeys(globs)),
                           re.IGNORECASE | re.DOTALL)
    return ActionPatterns(frozenset(exact), tuple(dict.fromkeys(prefixes)), regex, unknown)


def action_patterns(values: tuple[Value, ...], strip: bool = True) -> ActionPatterns:
    """A statement's action values compiled (``strip``: surrounding spaces ignored, as the evaluator reads
    them). Remembered by the frozen values themselves, in a bounded cache, so nothing outlives its use by much."""
    try:
        return _cached_patterns(values, strip)
    except TypeError:  # a list or mapping where a string belongs: not worth remembering
        return _compile_values(values, strip)


@lru_cache(maxsize=16384)
def _cached_patterns(values: tuple[Value, ...], strip: bool) -> ActionPatterns:
    return _compile_values(values, strip)


def _compile_values(values: tuple[Value, ...], strip: bool) -> ActionPatterns:
    literals = (text(v) for v in values)
    return compile_patterns((t.strip() if strip and t is not None else t) for t in literals)


def statement_matches_action(statement: Statement, action: str) -> bool:
    """Whether the statement's Action (or NotAction complement) covers ``action``. Unknown action values
    (computed at deployment) are treated as matching: the safe assumption for finding risk."""
    compiled = action_patterns(statement.actions, False)
    hit = compiled.unknown or compiled.hit(action)
    return not hit if statement.not_action else hit


def allows_action(statement: Statement, action: str) -> bool:
    return statement.allows and statement_matches_action(statement, action)


def is_wildcard_resource(statement: Statement) -> bool:
    """``Resource: "*"`` (or a NotResource that excludes little)."""
    if statement.not_resource:
        return True
    return any(text(r) == "*" for r in statement.resources)


def resource_refers_to(value: Value, logical_id: str) -> bool:
    """Whether a resource value is built from a reference to ``logical_id`` (``!GetAtt Bucket.Arn``,
    ``arn:aws:s3:::${Bucket}/*``...)."""
    if isinstance(value, Symbol):
        return value.kind is SymbolKind.RESOURCE and value.name == logical_id
    if isinstance(value, Concat):
        return any(isinstance(p, Symbol) and p.kind is SymbolKind.RESOURCE and p.name == logical_id
                   for p in value.parts)
    return False


def names_resource(statement: Statement, logical_id: str, physical_names: tuple[str, ...] = ()) -> bool:
    """The statement's Resource list refers to a resource of the template, by reference or by a literal
    ARN that ends with one of its physical names."""
    for value in statement.resources:
        if resource_refers_to(value, logical_id):
            return True
        literal = text(value)
        if literal and any(name and (f":{name}" in literal or f"/{name}" in literal) for name in physical_names):
            return True
    return False


@lru_cache(maxsize=4096)
def _glob_exact(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """``StringLike``-style glob: ``*`` and ``?`` wildcards, case-sensitive unless ``ignore_case``."""
    if ignore_case:
        return wildcard_match(pattern, value)
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return _glob_exact(pattern).fullmatch(value) is not None
