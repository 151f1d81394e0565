"""Who a resource policy lets in, as the IAM evaluator answers it (remit.iam.reach): principals, restricting
conditions, cancelling Denies, one action at a time, and an outsider who holds the network values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.iam.reach import Verdict, judge_action, judge_statements
from remit.model.policy import PolicyDocument, Statement, parse_document
from remit.model.values import Concat, Symbol, SymbolKind, Value
from remit.source import NodePath, PathKey


def _at(*path: PathKey) -> NodePath:
    return NodePath("policy.json", path)


def doc(*statements: dict[str, Any]) -> tuple[Statement, ...]:
    parsed = parse_document({"Version": "2012-10-17", "Statement": list(statements)}, _at)
    assert isinstance(parsed, PolicyDocument)
    return parsed.statements


def verdicts(statements: tuple[Statement, ...], inside: frozenset[str] = frozenset()) -> list[Verdict]:
    return [v for _, v in judge_statements(statements, inside)]


def opened(statements: tuple[Statement, ...], action: str = "s3:GetObject") -> list[Statement]:
    """The Allow statements (narrowed to ``action``) through which an outsider may perform ``action``."""
    return [st for st, v in judge_action(statements, action) if v.reachable]


def allow(principal: Value = "*", action: Value = "s3:GetObject", resource: Value = "arn:aws:s3:::b/*",
          condition: dict[str, Any] | None = None, *, not_principal: bool = False) -> dict[str, Any]:
    st_: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource,
                           "NotPrincipal" if not_principal else "Principal": principal}
    if condition is not None:
        st_["Condition"] = condition
    return st_


def deny(condition: dict[str, Any] | None = None, action: Value = "s3:*", resource: Value = "*",
         principal: Value = "*", *, not_principal: bool = False) -> dict[str, Any]:
    st_: dict[str, Any] = {"Effect": "Deny", "Action": action, "Resource": resource,
                           "NotPrincipal" if not_principal else "Principal": principal}
    if condition is not None:
        st_["Condition"] = condition
    return st_


# ------------------------------------------------------------------------------------------------
# principals


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["arn:aws:iam::1:root", "*"]}])
def test_anyone_principals_open(principal: Value) -> None:
    ((st_, verdict),) = judge_statements(doc(allow(principal)))
    assert verdict.reachable
    assert verdict.kept_by == ()
    assert st_.action_texts() == ("s3:GetObject",)


@pytest.mark.parametrize("principal", [{"AWS": "arn:aws:iam::123456789012:root"},
                                       {"Service": "sns.amazonaws.com"},
                                       {"AWS": Symbol(SymbolKind.RESOURCE, "Role", "Arn")}])
def test_named_principals_are_not_judged_as_anyone(principal: Value) -> None:
    assert judge_statements(doc(allow(principal))) == ()


def test_not_principal_with_allow_is_everyone_but() -> None:
    ((st_, verdict),) = judge_statements(doc(allow({"AWS": "arn:aws:iam::123456789012:role/admin"},
                                                   not_principal=True)))
    assert verdict.reachable
    assert st_.not_principal


def test_deny_only_documents_let_no_one_in() -> None:
    assert judge_statements(doc(deny({"Bool": {"aws:SecureTransport": "false"}}))) == ()
    assert judge_statements(()) == ()


# ------------------------------------------------------------------------------------------------
# conditions on the Allow


RESTRICTING = [
    {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
    {"StringEquals": {"AWS:SOURCEVPCE": "vpce-0a1b2c3d"}},  # keys are case-insensitive
    {"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}},
    {"StringEquals": {"aws:SourceAccount": 123456789012}},
    {"StringEquals": {"AWS:SourceOwner": Symbol(SymbolKind.PSEUDO, "AWS::AccountId")}},
    {"ArnEquals": {"aws:SourceArn": Symbol(SymbolKind.RESOURCE, "Topic")}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}},
    {"ArnLike": {"aws:SourceArn": Concat(("arn:aws:sns:*:", Symbol(SymbolKind.PSEUDO, "AWS::AccountId"), ":*"))}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/app-*"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
    {"StringEquals": {"kms:CallerAccount": "123456789012"}},
    {"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}},
    {"StringEquals": {"s3:DataAccessPointAccount": "123456789012"}},
    {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceVpce": "vpce-1"}},  # any one is enough
]

NOT_RESTRICTING = [
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
    {"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}},
    {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/"}},
    {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
    {"StringLike": {"aws:SourceAccount": "*"}},
    {"StringEquals": {"aws:SourceVpce": ["vpce-1", "*"]}},  # one open value opens the clause
    {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads-*"}},  # anyone can name a bucket uploads-evil
    {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/4"}},
    {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}},
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringEquals": {"aws:username": "deploy"}},
    {"StringEquals": {"aws:PrincipalTag/team": "payments"}},
    {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},  # a negated operator on an Allow opens, not narrows
    {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "*/r-ab12/*"}},
]


@pytest.mark.parametrize("condition", RESTRICTING)
def test_restricting_conditions(condition: dict[str, Any]) -> None:
    (verdict,) = verdicts(doc(allow(condition=condition)))
    assert not verdict.reachable
    assert verdict.kept_by
    assert all(k.deny is None for k in verdict.kept_by)  # the Allow's own clause
    assert opened(doc(allow(condition=condition))) == []


@pytest.mark.parametrize("condition", NOT_RESTRICTING)
def test_conditions_that_do_not_narrow(condition: dict[str, Any]) -> None:
    (verdict,) = verdicts(doc(allow(condition=condition)))
    assert verdict.reachable
    assert verdict.kept_by == ()


def test_restriction_names_the_key_and_values() -> None:
    (verdict,) = verdicts(doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})))
    (kept,) = verdict.kept_by
    assert (kept.clause.key, kept.clause.operator, kept.clause.values) == ("aws:SourceVpce", "StringEquals",
                                                                           ("vpce-1",))
    assert verdict.restricted_keys == ("aws:sourcevpce",)
    assert verdict.restricted_by == ("StringEquals aws:SourceVpce = vpce-1",)


# ------------------------------------------------------------------------------------------------
# Denies


def test_deny_outside_a_condition_restricts() -> None:
    policy = doc(allow(action=["s3:GetObject", "s3:PutObject"]),
                 deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))
    (verdict,) = verdicts(policy)
    assert not verdict.reachable
    (kept,) = verdict.kept_by
    assert kept.deny is not None
    assert kept.deny.effect == "Deny"
    assert kept.key == "aws:sourcevpce"


@pytest.mark.parametrize("operator", ["StringNotEqualsIfExists", "ForAllValues:StringNotLike", "StringNotLike"])
def test_negated_operator_variants_in_a_deny_restrict(operator: str) -> None:
    policy = doc(allow(), deny({operator: {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}))
    assert opened(policy) == []


def test_deny_that_does_not_cover_everything_does_not_restrict() -> None:
    outside = {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
    # covers only part of the actions: the rest stays open
    policy = doc(allow(action=["s3:GetObject", "s3:PutObject"]), deny(outside, action="s3:Put*"))
    assert [v.reachable for v in verdicts(policy)] == [True]
    assert opened(policy, "s3:GetObject")
    assert opened(policy, "s3:PutObject") == []
    # covers only another resource
    assert opened(doc(allow(), deny(outside, resource="arn:aws:s3:::other/*")))
    # an extra clause makes the Deny narrower than "everyone outside the VPC endpoint"
    assert opened(doc(allow(), deny({**outside, "Bool": {"aws:SecureTransport": "false"}})))
    # a Deny for one principal is not a Deny for everyone
    assert opened(doc(allow(), deny(outside, principal={"AWS": "arn:aws:iam::1:root"})))
    # a Deny with a wildcard value refuses nobody
    assert opened(doc(allow(), deny({"StringNotLike": {"aws:SourceVpce": "*"}})))


def test_deny_not_principal_restricts() -> None:
    policy = doc(allow(), deny(principal={"AWS": "arn:aws:iam::123456789012:role/reader"}, not_principal=True))
    (verdict,) = verdicts(policy)
    assert not verdict.reachable
    assert verdict.kept_by == ()  # no clause: the Deny refuses everyone but the reader
    assert verdict.restricted_by == ("the Deny for everyone",)


def test_unconditional_deny_for_everyone() -> None:
    # every action denied: nothing is opened
    assert [v.reachable for v in verdicts(doc(allow(action=["s3:GetObject", "s3:PutObject"]),
                                              deny(action="s3:*")))] == [False]
    # part of it denied: the rest stays open, one action at a time
    policy = doc(allow(action="s3:*"), deny(action=["s3:Delete*", "s3:PutBucketPolicy"]))
    assert opened(policy, "s3:GetObject")
    assert opened(policy, "s3:DeleteObject") == []
    assert opened(policy, "s3:PutBucketPolicy") == []
    assert [a for a in ("s3:DeleteBucket", "s3:PutObject") if opened(policy, a)] == ["s3:PutObject"]


def test_not_action_covers_everything_but_the_list() -> None:
    policy = doc({"Effect": "Allow", "Principal": "*", "NotAction": "s3:Delete*", "Resource": "*"})
    ((st_, verdict),) = judge_statements(policy)
    assert st_.not_action
    assert verdict.reachable
    assert opened(policy, "s3:GetObject")
    assert opened(policy, "sqs:SendMessage")
    assert opened(policy, "s3:DeleteObject") == []
    (narrowed,) = opened(policy, "sqs:SendMessage")
    assert (narrowed.action_texts(), narrowed.not_action) == (("sqs:SendMessage",), False)


def test_statement_under_fn_if_keeps_its_condition_name() -> None:
    from remit.model.values import NO_VALUE, Choice  # only this test builds a Choice

    parsed = parse_document({"Statement": [Choice("IsDev", allow(), NO_VALUE)]}, _at)
    assert isinstance(parsed, PolicyDocument)
    ((st_, verdict),) = judge_statements(parsed.statements)
    assert verdict.reachable
    assert st_.when == "IsDev"


# ------------------------------------------------------------------------------------------------
# an outsider who holds the network values (an unsigned caller on the right network)

NETWORK = frozenset({"aws:sourceip", "aws:sourcevpce", "aws:sourcevpc", "aws:sourcevpcarn"})


@pytest.mark.parametrize("policy", [
    doc(allow(condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
    doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})),
    doc(allow(), deny({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
    doc(allow(), deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})),
])
def test_network_restrictions_admit_whoever_is_on_the_network(policy: tuple[Statement, ...]) -> None:
    (outside,) = verdicts(policy)
    assert not outside.reachable
    assert set(outside.restricted_keys) <= NETWORK
    (on_network,) = verdicts(policy, NETWORK)
    assert on_network.reachable


@pytest.mark.parametrize("policy", [
    doc(allow(condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
    doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceAccount": "111122223333"}})),
    doc(allow(), deny({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
    doc(allow(), deny(principal={"AWS": "arn:aws:iam::123456789012:role/reader"}, not_principal=True)),
])
def test_holding_the_network_is_not_enough_for_a_principal_restriction(policy: tuple[Statement, ...]) -> None:
    (on_network,) = verdicts(policy, NETWORK)
    assert not on_network.reachable


# ------------------------------------------------------------------------------------------------
# properties


_service = st.sampled_from(["s3", "sqs", "sns", "kms", "secretsmanager", "events"])
_verb = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
_anyone = st.sampled_from(["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}])
_concrete_id = st.text(alphabet="abcdef0123456789-", min_size=3, max_size=20).map(lambda s: f"id-{s}")
_key = st.sampled_from(["aws:SourceVpce", "aws:SourceVpc", "aws:PrincipalOrgID", "aws:SourceAccount",
                        "aws:PrincipalAccount", "kms:CallerAccount"])
_case = st.sampled_from([str.lower, str.upper, lambda s: s])


@settings(deadline=None)  # the first example may load the action catalog
@given(principal=_anyone, service=_service, verb=_verb, swap=st.booleans())
def test_action_wildcards_match_case_insensitively(principal: Value, service: str, verb: str, swap: bool) -> None:
    action = f"{service}:{verb}"
    written = action.swapcase() if swap else action
    assert opened(doc(allow(principal, action=f"{service}:*")), written)
    exact = doc(allow(principal, action=written))
    assert opened(exact, action)
    assert opened(exact, f"{service}:{verb}X") == []


@settings(deadline=None)  # the first example may load the action catalog
@given(principal=_anyone, key=_key, case=_case, value=_concrete_id, operator=st.sampled_from(
    ["StringEquals", "StringLike", "ForAnyValue:StringEquals", "StringEqualsIgnoreCase"]))
def test_concrete_positive_conditions_always_restrict(principal: Value, key: str, case: Any, value: str,
                                                      operator: str) -> None:
    condition = {operator: {case(key): value}}
    assert opened(doc(allow(principal, condition=condition))) == []
    assert opened(doc(allow(principal, condition={f"{operator}IfExists": {key: value}})))


@settings(deadline=None)  # the first example may load the action catalog
@given(principal=_anyone, key=_key, value=_concrete_id, wild=st.sampled_from(["*", "?"]),
       at=st.integers(min_value=0, max_value=25))
def test_wildcard_values_never_restrict_ids(principal: Value, key: str, value: str, wild: str, at: int) -> None:
    pos = min(at, len(value))
    assert opened(doc(allow(principal, condition={"StringLike": {key: value[:pos] + wild + value[pos:]}})))
