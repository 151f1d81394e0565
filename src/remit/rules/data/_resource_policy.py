"""Shared by the "resource policy lets anyone in" rules: one hit per open statement, graded by what it opens."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from remit.findings import Severity
from remit.iam.exposure import Exposure, open_exposures
from remit.model.entities import DataStore
from remit.model.values import render
from remit.rules.base import Hit


@dataclass(frozen=True, slots=True)
class Grade:
    """Actions that make an open statement worse, each with what an attacker does with it; a grade without
    effects (the baseline) has one ``gain`` for whatever else the statement opens."""

    severity: Severity
    effects: tuple[tuple[str, str], ...] = ()  # (action, "read its messages"), matched against the statement
    gain: str = ""

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(action for action, _ in self.effects)

    def describe(self, opened: Sequence[str]) -> str:
        """What the opened actions let an attacker do, without claiming what they do not."""
        if not self.effects:
            return self.gain
        wanted = {a.lower() for a in opened}
        phrases = list(dict.fromkeys(phrase for action, phrase in self.effects if action.lower() in wanted))
        if len(phrases) <= 1:
            return phrases[0] if phrases else self.gain
        return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def open_statement_hits(store: DataStore, noun: str, grades: Sequence[Grade], baseline: Grade,
                        who: str = "any AWS account", name: str | None = None) -> Iterator[Hit]:
    """A hit at every statement of the store's resource policy that lets anyone in, unconditionally.

    ``grades`` are tried in order; the first whose actions the statement opens decides severity and wording;
    ``baseline`` applies otherwise.
    """
    if store.policy is None:
        return
    for exposure in open_exposures(store.policy.document):
        grade, opened = _grade(exposure, grades, baseline)
        st = exposure.statement
        when = f" when template condition {st.when} holds" if st.when else ""
        same = {a.lower() for a in opened} == {a.lower() for a in exposure.actions}
        shown = f" ({', '.join(opened[:4])}{', ...' if len(opened) > 4 else ''})" if opened and not same else ""
        if st.conditions:
            keys = ", ".join(sorted({f"{c.operator} {c.key}" for c in st.conditions}))
            narrowing = f"; its condition ({keys}) does not pin the caller, so {who}"
        else:
            narrowing = f", with no condition narrowing who: {who}"
        message = (f"The {noun} policy of {name or store.display} lets {exposure.describe_principal()} perform "
                   f"{exposure.describe_actions()}{when}{narrowing} can {grade.describe(opened)}{shown}.")
        resources = ",".join(render(r) for r in st.resources)
        evidence = (f"{st.sid or ''}|{'not ' if exposure.not_action else ''}{','.join(exposure.actions)}|"
                    f"{'not ' if st.not_resource else ''}{resources}|{st.when or ''}")
        yield Hit(st.node, message, store.resource, evidence=evidence, severity=grade.severity)


def _grade(exposure: Exposure, grades: Sequence[Grade], baseline: Grade) -> tuple[Grade, tuple[str, ...]]:
    for grade in grades:
        opened = exposure.covers_any(grade.actions)
        if opened:
            return grade, opened
    return baseline, ()
