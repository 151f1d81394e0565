"""What a scan returns: :class:`ScanResult`, frozen data the composer (:func:`remit.api.scan`) fills once and every
renderer (:mod:`remit.report`) only reads."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from remit import __version__
from remit.deps.inventory import EMPTY_INVENTORY, Inventory
from remit.diagnostics import NOT_READ, UNRESOLVED, Diagnostic, Level
from remit.findings import AttackPath, Finding, Severity
from remit.graph import GraphResult
from remit.model.application import Application
from remit.repository import join
from remit.rules.base import Rule

if TYPE_CHECKING:
    from remit.analysis import Analysis
    from remit.iam.blast import BlastRadius  # imported by the composer only when a scan runs
    from remit.iam.trusts import AccountTrust

_Judged = TypeVar("_Judged", Finding, AttackPath)


@dataclass(frozen=True, slots=True)
class ScannedDocument:
    path: str
    kind: str


@dataclass(frozen=True)
class ScanResult:
    root: Path
    documents: tuple[ScannedDocument, ...]
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    rules: tuple[Rule, ...]
    fail_on: Severity | None = Severity.LOW
    attack_paths: tuple[AttackPath, ...] = ()
    tool_version: str = __version__
    analysis: Analysis | None = field(default=None, repr=False, compare=False)  # the model and every stage's facts
    graph: GraphResult | None = field(default=None, repr=False, compare=False)  # attack graph, blast radius
    # the scanned root relative to the source root (the repository's top, or --source-root), POSIX, "" when they
    # are the same directory: SARIF and JUnit paths are relative to the repository, the other reports' to the root
    source_prefix: str = ""
    # findings and attack paths left out of the report by a minimum severity (`--min-severity`): the report is
    # shorter, the exit code is still decided on everything
    not_shown: int = 0
    # the settings a configuration file in the scanned tree changed (its path relative to the root, its keys):
    # the scanned repository's word about how it is judged, named in every headline
    tree_config: tuple[str, tuple[str, ...]] | None = None
    # each modelled function's blast radius (remit.iam.blast), in the model's order: text, JSON and HTML show it
    blast: tuple[BlastRadius, ...] = ()
    # the accounts, by id, that roles' trust policies let assume them (remit.iam.trusts): JSON shows them, and
    # `remit org merge --join-accounts` joins accounts on them
    trusts: tuple[AccountTrust, ...] = ()
    # what each function ships and which advisory matches stand after suppressions: the SBOM shows it
    inventory: Inventory = EMPTY_INVENTORY

    def at_least(self, severity: Severity) -> ScanResult:
        """The result as a report shows it with ``--min-severity``: findings and attack paths below ``severity``
        left out and counted in ``not_shown``; ``fail_on`` still sees them through the caller's own result."""
        findings = tuple(f for f in self.findings if f.severity.rank >= severity.rank)
        paths = tuple(p for p in self.attack_paths if p.severity.rank >= severity.rank)
        dropped = len(self.findings) - len(findings) + len(self.attack_paths) - len(paths)
        return dataclasses.replace(self, findings=findings, attack_paths=paths, not_shown=self.not_shown + dropped)

    def source_path(self, path: str) -> str:
        """A path relative to the scanned root (as findings and diagnostics carry them), relative to the source
        root instead."""
        return join(self.source_prefix, path)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings not suppressed."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def failing(self) -> tuple[Finding, ...]:
        """Unsuppressed findings at or above the ``fail_on`` threshold."""
        return self._over_threshold(self.active)

    @property
    def active_paths(self) -> tuple[AttackPath, ...]:
        """Attack paths not suppressed (by a template-level ignore entry or a baseline)."""
        return tuple(p for p in self.attack_paths if not p.suppressed)

    @property
    def failing_paths(self) -> tuple[AttackPath, ...]:
        """Unsuppressed attack paths at or above the ``fail_on`` threshold: they fail a scan like findings."""
        return self._over_threshold(self.active_paths)

    def _over_threshold(self, items: tuple[_Judged, ...]) -> tuple[_Judged, ...]:
        if self.fail_on is None:
            return ()
        threshold = self.fail_on.rank
        return tuple(x for x in items if x.severity.rank >= threshold)

    @property
    def advisories_unchecked(self) -> bool:
        """Functions ship dependencies some of which no advisory source was available to check against (what and
        why: ``analysis.deps.source``)."""
        return self.analysis is not None and self.analysis.deps.advisories_unchecked

    @property
    def application(self) -> Application | None:
        """The model of what the scan read (``analysis.app``)."""
        return self.analysis.app if self.analysis is not None else None

    @property
    def inputs_not_analysed(self) -> int:
        """Inputs that could not be fully analysed (error diagnostics)."""
        return sum(1 for d in self.diagnostics if d.level is Level.ERROR)

    @property
    def iac_not_read(self) -> int:
        """Parts of the infrastructure as written that were not read at all (:data:`remit.diagnostics.NOT_READ`)."""
        return sum(1 for d in self.diagnostics if d.code in NOT_READ)

    @property
    def unresolved_values(self) -> int:
        """Values remit needed and could not resolve (:data:`remit.diagnostics.UNRESOLVED`)."""
        return sum(1 for d in self.diagnostics if d.code in UNRESOLVED)

    @property
    def fails(self) -> bool:
        """Whether the scan fails its ``fail_on`` threshold (findings or attack paths)."""
        return bool(self.failing or self.failing_paths)

    @property
    def scannable(self) -> bool:
        return bool(self.documents)

    def headline(self) -> str:
        """``12 findings (2 critical, 5 high, 5 low)``: unsuppressed findings by severity, worst first."""
        active = self.active
        counts = self.counts("severity")
        parts = [f"{counts[s.value]} {s.value}" for s in Severity if counts[s.value]]
        head = f"{len(active)} finding{'s' if len(active) != 1 else ''}"
        return head + (" (" + ", ".join(parts) + ")" if parts else "")

    def counts(self, attribute: str) -> Counter[str]:
        """Unsuppressed findings counted by ``severity``, ``category`` or ``responsibility``."""
        return Counter(str(getattr(f, attribute).value) for f in self.active)
