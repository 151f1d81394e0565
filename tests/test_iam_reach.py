"""Resource-policy exposure (remit.iam.reach): z3's verdict agrees with plain enumeration."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from remit.iam.reach import _candidates, _enumerate, _solve, _truth, outsider_can
from remit.model.policy import ConditionClause, PolicyDocument, Statement, parse_document
from remit.source import NodePath, PathKey


def _at(*path: PathKey) -> NodePath:
    return NodePath("p.json", path)


def _statements(*raw: dict[str, Any]) -> tuple[Statement, ...]:
    parsed = parse_document({"Statement": list(raw)}, _at)
    assert isinstance(parsed, PolicyDocument)
    return parsed.statements


_CLAUSES = st.sampled_from([
    ("StringEquals", "aws:PrincipalOrgID", "o-1"),
    ("StringNotEquals", "aws:PrincipalOrgID", "o-1"),
    ("StringLike", "aws:SourceArn", "arn:aws:sns:*:*:*"),
    ("Bool", "aws:SecureTransport", "true"),
    ("Bool", "aws:SecureTransport", "false"),
    ("StringEquals", "s3:prefix", "public/"),
    ("StringNotEquals", "s3:prefix", "public/"),
    ("StringEqualsIfExists", "aws:SourceVpce", "vpce-1"),
    ("StringNotEqualsIfExists", "aws:SourceVpce", "vpce-1"),
    ("Null", "aws:SourceVpce", "true"),
])


def _condition(clauses: list[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for op, key, value in clauses:
        out.setdefault(op, {})[key] = value
    return out


@settings(max_examples=120, deadline=None)
@given(st.lists(_CLAUSES, max_size=2), st.lists(st.lists(_CLAUSES, min_size=1, max_size=2), max_size=2))
def test_solver_agrees_with_enumeration(allow_clauses: list[tuple[str, str, str]],
                                        deny_sets: list[list[tuple[str, str, str]]]) -> None:
    raw = [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": _condition(allow_clauses)}]
    raw += [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": _condition(d)}
            for d in deny_sets]
    allow, *denies = _statements(*raw)
    clauses: list[ConditionClause] = list(allow.conditions) + [c for d in denies for c in d.conditions]
    by_key: dict[str, list[ConditionClause]] = {}
    for c in clauses:
        by_key.setdefault(c.key_lower, []).append(c)
    candidates = {k: _candidates(k, cs, frozenset()) for k, cs in by_key.items()}
    tables = {id(c): [_truth(c, v, c not in allow.conditions, frozenset()) for v in candidates[c.key_lower]]
              for c in clauses}
    solved = _solve(allow, denies, candidates, tables)
    enumerated = _enumerate(allow, denies, candidates, tables)
    assert (solved is False) == (enumerated is False)
    assert outsider_can(allow, denies).reachable == (enumerated is not False)


def test_restricting_condition_is_named() -> None:
    (allow,) = _statements({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
                            "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}}})
    verdict = outsider_can(allow, [])
    assert not verdict.reachable
    assert verdict.restricted_by == ("ArnEquals aws:SourceArn = arn:aws:sns:us-east-1:111122223333:t",)
    assert verdict.method == "direct"


def test_wildcard_account_does_not_restrict() -> None:
    (allow,) = _statements({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
                            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}})
    verdict = outsider_can(allow, [])
    assert verdict.reachable
    assert verdict.conditions == ("ArnLike aws:SourceArn = arn:aws:sns:*:*:*",)
