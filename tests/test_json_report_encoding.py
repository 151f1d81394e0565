"""The JSON report's own encoder writes what ``json.dumps(indent=2, ensure_ascii=False)`` writes."""

from __future__ import annotations

import enum
import json
import math

import pytest

from remit.report.json_report import _dump


class Level(enum.StrEnum):
    HIGH = "high"


class Count(enum.IntEnum):
    ONE = 1


def _ours(value: object) -> str:
    out: list[str] = []
    _dump(value, out.append, "")
    return "".join(out)


@pytest.mark.parametrize("value", [
    {},
    [],
    {"a": [], "b": {}, "c": [{}], "d": [[]]},
    {"text": "naïve \"quoted\" \\ back\nline\t\u2028 \x00 😀", "n": -3, "f": 1.5, "e": 1e300, "z": 0.0},
    {"flags": [True, False, None], "nested": {"deep": {"deeper": [1, [2, [3, {"x": "y"}]]]}}},
    (1, "two", (3.25,)),
    {7: "int key", 2.5: "float key", True: "bool key", None: "none key"},
    {"nan": math.nan, "inf": math.inf, "-inf": -math.inf},
    {"enum": Level.HIGH, "count": Count.ONE, Level.HIGH: "enum key"},
    "just a string",
    42,
    None,
])
def test_same_text_as_json_dumps(value: object) -> None:
    assert _ours(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_not_serialisable_raises_type_error() -> None:
    with pytest.raises(TypeError):
        _ours({"x": object()})
    with pytest.raises(TypeError):
        _ours({(1, 2): "tuple key"})
