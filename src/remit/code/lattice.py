"""The values both taint analyses compute with, whatever the language: dependencies on event data.

A value is a set of :class:`Dep` s: "parameter *i* at access path *p*" with the steps that carried it there
and the sink kinds a sanitizer has already made it safe for. The Python (:mod:`remit.code.python.taint`) and
JavaScript (:mod:`remit.code.javascript.taint`) interpreters differ in the trees they walk, not in these
values, their summaries or how steps and paths are capped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from remit.code.facts import CodeIssue, IssueKind, SinkKind, TaintFlow
from remit.findings import FlowStep
from remit.source import SourceLocation

if TYPE_CHECKING:
    from remit.code.sources import EventSources

ALL = "*"  # a sanitizer kind that clears every sink kind
EXCEPTION = -1  # the pseudo-parameter of exception text
MAX_STEPS = 16
MAX_DEPS = 8
MAX_PATH = 10


@dataclass(frozen=True, slots=True)
class Dep:
    param: int
    path: tuple[str, ...]
    derived: bool  # made from the data (string building, parsing): access paths no longer extend
    steps: tuple[FlowStep, ...]
    cleared: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[int, tuple[str, ...], bool, frozenset[str], SourceLocation | None]:
        """What makes two dependencies different; exception text also by where it was caught."""
        origin = self.steps[0].location if self.param == EXCEPTION and self.steps else None
        return self.param, self.path, self.derived, self.cleared, origin


Value = tuple[Dep, ...]
EMPTY: Value = ()


@dataclass(frozen=True, slots=True)
class SinkHit:
    kind: str  # a SinkKind value, or catalog.PERSIST
    callee: str
    location: SourceLocation
    dep: Dep
    text: str = ""  # the sink expression as written


@dataclass(frozen=True, slots=True)
class Summary:
    returns: Value = ()
    hits: tuple[SinkHit, ...] = ()


NO_SUMMARY = Summary()


def union(*values: Iterable[Dep]) -> Value:
    seen: dict[tuple[int, tuple[str, ...], bool, frozenset[str], SourceLocation | None], Dep] = {}
    for value in values:
        for dep in value:
            if dep.key not in seen and len(seen) < MAX_DEPS:
                seen[dep.key] = dep
    return tuple(seen.values())


def wrapped_by(summary: Summary, wrappers: Iterable[Summary]) -> Summary:
    """A handler's summary seen through the wrappers around it (``with_errors(handler)``, ``@with_errors``,
    ``withErrors(async (event) => ...)``): what a wrapper returns from a caught exception, an error body, reaches
    the caller too. Both languages find the wrappers; this is what they contribute."""
    errors = [dep for wrapper in wrappers for dep in wrapper.returns if dep.param == EXCEPTION]
    return Summary(union(summary.returns, errors), summary.hits) if errors else summary


def joined_prefix(parts: Iterable[tuple[str | None, bool]], separator: str) -> str | None:
    """The text a joined list certainly starts with (``"".join([API, "/items/", id])``, ``[API, id].join("/")``),
    from each element's known prefix and whether the element is constant: up to the first element that is not
    known in full. None when not even the first element's start is known."""
    out: str | None = None
    for i, (piece, constant) in enumerate(parts):
        if piece is None:
            return out
        out = (out or "") + (separator if i else "") + piece
        if not constant:
            return out
    return out


def derived(value: Value) -> Value:
    return tuple(d if d.derived else replace(d, derived=True) for d in value)


def clear(value: Value, kinds: Iterable[str]) -> Value:
    kinds = frozenset(kinds)
    if ALL in kinds:
        return tuple(d for d in value if d.param == EXCEPTION)
    return tuple(replace(d, cleared=d.cleared | kinds) for d in value)


def cap(steps: Sequence[FlowStep]) -> tuple[FlowStep, ...]:
    if len(steps) <= MAX_STEPS:
        return tuple(steps)
    half = MAX_STEPS // 2
    return (*steps[:half], *steps[-half:])


def add_step(value: Value, step: FlowStep) -> Value:
    out: list[Dep] = []
    for d in value:
        steps = list(d.steps)
        if steps and steps[-1].location.path == step.location.path and steps[-1].location.line == step.location.line:
            steps[-1] = step  # one step per line: the later expression says more
        else:
            steps.append(step)
        out.append(replace(d, steps=cap(steps)))
    return tuple(out)


def compose(outer: Dep, inner: Dep, call: FlowStep) -> Dep:
    """An argument's dependency ``outer`` flowing into a callee where parameter use ``inner`` happens."""
    path = outer.path if outer.derived else (outer.path + inner.path)[:MAX_PATH]
    return Dep(outer.param, path, outer.derived or inner.derived, cap((*outer.steps, call, *inner.steps)),
               outer.cleared | inner.cleared)


PERSIST = "persistence"  # engine-internal sink: event data kept across invocations


def handler_facts(summary: Summary, sources: EventSources, start: FlowStep, event_name: str,
                  render: Callable[[tuple[str, ...], str], str], leak: Callable[[Dep], CodeIssue], *,
                  sync: bool, lead_with_start: bool) -> tuple[list[TaintFlow], list[CodeIssue]]:
    """The handler summary's sink hits on attacker-controlled event fields as flows and issues.

    Only parameter 0 (the event) at a path the function's triggers let an attacker write counts; hits a
    sanitizer cleared are dropped. Persistence hits become issues, exception text returned by a synchronously
    invoked handler becomes an error-leak issue (``leak`` words it for the language). ``lead_with_start``
    puts the handler's event parameter first in every flow (an analyzer whose steps do not begin there).
    """
    flows: dict[tuple[str, SourceLocation, str], TaintFlow] = {}
    issues: list[CodeIssue] = []
    for hit in summary.hits:
        dep = hit.dep
        if dep.param != 0 or hit.kind in dep.cleared:
            continue
        source = sources.match(dep.path)
        if source is None:
            continue
        lead = (start, *dep.steps) if lead_with_start else (dep.steps or (start,))
        steps = (*lead, FlowStep(hit.location, hit.callee))
        text = render(dep.path, event_name)
        if hit.kind == PERSIST:
            issues.append(CodeIssue(IssueKind.PERSISTENCE, hit.location,
                                    f"Event data ({source.label}, {text}) is kept beyond the invocation "
                                    f"({hit.callee}): the next invocation in the same execution environment, "
                                    f"possibly for another caller, sees it",
                                    evidence=f"{hit.text}|{text}", confidence=source.confidence, steps=steps))
            continue
        key = (hit.kind, hit.location, text)
        if key not in flows:
            flows[key] = TaintFlow(SinkKind(hit.kind), text, hit.callee, steps, source.confidence, source.trigger,
                                   hit.text)
    if sync:
        leaks: dict[SourceLocation, CodeIssue] = {}
        for dep in summary.returns:
            if dep.param == EXCEPTION:
                issue = leak(dep)
                leaks.setdefault(issue.location, issue)
        issues.extend(leaks.values())
    return list(flows.values()), issues
