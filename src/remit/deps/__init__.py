"""The dependency stage: manifests, lockfiles and vendored packages of each function, matched to advisories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from remit.deps.facts import NO_DEPENDENCIES, DependencyFacts

if TYPE_CHECKING:
    from remit.code.facts import CodeFacts
    from remit.model.application import Application
    from remit.options import ScanOptions


def analyze(app: Application, options: ScanOptions, code: CodeFacts) -> DependencyFacts:
    """What each function ships and what is known against it. Never raises on bad input."""
    del app, options, code
    return NO_DEPENDENCIES
