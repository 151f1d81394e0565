"""``scan()``: the one place the pipeline's stages are composed.

targets -> discover -> load -> model.build -> rules -> suppress/threshold -> :class:`ScanResult`.
Renderers (:mod:`remit.report`) read only the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from remit import __version__
from remit.diagnostics import Diagnostic, Level
from remit.findings import AttackPath, Finding, Severity
from remit.loaders.cloudformation import Document, load_template
from remit.loaders.discover import discover
from remit.model.application import Application
from remit.options import ScanOptions
from remit.rules.base import Rule
from remit.suppress import load_baseline


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
    application: Application | None = field(default=None, repr=False, compare=False)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings not suppressed."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def failing(self) -> tuple[Finding, ...]:
        """Unsuppressed findings at or above the ``fail_on`` threshold."""
        if self.fail_on is None:
            return ()
        threshold = self.fail_on.rank
        return tuple(f for f in self.active if f.severity.rank >= threshold)

    @property
    def scannable(self) -> bool:
        return bool(self.documents)

    def counts(self, attribute: str) -> Counter[str]:
        """Unsuppressed findings counted by ``severity``, ``category`` or ``responsibility``."""
        return Counter(str(getattr(f, attribute).value) for f in self.active)


def load_documents(targets: Sequence[Path], options: ScanOptions) -> tuple[Path, list[Document], list[Diagnostic]]:
    found = discover(targets, exclude=options.exclude)
    diagnostics = list(found.diagnostics)
    documents: list[Document] = []
    for file in found.files:
        loaded = load_template(file)
        diagnostics.extend(loaded.diagnostics)
        if loaded.document is not None:
            documents.append(loaded.document)
    return found.root, documents, diagnostics


def scan(targets: Sequence[Path], options: ScanOptions | None = None) -> ScanResult:
    """Scan files and directories. Raises ValueError for an unknown rule selector and
    :class:`remit.suppress.BaselineError` for an unreadable baseline; bad *input* never raises."""
    from remit.engine import all_rules, run, select_rules  # noqa: PLC0415 - keeps `remit --version` fast
    from remit.model.build import build  # noqa: PLC0415

    options = options or ScanOptions()
    rules = select_rules(all_rules(), options.select, options.ignore)
    baseline = load_baseline(options.baseline) if options.baseline else None
    root, documents, diagnostics = load_documents(targets, options)
    scanned = tuple(ScannedDocument(d.id, d.kind.value) for d in documents)
    if not documents:
        return ScanResult(root, (), (), tuple(diagnostics), rules, options.fail_on)
    app, model_diags = build(documents, root)
    diagnostics.extend(model_diags)
    findings, rule_diags = run(app, rules, severity_overrides=options.severity_overrides, baseline=baseline,
                               strict=options.strict)
    diagnostics.extend(rule_diags)
    ordered = tuple(sorted(set(diagnostics), key=lambda d: (d.path, d.line or 0, d.level != Level.ERROR, d.code,
                                                            d.message)))
    return ScanResult(root, scanned, findings, ordered, rules, options.fail_on, application=app)
