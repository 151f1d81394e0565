"""Shared by the "resource policy lets anyone in" rules: one hit per open statement, graded by what it opens.

Whether a statement is open is the IAM evaluator's verdict (:func:`remit.iam.reach.judge_statements`): an
outsider (no organization, VPC, endpoint or source resource of yours) can make a request the ``Allow`` admits
and no ``Deny`` for everyone refuses. Conditions the outsider can satisfy themselves (``aws:SecureTransport``)
are named in the message; a statement kept out by a restricting condition is not reported."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from remit.findings import Severity
from remit.iam.conditions import Tri
from remit.iam.evaluate import action_matches
from remit.iam.reach import Reach, anonymous_ok, judge_statements
from remit.model.entities import DataStore
from remit.model.policy import Statement
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
    statements = store.policy.statements
    for st, verdict in judge_statements(statements):
        if not verdict.reachable:
            continue
        actions = tuple(render(a) for a in st.actions)
        reach = Reach.PUBLIC if anonymous_ok(store, st) else Reach.ANY_ACCOUNT
        grade, opened = _grade(st, statements, grades, baseline)
        when = f" when template condition {st.when} holds" if st.when else ""
        same = {a.lower() for a in opened} == {a.lower() for a in actions}
        shown = f" ({', '.join(opened[:4])}{', ...' if len(opened) > 4 else ''})" if opened and not same else ""
        if verdict.conditions:
            narrowing = (f"; its condition ({'; '.join(verdict.conditions)}) is one the caller satisfies at will, "
                         f"so {who}")
        elif st.conditions:
            keys = ", ".join(sorted({f"{c.operator} {c.key}" for c in st.conditions}))
            narrowing = f"; its condition ({keys}) does not pin the caller, so {who}"
        else:
            narrowing = f", with no condition narrowing who: {who}"
        message = (f"The {noun} policy of {name or store.display} lets {_principal(st)} perform "
                   f"{_actions(st)}{when}{narrowing} can {grade.describe(opened)}{shown}.")
        resources = ",".join(render(r) for r in st.resources)
        evidence = (f"{st.sid or ''}|{'not ' if st.not_action else ''}{','.join(actions)}|"
                    f"{'not ' if st.not_resource else ''}{resources}|{st.when or ''}")
        yield Hit(st.node, message, store.resource, evidence=evidence, severity=grade.severity,
                  details=(("reach", str(reach)), *(("condition", c) for c in verdict.conditions)))


def _principal(st: Statement) -> str:
    if st.not_principal:
        return "anyone except " + ", ".join(render(p.value) for p in st.principals)
    return "anyone"


def _actions(st: Statement, limit: int = 6) -> str:
    written = [render(a) for a in st.actions]
    shown = written[:limit] + ([f"{len(written) - limit} more"] if len(written) > limit else [])
    listed = ", ".join(shown) if shown else "no action"
    return f"every action except {listed}" if st.not_action else listed


def _opens(st: Statement, statements: Sequence[Statement], action: str) -> bool:
    """The statement allows ``action`` and no unconditional Deny for everyone takes it back on every resource
    the statement names."""
    if action_matches(st, action) is Tri.FALSE:
        return False
    for deny in statements:
        if deny.allows or deny.conditions or deny.not_principal or deny.when:
            continue
        if not any(p.is_anyone for p in deny.principals) or action_matches(deny, action) is not Tri.TRUE:
            continue
        if deny.not_resource:
            continue
        if any(render(r).strip() == "*" for r in deny.resources) or (
                not st.not_resource and {render(r) for r in st.resources} <= {render(r) for r in deny.resources}):
            return False
    return True


def _grade(st: Statement, statements: Sequence[Statement], grades: Sequence[Grade],
           baseline: Grade) -> tuple[Grade, tuple[str, ...]]:
    for grade in grades:
        opened = tuple(a for a in grade.actions if _opens(st, statements, a))
        if opened:
            return grade, opened
    return baseline, ()
