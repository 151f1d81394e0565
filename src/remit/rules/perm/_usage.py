"""Shared by the least-privilege rules: each function's usage computed once per scan, and call steps."""

from __future__ import annotations

import weakref
from collections.abc import Mapping

from remit.code.facts import SdkCall
from remit.code.sdk.usage import Usage, usage
from remit.findings import FlowStep
from remit.model.application import Application
from remit.model.resources import ResourceId

_last: tuple[weakref.ref[Application], Mapping[ResourceId, Usage]] | None = None


def usages(app: Application) -> Mapping[ResourceId, Usage]:
    """Every function's :class:`Usage`, computed once for the application being scanned (the rules share it;
    only the last application is remembered, weakly)."""
    global _last  # noqa: PLW0603 - a one-entry cache of the application being scanned
    if _last is not None and _last[0]() is app:
        return _last[1]
    table = {fn.id: usage(app, fn) for fn in app.functions}
    _last = (weakref.ref(app), table)
    return table


def call_steps(calls: tuple[SdkCall, ...]) -> tuple[FlowStep, ...]:
    return tuple(FlowStep(c.location, f"{c.method} calls {c.service} {c.operation}") for c in calls)
