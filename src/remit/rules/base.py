"""What a rule is: metadata plus one check function, declared with :func:`rule`.

A check takes its subject (an entity of the model of the rule's ``scope``, or for scope None the whole analysis)
and the :class:`~remit.analysis.Analysis` (the model ``an.app`` and the facts of every stage: ``an.iam``,
``an.code``, ``an.deps``, ``an.usage``), and yields :class:`Hit` s that point at a
:class:`~remit.source.NodePath`. Rules read facts; they compute none that another rule or stage needs. The
engine turns hits into findings: it resolves file and line, applies severity overrides, computes the
fingerprint and applies suppressions.

Example (``rules/lambda_/function_url_public.py``)::

    @rule(id="RMT-LAMBDA-001", title="Function URL allows unauthenticated calls", severity=Severity.HIGH,
          category=Category.PUBLIC_EXPOSURE, responsibility=Responsibility.CONFIGURATION, scope=FunctionUrl,
          remediation="Set AuthType: AWS_IAM ...", impact="Anyone on the internet can run the function ...")
    def check(url: FunctionUrl, an: Analysis) -> Iterator[Hit]:
        \"\"\"Long help shown by ``remit explain`` and in SARIF.\"\"\"
        ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from remit.diagnostics import Diagnostic
from remit.findings import Category, FlowStep, Responsibility, Severity
from remit.model.resources import Resource
from remit.source import NodePath, SourceLocation

if TYPE_CHECKING:
    from remit.analysis import Analysis

Subject = TypeVar("Subject")


@dataclass(frozen=True, slots=True)
class Hit:
    """One place a rule fires.

    ``evidence`` distinguishes hits of one rule on one resource (an environment variable's name, a route's
    method and path) and enters the fingerprint; ``resource`` is the resource whose ``Metadata`` may suppress
    the hit and whose author-facing name is reported.

    ``at`` places the finding outside the templates (a line of handler code, a manifest line); ``node`` is then
    only where the resource is declared. ``flow`` is the ordered path a code or IAM finding follows, and
    ``details`` structured facts for machine-readable output.
    """

    node: NodePath
    message: str
    resource: Resource
    evidence: str = ""
    severity: Severity | None = None
    related: tuple[NodePath, ...] = ()
    at: SourceLocation | None = None
    flow: tuple[FlowStep, ...] = ()
    details: tuple[tuple[str, str], ...] = ()
    remediation: str = ""  # the fix for this hit (e.g. in the code's language); empty: the rule's remediation
    # the fact's own identity when several resources share it (a manifest line many functions ship, a sink line in
    # code several functions deploy): hits of one rule with the same key and severity become one finding naming
    # every resource, fingerprinted by the key — so the key holds no line number (lines move; fingerprints stay)
    shared: str = ""


Check = Callable[[Any, "Analysis"], Iterable[Hit]]  # the subject's type is the rule's scope (tests/test_catalog.py)
Notes = Callable[["Analysis"], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    category: Category
    responsibility: Responsibility
    scope: type | None  # an entity type of the model; None for the whole application
    remediation: str
    check: Check = field(repr=False, compare=False)
    references: tuple[str, ...] = ()
    cwe: tuple[str, ...] = ()
    help: str = ""
    module: str = ""
    impact: str = ""  # why an attacker cares: what exploiting the finding gains them, in a sentence or two
    # what the rule could not judge, said as diagnostics when it runs (RMT-PERM-001: functions whose use of
    # their permissions remit could not read)
    notes: Notes | None = field(default=None, repr=False, compare=False)

    @property
    def family(self) -> str:
        """``RMT-LAMBDA-001`` -> ``LAMBDA``."""
        parts = self.id.split("-")
        return parts[1] if len(parts) >= 3 else self.id

    @property
    def slug(self) -> str:
        return self.module.rsplit(".", 1)[-1].replace("_", "-")

    def summary(self) -> str:
        """The help's first paragraph."""
        return self.help.split("\n\n", 1)[0].replace("\n", " ").strip()


def rule(
    *,
    id: str,
    title: str,
    severity: Severity,
    category: Category,
    responsibility: Responsibility,
    scope: type | None,
    remediation: str,
    impact: str = "",
    references: Iterable[str] = (),
    cwe: Iterable[str] = (),
    notes: Notes | None = None,
) -> Callable[[Callable[[Subject, Analysis], Iterable[Hit]]], Rule]:
    """Declare a rule. Returns a :class:`Rule` in place of the function; registers nothing.

    ``impact`` says why an attacker cares (what the finding gives them); every rule has one (tests/test_catalog.py),
    shown by ``remit explain``, the Markdown catalog and the rule's page under ``docs/rules/``.
    """

    def wrap(fn: Callable[[Subject, Analysis], Iterable[Hit]]) -> Rule:
        return Rule(
            id=id,
            title=title,
            severity=severity,
            category=category,
            responsibility=responsibility,
            scope=scope,
            remediation=" ".join(remediation.split()),
            check=fn,
            references=tuple(references),
            cwe=tuple(cwe),
            help=inspect.cleandoc(fn.__doc__ or title),
            module=fn.__module__,
            impact=" ".join(impact.split()),
            notes=notes,
        )

    return wrap
