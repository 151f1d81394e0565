"""Finding the files to read under the scan targets.

Rules of the walk:

* directories that hold build output, dependencies or version control are skipped (``node_modules``,
  ``.aws-sam``, ``.git``, virtualenvs recognised by their ``pyvenv.cfg``, caches);
* a ``cdk.out`` directory (or a target directory holding a cloud assembly's ``manifest.json``) is not walked:
  its ``manifest.json`` alone is offered, and the CDK loader reads the stacks and assets it lists;
* a snapshot directory written by ``remit collect aws`` (it holds ``remit-snapshot.json``) is not walked either:
  its manifest alone is offered, and the snapshot loader reads the files and downloaded code beside it;
* symbolic links are followed only while they stay inside the scanned root; a link out of the root, a loop,
  or a dangling link becomes a diagnostic and is not followed;
* a file is offered to the loaders by its extension, and a loader decides from the content what it is.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from remit import safeio
from remit.diagnostics import Diagnostic, Level
from remit.guard import report_path

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".aws-sam",
        "cdk.out",
        ".serverless",
        ".terraform",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".idea",
        ".vscode",
    }
)
CDK_OUT = "cdk.out"
ASSEMBLY_MANIFEST = "manifest.json"
SNAPSHOT_MANIFEST = "remit-snapshot.json"  # remit.live.snapshot.MANIFEST
TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", ".cfn", ".tf"})  # .tf: Terraform modules


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file found under a root. ``rel`` is the POSIX path relative to the scan root (the document id)."""

    path: Path
    rel: str
    explicit: bool = False  # named on the command line rather than found by the walk


