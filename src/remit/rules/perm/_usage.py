"""Shared by the least-privilege rules: the steps of a flow that name SDK calls (each function's usage is the
usage stage's, ``an.usage``)."""

from __future__ import annotations

from remit.code.facts import SdkCall
from remit.findings import FlowStep


def call_steps(calls: tuple[SdkCall, ...]) -> tuple[FlowStep, ...]:
    return tuple(FlowStep(c.location, f"{c.method} calls {c.service} {c.operation}") for c in calls)
