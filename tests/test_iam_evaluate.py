"""The evaluator (remit.iam.evaluate): AWS's decision logic, three-valued, with property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from remit.iam.conditions import RequestContext, Tri
from remit.iam.evaluate import Decision, Matchers, decide, literal_resource
from remit.iam.match import wildcard_match
from remit.model.policy import PolicyDocument, Statement, parse_document
from remit.model.values import NO_VALUE, Choice, text
from remit.source import NodePath, PathKey


def _at(*path: PathKey) -> NodePath:
    return NodePath("policy.json", path)


def statements(*raw: dict[str, Any]) -> tuple[Statement, ...]:
    parsed = parse_document({"Version": "2012-10-17", "Statement": list(raw)}, _at)
    assert isinstance(parsed, PolicyDocument)
    return parsed.statements


def on(arn: str) -> Matchers:
    return Matchers(literal_resource(arn))


BUCKET_OBJ = "arn:aws:s3:::data/report.csv"


def test_allow_and_implicit_deny() -> None:
    policy = statements({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"})
    assert decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ)).decision is Decision.ALLOWED
    assert decide("s3:PutObject", identity=policy, matchers=on(BUCKET_OBJ)).decision is Decision.NOT_ALLOWED
    assert decide("s3:GetObject", identity=policy, matchers=on("arn:aws:s3:::other/x")).decision \
        is Decision.NOT_ALLOWED


def test_explicit_deny_wins_and_points_at_statement() -> None:
    policy = statements({"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                        {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"})
    answer = decide("s3:DeleteObject", identity=policy, matchers=on(BUCKET_OBJ))
    assert answer.decision is Decision.DENIED
    assert [s.sid for s in answer.denied_by] == ["NoDeletes"]
    assert answer.denied_by[0].node == NodePath("policy.json", ("Statement", 1))
    assert decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ)).allowed


def test_not_action_and_not_resource() -> None:
    policy = statements({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"})
    assert decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ)).allowed
    assert not decide("iam:CreateUser", identity=policy, matchers=on(BUCKET_OBJ)).possible
    assert not decide("s3:GetObject", identity=policy, matchers=on("arn:aws:s3:::secret/k")).possible


def test_conditions_make_the_answer_conditional_and_are_named() -> None:
    policy = statements({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                         "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}})
    answer = decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ))
    assert answer.decision is Decision.CONDITIONAL
    assert answer.possible
    assert not answer.allowed
    assert answer.conditions == ("StringEquals aws:SourceVpce = vpce-1a2b",)
    known = RequestContext({"aws:sourcevpce": ("vpce-1a2b",)}, complete=True)
    assert decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ), context=known).allowed
    other = RequestContext({"aws:sourcevpce": ("vpce-9999",)}, complete=True)
    assert decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ), context=other).decision \
        is Decision.NOT_ALLOWED


def test_conditional_deny_leaves_an_unless() -> None:
    policy = statements({"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                        {"Sid": "TlsOnly", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                         "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    answer = decide("s3:GetObject", identity=policy, matchers=on(BUCKET_OBJ))
    assert answer.decision is Decision.CONDITIONAL
    assert answer.conditions == ("unless the Deny (TlsOnly) applies: Bool aws:SecureTransport = false",)


def test_boundary_limits_identity_policies() -> None:
    policy = statements({"Effect": "Allow", "Action": "*", "Resource": "*"})
    boundary = statements({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert decide("s3:GetObject", identity=policy, boundary=boundary, matchers=on(BUCKET_OBJ)).allowed
    assert decide("iam:CreateUser", identity=policy, boundary=boundary).decision is Decision.NOT_ALLOWED
    assert decide("iam:CreateUser", identity=policy, boundary=()).decision is Decision.NOT_ALLOWED


def test_template_condition_is_a_condition() -> None:
    # the model resolves Fn::If on an undecided condition to a Choice; a statement under it is kept with its name
    parsed = parse_document({"Statement": [Choice("IsDev", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                                  NO_VALUE)]}, _at)
    assert isinstance(parsed, PolicyDocument)
    answer = decide("s3:GetObject", identity=parsed.statements)
    assert answer.decision is Decision.CONDITIONAL
    assert answer.conditions == ("template condition IsDev is true",)


def test_resource_policy_principals() -> None:
    rp = statements({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/r"},
                     "Action": "sqs:SendMessage", "Resource": "*"})

    def caller(arn: str) -> Matchers:
        return Matchers(literal_resource("*"), lambda p: Tri.of(p.is_anyone or wildcard_match(text(p.value) or "",
                                                                                                 arn)))
    assert decide("sqs:SendMessage", resource_policy=rp, matchers=caller("arn:aws:iam::111122223333:role/r")).allowed
    assert not decide("sqs:SendMessage", resource_policy=rp,
                      matchers=caller("arn:aws:iam::111122223333:role/x")).possible
    everyone_but = statements({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/r"},
                               "Action": "sqs:SendMessage", "Resource": "*"})
    assert not decide("sqs:SendMessage", resource_policy=everyone_but,
                      matchers=caller("arn:aws:iam::111122223333:role/r")).possible
    assert decide("sqs:SendMessage", resource_policy=everyone_but,
                  matchers=caller("arn:aws:iam::444455556666:role/x")).allowed


# ------------------------------------------------------------------------------------------------
# properties

_SEGMENT = st.text(alphabet="abAB", min_size=0, max_size=4)
_ACTION_NAME = st.text(alphabet="abcAB", min_size=1, max_size=6)
_PATTERN = st.lists(st.one_of(_SEGMENT, st.just("*"), st.just("?")), min_size=1, max_size=5).map("".join)


def _reference_match(pattern: str, value: str) -> bool:
    """A slow, obviously-right glob (dynamic programming), case-insensitive."""
    p, v = pattern.lower(), value.lower()
    dp = [[False] * (len(v) + 1) for _ in range(len(p) + 1)]
    dp[0][0] = True
    for i in range(1, len(p) + 1):
        dp[i][0] = dp[i - 1][0] and p[i - 1] == "*"
        for j in range(1, len(v) + 1):
            if p[i - 1] == "*":
                dp[i][j] = dp[i - 1][j] or dp[i][j - 1]
            else:
                dp[i][j] = dp[i - 1][j - 1] and (p[i - 1] == "?" or p[i - 1] == v[j - 1])
    return dp[len(p)][len(v)]


@settings(max_examples=300, deadline=None)
@given(_PATTERN, st.text(alphabet="abAB", max_size=8))
def test_wildcard_matching_agrees_with_reference(pattern: str, value: str) -> None:
    assert wildcard_match(pattern, value) == _reference_match(pattern, value)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PATTERN, min_size=1, max_size=3), st.lists(_PATTERN, min_size=1, max_size=3), _ACTION_NAME)
def test_explicit_deny_always_wins(allowed: list[str], denied: list[str], name: str) -> None:
    action = f"svc:{name}"
    policy = statements({"Effect": "Allow", "Action": [f"svc:{p}" for p in allowed], "Resource": "*"},
                        {"Effect": "Deny", "Action": [f"svc:{p}" for p in denied], "Resource": "*"})
    answer = decide(action, identity=policy)
    if any(wildcard_match(p, name) for p in denied):
        assert answer.decision is Decision.DENIED
    elif any(wildcard_match(p, name) for p in allowed):
        assert answer.decision is Decision.ALLOWED
    else:
        assert answer.decision is Decision.NOT_ALLOWED


@settings(max_examples=200, deadline=None)
@given(st.lists(_PATTERN, min_size=1, max_size=3), _ACTION_NAME)
def test_not_action_is_the_complement_of_action(patterns: list[str], name: str) -> None:
    action = f"svc:{name}"
    written = [f"svc:{p}" for p in patterns]
    with_action = decide(action, identity=statements({"Effect": "Allow", "Action": written, "Resource": "*"}))
    with_not = decide(action, identity=statements({"Effect": "Allow", "NotAction": written, "Resource": "*"}))
    assert with_action.allowed != with_not.allowed
