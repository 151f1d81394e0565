"""Intrinsic functions resolved into values or explicit symbols."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.loaders.marked import load_yaml
from remit.model.intrinsics import Resolver, Truth
from remit.model.values import NO_VALUE, Choice, Concat, Symbol, SymbolKind, Unknown, options, render

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: dev}
  Password: {Type: String, NoEcho: true, Default: hunter2}
  NoDefault: {Type: String}
  Zones: {Type: CommaDelimitedList, Default: "a, b,c"}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/x}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Always: !Equals [a, a]
  Never: !Not [!Condition Always]
  Both: !And [!Condition Always, !Condition IsProd]
  Either: !Or [!Condition Always, !Condition IsProd]
  LoopA: !Condition LoopB
  LoopB: !Condition LoopA
Mappings:
  Sizes: {dev: {mem: "128"}, prod: {mem: "1024"}}
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Fn: {Type: AWS::Lambda::Function}
"""

BUCKET = Symbol(SymbolKind.RESOURCE, "Bucket")
REGION = Symbol(SymbolKind.PSEUDO, "AWS::Region")


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(load_yaml(TEMPLATE).data)


def value(resolver: Resolver, expr: str) -> Any:
    return resolver.resolve(load_yaml(f"v: {expr}").data["v"])


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("!Ref Env", "dev"),
        ("!Ref Password", Symbol(SymbolKind.PARAMETER, "Password")),
        ("!Ref NoDefault", Symbol(SymbolKind.PARAMETER, "NoDefault")),
        ("!Ref FromSsm", Symbol(SymbolKind.PARAMETER, "FromSsm")),
        ("!Ref Zones", ["a", "b", "c"]),
        ("!Ref Bucket", BUCKET),
        ("!Ref AWS::Region", REGION),
        ("!GetAtt Fn.Arn", Symbol(SymbolKind.RESOURCE, "Fn", "Arn")),
        ("!GetAtt [Fn, Arn]", Symbol(SymbolKind.RESOURCE, "Fn", "Arn")),
        ('!Sub "arn:aws:s3:::${Bucket}/*"', Concat(("arn:aws:s3:::", BUCKET, "/*"))),
        ('!Sub "${Env}-${!Literal}"', "dev-${Literal}"),
        ('!Sub ["${x}-${AWS::Region}", {x: !Ref Env}]', Concat(("dev-", REGION))),
        ("!Join [',', [a, !Ref Env]]", "a,dev"),
        ("!Join ['', [!Ref Bucket, /x]]", Concat((BUCKET, "/x"))),
        ("!Select [1, !Ref Zones]", "b"),
        ("!Select [1, !Split [',', 'x,y,z']]", "y"),
        ("!FindInMap [Sizes, !Ref Env, mem]", "128"),
        ("!FindInMap [Sizes, nope, mem, {DefaultValue: '64'}]", "64"),
        ("!If [Always, yes-branch, no-branch]", "yes-branch"),
        ("!If [Never, yes-branch, no-branch]", "no-branch"),
        ("!If [Either, a, b]", "a"),
        ("!If [IsProd, big, small]", Choice("IsProd", "big", "small")),
        ("!If [Both, big, small]", Choice("Both", "big", "small")),
        ("!If [IsProd, x, !Ref AWS::NoValue]", Choice("IsProd", "x", NO_VALUE)),
        ("{'Fn::Base64': !Sub 'echo ${Env}'}", "echo dev"),
        ("!Length [a, b, c]", 3),
        ("!ToJsonString {a: [1, 2]}", '{"a":[1,2]}'),
    ],
)
def test_resolution(resolver: Resolver, expr: str, expected: Any) -> None:
    assert value(resolver, expr) == expected


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("!ImportValue shared-vpc", "ImportValue"),
        ("!GetAZs ''", "availability zones"),
        ("!Ref Undefined", "does not define"),
        ("!GetAtt Undefined.Arn", "does not define"),
        ("!Select [0, !GetAZs '']", "known only at deployment"),
        ("!Split [',', !Ref Bucket]", "known only at deployment"),
        ("!Transform {Name: AWS::Include}", "macro"),
    ],
)
def test_unknowns_carry_a_reason(resolver: Resolver, expr: str, reason: str) -> None:
    result = value(resolver, expr)
    assert isinstance(result, Unknown)
    assert reason in result.reason


def test_conditions_on_parameters_are_undecided_even_with_defaults(resolver: Resolver) -> None:
    assert resolver.condition("IsProd") is Truth.UNDECIDED
    assert resolver.condition("Always") is Truth.TRUE
    assert resolver.condition("Never") is Truth.FALSE


def test_condition_cycles_are_reported_not_raised(resolver: Resolver) -> None:
    assert resolver.condition("LoopA") is Truth.UNDECIDED
    assert any("depends on itself" in p for p in resolver.problems)
    assert value(resolver, "!If [Undefined, a, b]") == Choice("Undefined", "a", "b")
    assert any("not defined" in p for p in resolver.problems)


def test_no_value_is_dropped_from_containers(resolver: Resolver) -> None:
    result = value(resolver, "{A: !Ref AWS::NoValue, B: [1, !Ref AWS::NoValue, 2]}")
    assert result == {"B": [1, 2]}


def test_choices_inside_strings_multiply_out(resolver: Resolver) -> None:
    result = value(resolver, "!Sub ['${a}-${b}', {a: !If [IsProd, p, q], b: x}]")
    assert sorted(render(o) for o in options(result)) == ["p-x", "q-x"]


def test_runaway_nesting_is_unknown(resolver: Resolver) -> None:
    node: Any = "x"
    for _ in range(300):
        node = {"Fn::Base64": node}
    assert isinstance(resolver.resolve(node), Unknown)


intrinsic_names = st.sampled_from(
    ["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap",
     "Fn::ImportValue", "Fn::Base64", "Fn::Length", "Fn::ToJsonString", "Fn::Equals", "Fn::Bogus", "Condition"]
)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda kids: st.lists(kids, max_size=3)
    | st.dictionaries(st.text(max_size=6), kids, max_size=3)
    | st.builds(lambda k, v: {k: v}, intrinsic_names, kids),
    max_leaves=20,
)


@given(json_like)
def test_resolver_never_raises(node: Any) -> None:
    Resolver(load_yaml(TEMPLATE).data).resolve(node)