@dataclass(frozen=True, slots=True)
class Discovery:
    root: Path
    files: tuple[InputFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def scan_root(targets: Sequence[Path]) -> Path:
    """The directory that reported paths are relative to: the target directory, a file's directory, or the
    deepest directory common to several targets."""
    dirs = [t.resolve() if t.is_dir() else t.resolve().parent for t in targets]
    if not dirs:
        return Path.cwd()
    return Path(os.path.commonpath([str(d) for d in dirs]))


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def _head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file through the guarded open (nothing when it cannot or may not be read:
    outside the root, a FIFO, a device)."""
    if not os.path.lexists(path):  # most directories hold no manifest: one lstat, not the guarded open's walk
        return b""
    try:
        with safeio.open_file(path, 2**63 - 1) as fh:
            return fh.read(size)
    except OSError:
        return b""


def _is_assembly(path: Path) -> bool:
    """A CDK cloud assembly under another name than ``cdk.out`` (``cdk synth --output``): its manifest says so."""
    head = _head(path / ASSEMBLY_MANIFEST, 65536)
    return b'"artifacts"' in head and b'"version"' in head


def is_snapshot_dir(path: Path) -> bool:
    """A directory written by ``remit collect aws``: its manifest names the snapshot format."""
    return b'"remit-aws-snapshot"' in _head(path / SNAPSHOT_MANIFEST, 4096)


def _rel(path: Path, root: Path) -> str:
    return report_path(path, root)


def _as_given(target: Path) -> str:
    """A missing target as the user wrote it, but never a directory of this machine: an absolute path is
    shown by its name only (reports leave the machine; the user knows what they typed)."""
    return target.name if target.is_absolute() else target.as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover(
    targets: Sequence[Path],
    *,
    exclude: Sequence[str] = (),
    suffixes: frozenset[str] = TEMPLATE_SUFFIXES,
) -> Discovery:
    """Walk ``targets`` and return the candidate files, in a stable order."""
    root = scan_root(targets)
    found: dict[Path, InputFile] = {}
    diags: list[Diagnostic] = []

    def excluded(rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, f"{pat.rstrip('/')}/*") for pat in exclude)

    for target in targets:
        if not target.exists() and not target.is_symlink():
            diags.append(Diagnostic(_as_given(target), Level.ERROR, "target-missing", "no such file or directory"))
            continue
        real = target.resolve()
        if target.is_file() or (target.is_symlink() and real.is_file()):
            shown = Path(os.path.abspath(target))  # `..` folded; a path through a linked directory falls back
            rel = _rel(shown, root) if _inside(shown, root) else _rel(real, root)
            found.setdefault(real, InputFile(real, rel, explicit=True))
            continue
        if (real / ASSEMBLY_MANIFEST).is_file() and (real.name == CDK_OUT or _is_assembly(real)):
            manifest = real / ASSEMBLY_MANIFEST  # a cloud assembly named as the target: read, not walked
            found.setdefault(manifest, InputFile(manifest, _rel(Path(os.path.abspath(target)) / ASSEMBLY_MANIFEST,
                                                                root), explicit=True))
            continue
        if is_snapshot_dir(real):  # a live-account snapshot named as the target: read through its manifest
            manifest = real / SNAPSHOT_MANIFEST
            found.setdefault(manifest, InputFile(manifest, _rel(Path(os.path.abspath(target)) / SNAPSHOT_MANIFEST,
                                                                root), explicit=True))
            continue
        for f in _walk(real, root, diags, excluded):
            if f.path.suffix.lower() in suffixes:
                found.setdefault(f.path, f)
    files = tuple(sorted(found.values(), key=lambda f: f.rel))
    return Discovery(root, files, (*diags, *_unsynthesised(files)))


CDK_APP = "cdk.json"


def _unsynthesised(files: Sequence[InputFile]) -> list[Diagnostic]:
    """A CDK app (``cdk.json``) with no cloud assembly anywhere in the scan: remit reads what ``cdk synth`` writes,
    so the app's stacks are not analysed, and the user is told how to fix that."""
    if any(f.path.name == ASSEMBLY_MANIFEST for f in files):
        return []
    return [Diagnostic(f.rel, Level.WARNING, "cdk-not-synthesised",
                       "a CDK app without a cloud assembly (cdk.out): its stacks are not analysed; run `npx cdk synth` "
                       "in this directory, then scan again")
            for f in files if f.path.name == CDK_APP]


def _walk(
    top: Path,
    root: Path,
    diags: list[Diagnostic],
    excluded: Callable[[str], bool],
) -> Iterator[InputFile]:
    """Depth-first walk of ``top`` (already resolved), following in-root links once."""
    seen: set[Path] = {top}
    # (path as seen from root, real path, the path's report name when it is under the root as written: its
    # entries are named by joining, as report_path would name them, without asking it for each)
    stack: list[tuple[Path, Path, str | None]] = [(top, top, _rel(top, root) if top.is_relative_to(root) else None)]
    while stack:
        shown, real, shown_rel = stack.pop()
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            diags.append(
                Diagnostic(_rel(shown, root), Level.WARNING, "unreadable-directory", exc.strerror or str(exc))
            )
            continue
        subdirs: list[tuple[Path, Path, str | None]] = []
        for entry in entries:
            path = shown / entry.name
            if shown_rel is None:
                rel = _rel(path, root)
            else:
                rel = entry.name if shown_rel == "." else f"{shown_rel}/{entry.name}"
            if excluded(rel):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link:
                    try:
                        target = Path(entry.path).resolve(strict=True)
                    except (OSError, RuntimeError):
                        diags.append(
                            Diagnostic(rel, Level.WARNING, "symlink-broken", "broken or looping link: not followed")
                        )
                        continue
                    if not _inside(target, root):
                        diags.append(
                            Diagnostic(
                                rel,
                                Level.WARNING,
                                "symlink-outside-root",
                                "link points outside the scanned root: not followed",
                            )
                        )
                        continue
                else:
                    target = Path(entry.path)
                if target.is_dir():
                    if target not in seen and (target / ASSEMBLY_MANIFEST).is_file() and \
                            (entry.name == CDK_OUT or _is_assembly(target)):  # `cdk synth -o` anywhere
                        seen.add(target)
                        yield InputFile(target / ASSEMBLY_MANIFEST, f"{rel}/{ASSEMBLY_MANIFEST}")
                        continue
                    if target not in seen and is_snapshot_dir(target):  # a snapshot anywhere: its manifest only
                        seen.add(target)
                        yield InputFile(target / SNAPSHOT_MANIFEST, f"{rel}/{SNAPSHOT_MANIFEST}")
                        continue
                    if entry.name in SKIP_DIRS or _is_venv(target):
                        continue
                    if target in seen:
                        if is_link:
                            diags.append(
                                Diagnostic(rel, Level.INFO, "symlink-loop", "directory already scanned: not followed")
                            )
                        continue
                    seen.add(target)
                    subdirs.append((path, target, None if shown_rel is None else rel))
                elif target.is_file():
                    yield InputFile(target, rel)
            except OSError as exc:
                diags.append(Diagnostic(rel, Level.WARNING, "unreadable", exc.strerror or str(exc)))
        stack.extend(reversed(subdirs))
