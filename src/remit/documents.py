"""What the loaders hand to the model: the contract between reading files and understanding them.

A loader (:mod:`remit.loaders`) turns input files into :class:`Document` s (plain data plus the line marks of
every key) and :class:`LoadResult` diagnostics; a SAM document is made CloudFormation by the SAM step
(:func:`remit.loaders.sam.expand`), whose :class:`Expanded` result says where each generated resource came from.
The model (:mod:`remit.model.build`) reads only these types and imports no loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from remit.diagnostics import Diagnostic
from remit.model.resources import Origin
from remit.source import SourceMap

__all__ = ["PLACEHOLDER_BUCKET", "DocKind", "Document", "Expanded", "LoadResult", "is_local"]

#: the S3 bucket a loader writes for code that is a local path (the path itself is in ``Expanded.local_paths``)
PLACEHOLDER_BUCKET = "remit-local-code"


class DocKind(StrEnum):
    CLOUDFORMATION = "cloudformation"
    SAM = "sam"
    TERRAFORM = "terraform"  # a Terraform module (or plan) translated into CloudFormation resources
    CDK = "cdk"  # a stack template of a CDK cloud assembly (cdk.out)
    AWS = "aws"  # a live account read by `remit collect aws` (a snapshot directory), as deployed


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed input. ``id`` is its path relative to the scan root and names it in every location."""

    id: str
    path: Path
    kind: DocKind
    data: Mapping[str, Any]
    marks: SourceMap = field(repr=False)
    # other scanned files read as parts of this one (Serverless `resources:` fragments, AWS::Include snippets): not
    # documents of their own
    includes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LoadResult:
    document: Document | None
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class Expanded:
    """The CloudFormation the model reads, plus what it needs to point back at the author's SAM."""

    template: Mapping[str, Any]
    origins: Mapping[str, Origin]
    local_paths: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # sam id -> {prop: local path}
    diagnostics: tuple[Diagnostic, ...] = ()


def is_local(value: Any) -> bool:
    return isinstance(value, str) and "://" not in value and not value.startswith(("arn:", "${"))
