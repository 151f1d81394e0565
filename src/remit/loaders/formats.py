"""Every input format behind one interface: which loader reads a discovered file, and how.

A :class:`Loader` says whether it reads a file (``detect``) and reads files into documents and diagnostics
(``load``). :data:`LOADERS` lists them in the order they are asked; the first that detects a file reads it, and
CloudFormation (SAM included) takes what no other does. ``remit.api`` reads every discovered file through this
table, so a new format is one more entry here and a loader module, not another branch in the composer.

Two properties of a format shape how it is read:

* ``whole``: one call with every file it detects (a Terraform module spans its directory's ``.tf`` files);
  otherwise one call per file.
* ``after``: its documents follow those of the per-file formats (the stacks of a cloud assembly, Terraform root
  modules), the order reports have always listed them in.

SAM translation is the step after loading (:func:`remit.loaders.sam.expand`), handed to the model builder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from remit.documents import LoadResult
from remit.live.loader import is_snapshot, load_snapshot
from remit.loaders.cdk import is_manifest, load_assembly
from remit.loaders.cloudformation import load_template
from remit.loaders.discover import InputFile
from remit.loaders.serverless import is_serverless, load_serverless
from remit.loaders.terraform import is_plan, is_terraform, load_plan, load_terraform

__all__ = ["LOADERS", "Loader", "loader_for"]


class Loader(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def whole(self) -> bool: ...

    @property
    def after(self) -> bool: ...

    def detect(self, file: InputFile) -> bool: ...

    def load(self, files: Sequence[InputFile], root: Path) -> Sequence[LoadResult]: ...


@dataclass(frozen=True, slots=True)
class _Format:
    """A loader made of a format's own ``is_...`` and ``load_...`` functions."""

    name: str
    detects: Callable[[InputFile], bool]
    reads: Callable[[Sequence[InputFile], Path], Sequence[LoadResult]]
    whole: bool = False
    after: bool = False

    def detect(self, file: InputFile) -> bool:
        return self.detects(file)

    def load(self, files: Sequence[InputFile], root: Path) -> Sequence[LoadResult]:
        return self.reads(files, root)


def _each(read: Callable[[InputFile], LoadResult]) -> Callable[[Sequence[InputFile], Path], Sequence[LoadResult]]:
    """A per-file reader as a loader's ``load``."""
    return lambda files, _root: [read(f) for f in files]


def _assemblies(files: Sequence[InputFile], root: Path) -> Sequence[LoadResult]:
    return [one for f in files for one in load_assembly(f, root)]


#: in the order they are asked: the first loader that detects a file reads it
LOADERS: tuple[Loader, ...] = (
    _Format("aws-snapshot", is_snapshot, _each(load_snapshot)),  # a live account collected by `remit collect aws`
    _Format("cdk", is_manifest, _assemblies, after=True),  # a cloud assembly's manifest.json: one document per stack
    _Format("terraform-plan", is_plan, _each(load_plan)),  # `terraform show -json`
    _Format("terraform", is_terraform, load_terraform, whole=True, after=True),  # a directory is one module
    _Format("serverless", is_serverless, _each(load_serverless)),
    _Format("cloudformation", lambda _: True, _each(load_template)),  # CloudFormation and SAM; else nothing
)


def loader_for(file: InputFile) -> Loader:
    """The loader that reads ``file`` (CloudFormation when no other format claims it)."""
    return next(loader for loader in LOADERS if loader.detect(file))
