"""A snapshot directory as an input: recognised by its manifest, read into one CloudFormation-shaped document.

Discovery offers only the manifest of a snapshot (the JSON files beside it and the downloaded code are read
through it, never as templates of their own). The document's id is the manifest's path relative to the scan
root; its resources are located at ``aws://`` addresses, and function code at ``code/<sha>`` inside the
snapshot, which the code stage reads like code in a repository.
"""

from __future__ import annotations

from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, LoadResult
from remit.errors import SnapshotError
from remit.live.snapshot import MANIFEST, read
from remit.loaders.discover import InputFile, is_snapshot_dir
from remit.source import SourceMap

MAX_GAP_DIAGNOSTICS = 100  # one line each; the rest are counted


def is_snapshot(file: InputFile) -> bool:
    """The manifest of a snapshot, by name and by its first bytes."""
    return file.path.name == MANIFEST and is_snapshot_dir(file.path.parent)


def load_snapshot(file: InputFile) -> LoadResult:
    from remit.live.convert import convert  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    try:
        snap = read(file.path.parent)
    except SnapshotError as exc:
        return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "snapshot-error", str(exc)),))
    converted = convert(snap)
    diagnostics = [Diagnostic(file.rel, d.level, d.code, d.message) for d in converted.diagnostics]
    for gap in snap.gaps[:MAX_GAP_DIAGNOSTICS]:
        where = f" for {gap.resource}" if gap.resource else ""
        diagnostics.append(Diagnostic(file.rel, Level.WARNING, "live-unknown",
                                      f"{gap.service} {gap.call} in {gap.region}{where} not read: {gap.reason}; "
                                      f"treated as unknown (needs {gap.permission})"))
    if len(snap.gaps) > MAX_GAP_DIAGNOSTICS:
        diagnostics.append(Diagnostic(file.rel, Level.WARNING, "live-unknown",
                                      f"{len(snap.gaps) - MAX_GAP_DIAGNOSTICS} more calls were not answered"))
    if snap.masked:
        diagnostics.append(Diagnostic(file.rel, Level.INFO, "live-masked",
                                      "environment-variable values were masked when collected (remit collect aws "
                                      "--keep-values keeps them): secrets written in them are not checked"))
    doc = Document(file.rel, file.path, DocKind.AWS, converted.template,
                   SourceMap(converted.marks, converted.files))
    return LoadResult(doc, tuple(diagnostics))
