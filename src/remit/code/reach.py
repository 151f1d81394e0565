"""Which functions of a package a handler can reach, and the code issues that only count when it can.

Both languages' programs record a call edge each time one function's analysis asks for another's summary
(cached or not), so the functions a handler reaches are a walk over those edges from the handler. A code issue
that lies inside a module-level function the handler never reaches (a helper for another handler, an unused
utility) is not this function's: an unverified token decode there cannot be exploited through this handler.
Methods and nested functions are kept: calls through objects and callbacks are not resolved, and remit does not
drop a finding on a guess.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Any

from remit.code.facts import CodeIssue, IssueKind

# issues that need a handler to reach them to matter; a secret written anywhere in the package is shipped
REACH_DEPENDENT = frozenset({IssueKind.JWT_UNVERIFIED})


@dataclass(frozen=True, slots=True)
class Span:
    """A module-level function: its file (relative to the root, as in locations), first and last line, key."""

    path: str
    first: int
    last: int
    key: Hashable


def reach(calls: Mapping[Any, Set[Any]], starts: Iterable[Hashable]) -> frozenset[Hashable]:
    """Every function reachable from ``starts`` over the recorded call edges, ``starts`` included."""
    seen = set(starts)
    todo = list(seen)
    while todo:
        for callee in calls.get(todo.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return frozenset(seen)


def reachable_issues(issues: Iterable[CodeIssue], spans: Iterable[Span],
                     reached: Set[Hashable]) -> list[CodeIssue]:
    """``issues`` without the reach-dependent ones inside a module-level function the handler never reaches."""
    unreached: dict[str, list[Span]] = {}
    for span in spans:
        if span.key not in reached:
            unreached.setdefault(span.path, []).append(span)
    return [issue for issue in issues
            if issue.kind not in REACH_DEPENDENT
            or not any(s.first <= issue.location.line <= s.last for s in unreached.get(issue.location.path, ()))]
