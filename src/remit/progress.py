"""What a scan reports while it runs: the stage it is in and how far it got.

:func:`remit.api.scan` and :func:`remit.api.application` take an optional ``progress`` callback and call it with
a :class:`ProgressEvent` as each stage starts and as it advances. They never write to a terminal themselves:
the CLI renders the events (on stderr, only on a terminal), other callers do what they like with them. This
module imports nothing heavy, so the CLI can name its types without slowing ``remit --version``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """The stages of a scan, in the order they run. The value is what a user reads."""

    DISCOVER = "discovering"
    READ = "reading"
    MODEL = "building the model"
    TRANSLATE = "translating SAM"
    CODE = "analysing code"
    DEPS = "checking dependencies"
    DOWNLOAD = "downloading advisories"
    RULES = "running rules"
    GRAPH = "finding attack paths"


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """``done`` of ``total`` ``unit`` in ``stage``; ``total`` is None when the stage has nothing to count.

    ``unit`` is plural (``files``); stages that do not advance item by item report only ``total``."""

    stage: Stage
    done: int = 0
    total: int | None = None
    unit: str = ""

    @property
    def counted(self) -> bool:
        """Whether the stage advances item by item (``done`` of ``total``), not only says how much it works on."""
        return self.total is not None and self.stage in _COUNTED

    def text(self) -> str:
        """``reading 3/12 files``, ``analysing code (7 functions)``, ``discovering``."""
        if self.total is None:
            return self.stage.value
        unit = f" {self.unit.removesuffix('s') if self.total == 1 else self.unit}" if self.unit else ""
        if self.counted:
            return f"{self.stage.value} {self.done}/{self.total}{unit}"
        return f"{self.stage.value} ({self.total}{unit})"


# stages that advance item by item; the others only say how much they work on
_COUNTED = frozenset({Stage.READ, Stage.TRANSLATE, Stage.RULES, Stage.DOWNLOAD})

ProgressCallback = Callable[[ProgressEvent], None]
