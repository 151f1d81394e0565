"""What the dependency stage learns about the third-party packages each function ships."""

from __future__ import annotations

from dataclasses import dataclass

from remit.diagnostics import Diagnostic


@dataclass(frozen=True)
class DependencyFacts:
    """The dependency stage's answer for the whole application."""

    diagnostics: tuple[Diagnostic, ...] = ()


NO_DEPENDENCIES = DependencyFacts()
