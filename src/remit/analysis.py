"""What the stages found about one application, as rules, the attack graph and reports read it.

The :class:`~remit.model.application.Application` is the model of what the scan read, and nothing more. The
stages after it each add their facts here: the code stage its :class:`~remit.code.facts.CodeFacts`, the
dependency stage its :class:`~remit.deps.facts.DependencyFacts`, the join of a deployed account's snapshot with
its templates its :class:`~remit.live.facts.LiveFacts`, the IAM stage its evaluator over every policy
(:class:`~remit.iam.engine.IamEngine`: answers computed on first question and kept) and the effective grants
the over-privilege rules judge (:class:`~remit.iam.effective.Effective`), and the usage stage what
each function's code and configuration need of IAM (:class:`~remit.code.sdk.usage.Usage`). ``api.scan`` builds
one :class:`Analysis` and hands it on; rules and the graph only read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from remit.code.facts import NO_CODE, CodeFacts
from remit.code.sdk.usage import Usage, usage
from remit.deps.facts import NO_DEPENDENCIES, DependencyFacts
from remit.iam.effective import Effective
from remit.iam.engine import IamEngine
from remit.live.facts import NO_LIVE, LiveFacts
from remit.model.application import Application
from remit.model.resources import ResourceId

__all__ = ["Analysis", "analysis"]


@dataclass(frozen=True, eq=False)  # one analysis per scan: compared and hashed by identity
class Analysis:
    """The model and every stage's facts about it."""

    app: Application
    iam: IamEngine = field(repr=False)
    effective: Effective = field(repr=False)  # the effective grants the over-privilege rules judge
    code: CodeFacts = field(default=NO_CODE, repr=False)
    deps: DependencyFacts = field(default=NO_DEPENDENCIES, repr=False)
    usage: Mapping[ResourceId, Usage] = field(default_factory=dict, repr=False)  # per function
    live: LiveFacts = field(default=NO_LIVE, repr=False)  # a snapshot joined to its templates (remit.live.join)


def analysis(app: Application, code: CodeFacts = NO_CODE, deps: DependencyFacts = NO_DEPENDENCIES,
             live: LiveFacts = NO_LIVE) -> Analysis:
    """The analysis of ``app`` from its code, dependency and live-account facts: the IAM evaluator over its
    policies, and each function's usage (from its code and configuration)."""
    iam = IamEngine(app)
    uses = {fn.id: usage(app, code, fn) for fn in app.functions}
    return Analysis(app, iam, Effective(app), code, deps, uses, live)
