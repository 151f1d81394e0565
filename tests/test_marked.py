"""The positioned YAML/JSON readers."""

from __future__ import annotations

import contextlib
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.errors import LoadError
from remit.loaders.marked import load_json, load_yaml


def test_short_forms_become_long_forms_with_positions() -> None:
    text = (
        "Resources:\n"
        "  Bucket:\n"
        "    Properties:\n"
        "      Name: !Sub '${AWS::StackName}-data'\n"
        "      Arn: !GetAtt Role.Arn\n"
        "      Both: !Join ['', [!Ref A, !GetAtt [B, Arn]]]\n"
        "      Cond: !Condition IsProd\n"
        "      Nested: !If [IsProd, !Ref X, !Ref AWS::NoValue]\n"
    )
    loaded = load_yaml(text)
    props = loaded.data["Resources"]["Bucket"]["Properties"]
    assert props == {
        "Name": {"Fn::Sub": "${AWS::StackName}-data"},
        "Arn": {"Fn::GetAtt": ["Role", "Arn"]},
        "Both": {"Fn::Join": ["", [{"Ref": "A"}, {"Fn::GetAtt": ["B", "Arn"]}]]},
        "Cond": {"Condition": "IsProd"},
        "Nested": {"Fn::If": ["IsProd", {"Ref": "X"}, {"Ref": "AWS::NoValue"}]},
    }
    marks = loaded.marks
    base = ("Resources", "Bucket", "Properties")
    assert marks.position((*base, "Name")).line == 4
    # the scalar inside a short form has its own mark
    assert marks.position((*base, "Name", "Fn::Sub")).column == 13
    assert marks.position((*base, "Both", "Fn::Join", 1, 1, "Fn::GetAtt")).line == 6
    # a path that does not exist resolves to its longest existing prefix (for a property: the resource)
    assert marks.position((*base, "Missing", "Deeper")).line == 2  # an unwritten property: its resource


def test_yaml_one_one_traps_are_avoided() -> None:
    loaded = load_yaml(
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "Account: 012345678901\n"
        "Country: NO\n"
        "Enabled: yes\n"
        "Real: true\n"
        "Count: 12\n"
        "Ratio: 1.5\n"
        "Hex: 0x1F\n"
        "Time: 1:30\n"
    )
    assert loaded.data == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Account": "012345678901",
        "Country": "NO",
        "Enabled": "yes",
        "Real": True,
        "Count": 12,
        "Ratio": 1.5,
        "Hex": 31,
        "Time": "1:30",
    }


def test_numeric_keys_become_strings() -> None:
    assert load_yaml("responses:\n  200: {description: ok}\n").data == {"responses": {"200": {"description": "ok"}}}


def test_anchors_are_shared_and_recursion_rejected() -> None:
    data = load_yaml("a: &x {k: v}\nb: *x\n").data
    assert data["a"] == data["b"] == {"k": "v"}
    with pytest.raises(LoadError, match="unknown or unfinished anchor"):
        load_yaml("a: &x [*x]\n")


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(LoadError, match="more than"):
        load_yaml("\n".join(lines))


@pytest.mark.parametrize("loader", [load_yaml, load_json])
def test_deep_nesting_is_a_load_error_not_a_crash(loader: object) -> None:
    assert callable(loader)
    with pytest.raises(LoadError, match="nesting"):
        loader("[" * 100_000)


def test_yaml_error_has_a_line() -> None:
    with pytest.raises(LoadError) as info:
        load_yaml("a: 1\nb: [1, 2\nc: 3\n")
    assert info.value.line is not None
    assert info.value.line >= 2


def test_duplicate_keys_warn_and_keep_the_last() -> None:
    loaded = load_yaml("a: 1\na: 2\n")
    assert loaded.data == {"a": 2}
    assert loaded.warnings == ((2, "duplicate key 'a': the last value is used"),)


def test_only_the_first_yaml_document_is_read() -> None:
    loaded = load_yaml("a: 1\n---\nb: 2\n")
    assert loaded.data == {"a": 1}
    assert "only the first" in loaded.warnings[0][1]


def test_json_positions() -> None:
    loaded = load_json('{\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function"}\n  }\n}')
    assert loaded.marks.position(("Resources", "Fn")).line == 3
    assert loaded.marks.position(("Resources", "Fn", "Type")).column == 12


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": }', "unexpected character"),
        ("[1, 2", "unexpected end"),
        ('{"a": 1} x', "extra data"),
        ('{"a" 1}', "expected ':'"),
        ("{'a': 1}", "expected a quoted key"),
        ('["\\x"]', "Invalid \\escape"),
    ],
)
def test_json_errors(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message.replace("\\", "\\\\")):
        load_json(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_json_reader_agrees_with_the_standard_library(value: object) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=2)):
        assert load_json(text).data == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_yaml_reader_agrees_with_safe_load_on_plain_data(value: object) -> None:
    text = yaml.safe_dump(value)
    expected = yaml.safe_load(text)
    assert load_yaml(text).data == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    for loader in (load_yaml, load_json):
        with contextlib.suppress(LoadError):
            loader(text)
