"""Diagnostics: what remit could not read or decide, said plainly, without stopping the scan."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UsageProblem(ValueError):
    """The caller asked for what cannot be done (an unknown rule selector, a source root that does not hold the
    scanned paths): the CLI's exit 2. Bad *input* never raises it; that is a :class:`Diagnostic`."""


class Level(StrEnum):
    ERROR = "error"  # an input (or a part of it) was not analysed
    WARNING = "warning"  # analysed, but something was skipped or approximated
    INFO = "info"  # worth knowing, nothing lost


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One message about an input. ``path`` is relative to the scanned root; ``line`` is None when the
    message is about the whole file (or about no file: ``path`` is then empty)."""

    path: str
    level: Level
    code: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else (self.path or "remit")
        return f"{where}: {self.level.value}: {self.message} [{self.code}]"
