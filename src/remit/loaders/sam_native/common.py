"""What the parts of the native SAM expansion share: the refusal, and what an event needs of its function."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TRANSFORM = "AWS::Serverless-2016-10-31"


class Refused(Exception):  # noqa: N818 - a refusal is an answer, not a failure: the translator then expands
    """The template uses something the native expansion does not reproduce exactly as aws-sam-translator does;
    the translator expands it instead. ``reason`` says what, for the benchmark and for debugging."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(eq=False)
class FunctionContext:
    """One ``AWS::Serverless::Function`` while its events are expanded (mutable: the expansion is under way).

    ``role`` is the ``Properties`` of the execution role SAM generates (events append to its
    ``ManagedPolicyArns`` and ``Policies`` as the translator does), or ``None`` when the author gave ``Role``.
    ``resources`` is the output template's ``Resources`` (an S3 event edits the bucket it names);
    ``original`` is the author's template after remit's preparation, read-only."""

    logical_id: str
    role: dict[str, Any] | None
    resources: dict[str, Any]
    original: Mapping[str, Any]
