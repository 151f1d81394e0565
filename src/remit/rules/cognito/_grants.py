"""Wording shared by the identity pool role rules (RMT-COGNITO-005, RMT-COGNITO-006)."""

from __future__ import annotations

from remit.analysis import Analysis
from remit.findings import FlowStep
from remit.iam.engine import Grant

LIMIT = 6  # actions named per kind


def summarise(an: Analysis, found: dict[str, list[Grant]]) -> tuple[list[tuple[str, str]], tuple[FlowStep, ...]]:
    """Per kind, the actions to name (a few, then "and N more"); and the statements granting the first ones."""
    shown: list[tuple[str, str]] = []
    flow: list[FlowStep] = []
    for kind, grants in found.items():
        names = ", ".join(g.action for g in grants[:LIMIT])
        shown.append((kind, names + (f" and {len(grants) - LIMIT} more" if len(grants) > LIMIT else "")))
        for g in grants[:3]:
            for st in g.statements[:1]:
                flow.append(FlowStep(an.app.locate(st.node), f"{g.action} granted here"))
    return shown, tuple(flow)
