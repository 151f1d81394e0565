"""YAML and JSON readers that keep the position of every key and item.

Both readers are iterative (an explicit stack, no recursion), so a deeply nested or hostile document fails with
a :class:`LoadError` instead of exhausting the interpreter stack. The result is plain data plus a
:class:`~remit.source.SourceMap`.

CloudFormation short forms are turned into their long forms while reading: ``!Ref x`` becomes
``{"Ref": "x"}``, ``!GetAtt a.b`` becomes ``{"Fn::GetAtt": ["a", "b"]}``, ``!Condition c`` becomes
``{"Condition": "c"}`` and any other ``!Name v`` becomes ``{"Fn::Name": v}``.

YAML 1.1 traps avoided on purpose: timestamps (``AWSTemplateFormatVersion: 2010-09-09``) stay strings;
``yes``/``no``/``on``/``off`` stay strings (only ``true``/``false`` are booleans); numbers written with a leading
zero (account ids such as ``012345678901``) or in base 60 stay strings.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.resolver

from remit.errors import LoadError
from remit.source import Path, SourceMap

try:  # the C parser is ~10x faster; fall back quietly where libyaml is absent
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]  # the same interface, slower

MAX_DEPTH = 128  # far beyond real templates; later stages (copy.deepcopy, the SAM translator) recurse per level
MAX_NODES = 5_000_000


@dataclass(frozen=True, slots=True)
class Loaded:
    """A parsed document: plain data, positions, and warnings about things read but doubtful."""

    data: Any
    marks: SourceMap
    warnings: tuple[tuple[int, str], ...] = ()


# a (line, column), 1-based: what a mark is. A plain tuple, built once per node (a NamedTuple such as
# remit.source.Position costs a Python-level constructor call each, tens of thousands per scan)
_Mark = tuple[int, int]


class _Frame:
    __slots__ = ("container", "key", "key_pos", "path", "pos")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path, pos: _Mark) -> None:
        self.container = container
        self.path = path
        self.pos = pos
        self.key: str | None = None
        self.key_pos: _Mark | None = None


class _TreeBuilder:
    """Builds plain data and marks from a stream of start/scalar/end calls."""

    def __init__(self, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
        self.stack: list[_Frame] = []
        self.marks: dict[Path, tuple[int, int]] = {}
        self.root: Any = None
        self.done = False
        self.nodes = 0
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.warnings: list[tuple[int, str]] = []

    # -- where the next value goes -------------------------------------------------------------
    def _slot(self, pos: _Mark) -> Path:
        """The path of the value about to be added, recording its mark."""
        if not self.stack:
            self.marks[()] = pos
            return ()
        top = self.stack[-1]
        if isinstance(top.container, dict):
            if top.key is None:
                raise LoadError("a mapping value arrived without a key", pos[0])
            path = (*top.path, top.key)
            # a mapping entry is located at its key
            self.marks[path] = top.key_pos or pos
            return path
        path = (*top.path, len(top.container))
        self.marks[path] = pos
        return path

    def _attach(self, value: Any) -> None:
        if not self.stack:
            self.root = value
            self.done = True
            return
        top = self.stack[-1]
        if isinstance(top.container, dict):
            assert top.key is not None
            top.container[top.key] = value
            top.key = None
            top.key_pos = None
        else:
            top.container.append(value)

    def _count(self, n: int = 1) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            raise self._too_many()

    def _too_many(self) -> LoadError:
        return LoadError(f"the document has more than {self.max_nodes} nodes (an alias bomb or a huge file)")

    # -- events --------------------------------------------------------------------------------
    def expecting_key(self) -> bool:
        stack = self.stack
        return bool(stack) and stack[-1].key is None and isinstance(stack[-1].container, dict)

    def key(self, key: str, pos: _Mark) -> None:
        top = self.stack[-1]
        assert isinstance(top.container, dict)
        if key in top.container:
            self.warnings.append((pos[0], f"duplicate key {key!r}: the last value is used"))
        top.key = key
        top.key_pos = pos

    def start(self, container: dict[str, Any] | list[Any], pos: _Mark) -> None:
        if len(self.stack) >= self.max_depth:
            raise LoadError(f"nesting deeper than {self.max_depth} levels", pos[0])
        self._count()
        path = self._slot(pos)
        self.stack.append(_Frame(container, path, pos))

    def end(self) -> Any:
        frame = self.stack.pop()
        if isinstance(frame.container, dict) and frame.key is not None:
            raise LoadError("a mapping key has no value", frame.pos[0])
        self._attach(frame.container)
        return frame.container

    def scalar(self, value: Any, pos: _Mark, size: int = 1) -> None:
        """A leaf value: what :meth:`_slot` then :meth:`_attach` do, in one pass (most nodes are leaves)."""
        self.nodes += size
        if self.nodes > self.max_nodes:
            raise self._too_many()
        if not self.stack:
            self.marks[()] = pos
            self.root = value
            self.done = True
            return
        top = self.stack[-1]
        container = top.container
        if isinstance(container, dict):
            key = top.key
            if key is None:
                raise LoadError("a mapping value arrived without a key", pos[0])
            self.marks[(*top.path, key)] = top.key_pos or pos  # a mapping entry is located at its key
            container[key] = value
            top.key = None
            top.key_pos = None
        else:
            self.marks[(*top.path, len(container))] = pos
            container.append(value)

    def shared(self, value: Any, size: int, pos: _Mark) -> None:
        """An alias: the anchored value again (not copied), counted at its full size."""
        self.scalar(value, pos, size)

    def wrap_tag(self, tag: str, pos: _Mark) -> tuple[dict[str, Any], str]:
        """Open the one-key mapping a short-form tag stands for; return it and its key."""
        name = tag[1:]
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        wrapper: dict[str, Any] = {}
        self.start(wrapper, pos)
        self.key(key, pos)
        return wrapper, key


# ------------------------------------------------------------------------------------------------
# YAML

_RESOLVER = yaml.resolver.Resolver()
# first characters for which a plain scalar may be something other than text (a number, a bool, null...)
_RESOLVABLE_FIRST = frozenset(k for k in _RESOLVER.yaml_implicit_resolvers if k)
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:omap")
_SEQ_TAGS = ("tag:yaml.org,2002:seq",)
_KEEP_AS_TEXT = re.compile(r"^[-+]?0[0-9_]+$|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")


def _yaml_scalar(value: str, tag: str | None, implicit: tuple[bool, bool]) -> Any:
    if tag in (None, "!"):
        if not implicit[0] or (value and value[0] not in _RESOLVABLE_FIRST):  # quoted, or plainly text
            return value
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]  # PyYAML is untyped
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        low = value.lower()
        if low in ("true", "false"):
            return low == "true"
        return value
    if tag == _INT:
        if _KEEP_AS_TEXT.match(value):
            return value
        text = value.replace("_", "")
        try:
            if text.lower().startswith(("0x", "-0x", "+0x")):
                return int(text, 16)
            if text.lower().startswith(("0b", "-0b", "+0b")):
                return int(text, 2)
            return int(text)
        except ValueError:
            return value
    if tag == _FLOAT:
        if _KEEP_AS_TEXT.match(value):
            return value
        low = value.replace("_", "").lower()
        if low in (".inf", "+.inf"):
            return float("inf")
        if low == "-.inf":
            return float("-inf")
        if low == ".nan":
            return float("nan")
        try:
            return float(low)
        except ValueError:
            return value
    # timestamps, binary, merge keys and anything else: the text as written
    return value


def _mark(event: Any) -> _Mark:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


def load_yaml(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Loaded:
    """Read the first YAML document of ``text``."""
    builder = _TreeBuilder(max_depth, max_nodes)
    anchors: dict[str, tuple[Any, int]] = {}
    # anchors being built: name -> (node count at start); the count after ``end`` gives the size
    open_anchors: list[tuple[str | None, int, bool]] = []  # (anchor, nodes_at_start, closes_a_tag_wrapper)
    documents = 0
    # dispatch on the event's exact class: this loop runs once per YAML event (~2,000 per template)
    scalar_event, start_events, end_events = yaml.ScalarEvent, (yaml.MappingStartEvent, yaml.SequenceStartEvent), \
        (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        events: Iterator[Any] = yaml.parse(text, Loader=_YamlLoader)  # narrowed by class below, not isinstance
        for event in events:
            cls = event.__class__
            if cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    builder.warnings.append((_mark(event)[0], "more than one YAML document: only the first is read"))
                    break
                continue
            if cls is yaml.StreamStartEvent or cls is yaml.StreamEndEvent or cls is yaml.DocumentEndEvent:
                continue
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            if builder.expecting_key() and cls is not yaml.MappingEndEvent:
                if cls is scalar_event:
                    tag_ = event.tag
                    # a tagged or non-string scalar used as a key (``200:`` in OpenAPI responses) becomes text
                    builder.key(event.value if tag_ in (None, "!", _STR) else
                                str(_yaml_scalar(event.value, tag_, event.implicit)), pos)
                    continue
                if cls is yaml.AliasEvent and event.anchor in anchors:
                    builder.key(str(anchors[event.anchor][0]), pos)
                    continue
                raise LoadError("a mapping key is not a plain value (complex keys are not supported)", pos[0])
            if cls is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise LoadError(f"alias *{event.anchor} refers to an unknown or unfinished anchor", pos[0])
                value, size = anchors[event.anchor]
                builder.shared(value, size, pos)
                continue
            raw_tag = getattr(event, "tag", None)
            tag: str = raw_tag if isinstance(raw_tag, str) else ""
            short = tag.startswith("!") and tag != "!" and not tag.startswith("!!")
            if cls is scalar_event:
                if short:
                    name = tag[1:]
                    builder.wrap_tag(tag, pos)
                    inner: Any = event.value
                    if name == "GetAtt":
                        inner = event.value.split(".", 1) if "." in event.value else [event.value]
                        builder.start([], pos)
                        for part in inner:
                            builder.scalar(part, pos)
                        builder.end()
                    else:
                        builder.scalar(inner, pos)
                    value = builder.end()
                    size = 2
                else:
                    value = _yaml_scalar(event.value, tag or None, event.implicit)
                    builder.scalar(value, pos)
                    size = 1
                if event.anchor:
                    anchors[event.anchor] = (value, size)
                continue
            if cls in start_events:
                if short:
                    builder.wrap_tag(tag, pos)
                container: dict[str, Any] | list[Any] = {} if cls is yaml.MappingStartEvent else []
                open_anchors.append((event.anchor, builder.nodes, short))
                builder.start(container, pos)
                continue
            if cls in end_events:
                anchor, start_nodes, wrapped = open_anchors.pop()
                value = builder.end()
                if wrapped:
                    value = builder.end()
                if anchor:
                    anchors[anchor] = (value, max(1, builder.nodes - start_nodes))
                continue
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        raise LoadError(f"invalid YAML: {problem}{context}", line) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML: {exc}") from None
    if not builder.done:
        if documents == 0 or (builder.root is None and not builder.stack):
            return Loaded(None, SourceMap({}), tuple(builder.warnings))
        raise LoadError("the document ends inside a collection")
    return Loaded(builder.root, SourceMap(builder.marks), tuple(builder.warnings))


# ------------------------------------------------------------------------------------------------
# JSON

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(self, offset: int) -> _Mark:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def load_json(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Loaded:
    """Read one JSON value (with positions). Duplicate keys keep the last value, as ``json.loads`` does."""
    builder = _TreeBuilder(max_depth, max_nodes)
    lines = _Lines(text)
    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # public, missing from typeshed
    n = len(text)
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]  # _WS matches the empty string too
    # expect: "value", "key", "colon", "comma_or_end"
    expect = "value"

    def fail(msg: str, at: int) -> LoadError:
        return LoadError(f"invalid JSON: {msg}", lines.pos(min(at, max(n - 1, 0)))[0])

    while True:
        i = _WS.match(text, i).end()  # type: ignore[union-attr]  # _WS matches the empty string too
        if builder.done:
            if i != n:
                raise fail("extra data after the document", i)
            break
        if i >= n:
            raise fail("unexpected end of the document", i)
        ch = text[i]
        if expect == "key":
            if ch != '"':  # `}` here would accept a trailing comma; an empty object is read with its `{`
                raise fail("expected a quoted key", i)
            try:
                key, end = scanstring(text, i + 1, True)
            except json.JSONDecodeError as exc:
                raise fail(exc.msg, exc.pos) from None
            builder.key(key, lines.pos(i))
            i = _WS.match(text, end).end()  # type: ignore[union-attr]  # _WS matches the empty string too
            if i >= n or text[i] != ":":
                raise fail("expected ':' after a key", i)
            i += 1
            expect = "value"
            continue
        if expect == "comma_or_end":
            top = builder.stack[-1]
            closing = "}" if isinstance(top.container, dict) else "]"
            if ch == ",":
                i += 1
                expect = "key" if closing == "}" else "value"
                continue
            if ch == closing:
                builder.end()
                i += 1
                continue
            raise fail(f"expected ',' or '{closing}'", i)
        # a value
        pos = lines.pos(i)
        if ch == "{":
            builder.start({}, pos)
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]  # _WS matches the empty string too
            if i < n and text[i] == "}":
                builder.end()
                i += 1
                expect = "comma_or_end"
            else:
                expect = "key"
            continue
        if ch == "[":
            builder.start([], pos)
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]  # _WS matches the empty string too
            if i < n and text[i] == "]":
                builder.end()
                i += 1
                expect = "comma_or_end"
            continue
        if ch == '"':
            try:
                value, i = scanstring(text, i + 1, True)
            except json.JSONDecodeError as exc:
                raise fail(exc.msg, exc.pos) from None
            builder.scalar(value, pos)
        elif ch in "-0123456789":
            m = _NUMBER.match(text, i)
            if m is None or m.end() == i:
                raise fail("invalid number", i)
            raw = m.group(0)
            builder.scalar(float(raw) if (m.group(1) or m.group(2)) else int(raw), pos)
            i = m.end()
        else:
            for word, literal in _LITERALS.items():
                if text.startswith(word, i):
                    builder.scalar(literal, pos)
                    i += len(word)
                    break
            else:
                raise fail(f"unexpected character {ch!r}", i)
        expect = "comma_or_end"
    return Loaded(builder.root, SourceMap(builder.marks), tuple(builder.warnings))
