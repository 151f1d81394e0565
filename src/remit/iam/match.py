"""IAM wildcard matching and the small questions basic rules ask of a statement.

Action names match case-insensitively with ``*`` and ``?`` wildcards (IAM's semantics); ``NotAction`` and
``NotResource`` are complements. Resource values may be symbolic (``${Bucket.Arn}/*``); a statement "names"
a resource when one of its resource values refers to it. Deny, conditions and combinations of policies are the
evaluator's business (``remit.iam`` grows it); these helpers answer what one statement says.
"""

from __future__ import annotations

import re
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


def statement_matches_action(statement: Statement, action: str) -> bool:
    """Whether the statement's Action (or NotAction complement) covers ``action``. Unknown action values
    (computed at deployment) are treated as matching: the safe assumption for finding risk."""
    patterns = [text(a) for a in statement.actions]
    hit = any(p is None or wildcard_match(p, action) for p in patterns)
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
