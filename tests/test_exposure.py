"""Who a resource policy lets in (remit.iam.exposure): principals, restricting conditions, cancelling Denies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.iam.exposure import exposures, open_exposures
from remit.model.policy import PolicyDocument, parse_document
from remit.model.values import Concat, Symbol, SymbolKind, Unknown, Value
from remit.source import NodePath, PathKey


def _at(*path: PathKey) -> NodePath:
    return NodePath("policy.json", path)


def doc(*statements: dict[str, Any]) -> PolicyDocument:
    parsed = parse_document({"Version": "2012-10-17", "Statement": list(statements)}, _at)
    assert isinstance(parsed, PolicyDocument)
    return parsed


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
    found = open_exposures(doc(allow(principal)))
    assert len(found) == 1
    assert found[0].actions == ("s3:GetObject",)
    assert found[0].describe_principal() == "anyone"


@pytest.mark.parametrize("principal", [{"AWS": "arn:aws:iam::123456789012:root"},
                                       {"Service": "sns.amazonaws.com"},
                                       {"AWS": Symbol(SymbolKind.RESOURCE, "Role", "Arn")}])
def test_named_principals_are_not_exposures(principal: Value) -> None:
    assert exposures(doc(allow(principal))) == ()


def test_not_principal_with_allow_is_everyone_but() -> None:
    found = open_exposures(doc(allow({"AWS": "arn:aws:iam::123456789012:role/admin"}, not_principal=True)))
    assert len(found) == 1
    assert found[0].describe_principal() == "anyone except arn:aws:iam::123456789012:role/admin"


def test_deny_only_and_unknown_documents_have_no_exposure() -> None:
    assert exposures(doc(deny({"Bool": {"aws:SecureTransport": "false"}}))) == ()
    assert exposures(Unknown("computed")) == ()
    assert exposures(None) == ()


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
    found = exposures(doc(allow(condition=condition)))
    assert len(found) == 1
    assert found[0].restriction is not None
    assert found[0].restriction.by is None
    assert open_exposures(doc(allow(condition=condition))) == ()


@pytest.mark.parametrize("condition", NOT_RESTRICTING)
def test_conditions_that_do_not_narrow(condition: dict[str, Any]) -> None:
    found = open_exposures(doc(allow(condition=condition)))
    assert len(found) == 1


def test_restriction_names_the_key_and_values() -> None:
    (found,) = exposures(doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})))
    assert found.restriction is not None
    assert (found.restriction.key, found.restriction.operator, found.restriction.values) == (
        "aws:SourceVpce", "StringEquals", ("vpce-1",))
    assert "aws:SourceVpce" in found.restriction.describe()


# ------------------------------------------------------------------------------------------------
# Denies


def test_deny_outside_a_condition_restricts() -> None:
    policy = doc(allow(action=["s3:GetObject", "s3:PutObject"]),
                 deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))
    (found,) = exposures(policy)
    assert found.restriction is not None
    assert found.restriction.by is not None
    assert found.restriction.by.effect == "Deny"
    assert "refuses" in found.restriction.describe()


@pytest.mark.parametrize("operator", ["StringNotEqualsIfExists", "ForAllValues:StringNotLike", "StringNotLike"])
def test_negated_operator_variants_in_a_deny_restrict(operator: str) -> None:
    policy = doc(allow(), deny({operator: {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}))
    assert open_exposures(policy) == ()


def test_deny_that_does_not_cover_everything_does_not_restrict() -> None:
    outside = {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
    # covers only part of the actions
    assert open_exposures(doc(allow(action=["s3:GetObject", "s3:PutObject"]), deny(outside, action="s3:Put*")))
    # covers only another resource
    assert open_exposures(doc(allow(), deny(outside, resource="arn:aws:s3:::other/*")))
    # an extra clause makes the Deny narrower than "everyone outside the VPC endpoint"
    assert open_exposures(doc(allow(), deny({**outside, "Bool": {"aws:SecureTransport": "false"}})))
    # a Deny for one principal is not a Deny for everyone
    assert open_exposures(doc(allow(), deny(outside, principal={"AWS": "arn:aws:iam::1:root"})))
    # a Deny with a wildcard value refuses nobody
    assert open_exposures(doc(allow(), deny({"StringNotLike": {"aws:SourceVpce": "*"}})))


def test_deny_not_principal_restricts() -> None:
    policy = doc(allow(), deny(principal={"AWS": "arn:aws:iam::123456789012:role/reader"}, not_principal=True))
    (found,) = exposures(policy)
    assert found.restriction is not None
    assert found.restriction.key == "NotPrincipal"


def test_unconditional_deny_for_everyone() -> None:
    # every action denied: nothing is opened
    assert exposures(doc(allow(action=["s3:GetObject", "s3:PutObject"]), deny(action="s3:*"))) == ()
    # part of it denied: the rest stays open, and covers() knows which
    (found,) = open_exposures(doc(allow(action="s3:*"), deny(action=["s3:Delete*", "s3:PutBucketPolicy"])))
    assert found.covers("s3:GetObject")
    assert not found.covers("s3:DeleteObject")
    assert not found.covers("s3:PutBucketPolicy")
    assert found.covers_any(["s3:DeleteBucket", "s3:PutObject"]) == ("s3:PutObject",)


def test_not_action_covers_everything_but_the_list() -> None:
    (found,) = open_exposures(doc({"Effect": "Allow", "Principal": "*", "NotAction": "s3:Delete*",
                                   "Resource": "*"}))
    assert found.not_action
    assert found.covers("s3:GetObject")
    assert found.covers("sqs:SendMessage")
    assert not found.covers("s3:DeleteObject")
    assert found.describe_actions() == "every action except s3:Delete*"


def test_statement_under_fn_if_keeps_its_condition_name() -> None:
    from remit.model.values import NO_VALUE, Choice  # noqa: PLC0415 - only this test builds a Choice

    parsed = parse_document({"Statement": [Choice("IsDev", allow(), NO_VALUE)]}, _at)
    (found,) = open_exposures(parsed)
    assert found.statement.when == "IsDev"


# ------------------------------------------------------------------------------------------------
# properties


_service = st.sampled_from(["s3", "sqs", "sns", "kms", "secretsmanager", "events"])
_verb = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
_anyone = st.sampled_from(["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}])
_concrete_id = st.text(alphabet="abcdef0123456789-", min_size=3, max_size=20).map(lambda s: f"id-{s}")
_key = st.sampled_from(["aws:SourceVpce", "aws:SourceVpc", "aws:PrincipalOrgID", "aws:SourceAccount",
                        "aws:PrincipalAccount", "kms:CallerAccount"])
_case = st.sampled_from([str.lower, str.upper, lambda s: s])


@given(principal=_anyone, service=_service, verb=_verb, swap=st.booleans())
def test_action_wildcards_match_case_insensitively(principal: Value, service: str, verb: str, swap: bool) -> None:
    action = f"{service}:{verb}"
    written = action.swapcase() if swap else action
    (found,) = open_exposures(doc(allow(principal, action=f"{service}:*")))
    assert found.covers(written)
    (exact,) = open_exposures(doc(allow(principal, action=written)))
    assert exact.covers(action)
    assert not exact.covers(f"{service}:{verb}X")


@given(principal=_anyone, key=_key, case=_case, value=_concrete_id, operator=st.sampled_from(
    ["StringEquals", "StringLike", "ForAnyValue:StringEquals", "StringEqualsIgnoreCase"]))
def test_concrete_positive_conditions_always_restrict(principal: Value, key: str, case: Any, value: str,
                                                      operator: str) -> None:
    condition = {operator: {case(key): value}}
    assert open_exposures(doc(allow(principal, condition=condition))) == ()
    assert open_exposures(doc(allow(principal, condition={f"{operator}IfExists": {key: value}})))


@given(principal=_anyone, key=_key, value=_concrete_id, wild=st.sampled_from(["*", "?"]),
       at=st.integers(min_value=0, max_value=25))
def test_wildcard_values_never_restrict_ids(principal: Value, key: str, value: str, wild: str, at: int) -> None:
    pos = min(at, len(value))
    assert open_exposures(doc(allow(principal, condition={"StringLike": {key: value[:pos] + wild + value[pos:]}})))
