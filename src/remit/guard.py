"""The one error path for hostile input, and the scope a scan reads in.

* :func:`confined_scan` sets, for one scan, where files may be read (:mod:`remit.safeio`): the scanned root,
  plus the files the user named (``--config``, ``--baseline``, ``--advisories``) and remit's own advisory cache.
* :func:`per_file` runs one loader on one input file and turns *any* exception it raises into that file's
  diagnostic, so a defect a crafted file finds in a loader costs that file, never the scan.
* :func:`on_signals` makes SIGTERM (what ``timeout``, ``docker stop`` and CI cancellation send) end a scan
  like Ctrl-C does: the helper processes are ended first, then :class:`Interrupted` unwinds the scan so
  temporary directories are removed; :func:`helper_signals` makes a forked helper leave that decision to the
  scan that started it.
* :func:`outside_text` turns what a message would say about a place of this machine into words that do not
  name it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from remit import safeio
from remit.diagnostics import Diagnostic, Level
from remit.errors import Interrupted, Refused

if TYPE_CHECKING:
    from remit.loaders.discover import InputFile
    from remit.options import ScanOptions

T = TypeVar("T")


def _cache(options: ScanOptions) -> Path:
    from remit.deps.cache import cache_dir  # noqa: PLC0415 - only scans need it

    return cache_dir(options.cache_dir)


@contextmanager
def confined_scan(targets: Sequence[Path], options: ScanOptions) -> Iterator[safeio.Scope]:
    """Reads during the block stay under the scanned root, or in what the user named."""
    from remit.loaders.discover import scan_root  # noqa: PLC0415 - the loaders import the guard: a cycle at load time

    with safeio.confined(scan_root(targets), (options.config_file, options.baseline, *options.advisories,
                                              _cache(options))) as scope:
        yield scope


def problem(exc: BaseException) -> str:
    """What went wrong, for a report: the exception's kind and its first line, cut short. A message of remit's
    own guarded open is already safe; others are cut to what they say about the input."""
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = outside_text(text)
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def attempt(rel: str, work: Callable[[], T], fallback: Callable[[Diagnostic], T]) -> T:
    """``work()``; any exception becomes an error diagnostic on the input ``rel`` (a path relative to the
    root), handed to ``fallback`` to make the empty result. ``KeyboardInterrupt``, ``SystemExit`` and memory
    exhaustion still end the scan."""
    try:
        return work()
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise: one input's defect costs that input only
        return fallback(Diagnostic(rel, Level.ERROR, "input-error", f"could not be read, skipped: {problem(exc)}"))


def per_file(file: InputFile, load: Callable[[InputFile], T], fallback: Callable[[Diagnostic], T]) -> T:
    """``load(file)`` under :func:`attempt`."""
    return attempt(file.rel, lambda: load(file), fallback)


def outside_text(text: str) -> str:
    """``text`` with the user's home directory and the scanned root's absolute path taken out (a report
    leaves the machine)."""
    scope = safeio.current_scope()
    places = [str(p) for p in (*((scope.root, *scope.allowed) if scope else ()),) if str(p) not in ("/", "")]
    home = os.path.expanduser("~")
    if home not in ("/", "", "~"):
        places.append(home)
    for place in sorted(places, key=len, reverse=True):
        text = text.replace(place, "…")
    return text


def report_path(path: Path, root: Path) -> str:
    """``path`` as a report names it: relative to the scanned root as written (a link inside the root keeps
    its own name), else as resolved, else by its file name alone, never as an absolute path of this machine."""
    # in the order (root, as written), (root, resolved), (real root, as written), (real root, resolved), each
    # resolved only when needed: discovery asks this of every entry of the tree, nearly all found at the first
    written = Path(os.path.abspath(path))
    if written.is_relative_to(root):
        return written.relative_to(root).as_posix() or "."
    real = Path(os.path.realpath(path))
    real_root = Path(os.path.realpath(root))
    for base in dict.fromkeys((root, real_root)):
        for candidate in (written, real):
            if candidate.is_relative_to(base):
                return candidate.relative_to(base).as_posix() or "."
    return path.name


def scrubbed(diagnostics: Sequence[Diagnostic], root: Path) -> list[Diagnostic]:
    """The last line before a report: a diagnostic's path relative to the root, its message without a
    directory of this machine."""
    out = []
    for d in diagnostics:
        path = report_path(Path(d.path), root) if os.path.isabs(d.path) else d.path
        message = outside_text(d.message)
        out.append(d if (path, message) == (d.path, d.message) else Diagnostic(path, d.level, d.code, message, d.line))
    return out


def tree_config(options: ScanOptions, root: Path) -> tuple[str, tuple[str, ...]] | None:
    """The configuration file the scanned tree supplied (relative to the root) and the settings it made."""
    if not options.config_in_tree or options.config_file is None:
        return None
    return report_path(options.config_file, root), options.config_settings


def config_note(options: ScanOptions, root: Path) -> list[Diagnostic]:
    """A warning, in every report format, that the scanned repository chose some of its own settings."""
    found = tree_config(options, root)
    if found is None:
        return []
    path, keys = found
    return [Diagnostic(path, Level.WARNING, "config-from-scanned-tree",
                       f"settings taken from the scanned tree: {', '.join(keys) or 'none'}; --no-config or --audit "
                       f"scans without them")]


def _stop(signum: int, frame: object) -> None:
    for child in multiprocessing.active_children():  # the SAM translation helper: it must not outlive the scan
        child.terminate()
    raise Interrupted(signal.Signals(signum).name)


def on_signals() -> None:
    """In the main thread of the ``remit`` process: SIGTERM and SIGINT end helpers, then unwind the scan."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop)


def helper_signals() -> None:
    """In a forked helper process: SIGTERM ends it at once; SIGINT (Ctrl-C reaches the whole process group) is
    left to the scan, which ends its helpers itself."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


MAX_RESOURCES = 50_000  # per document; CloudFormation itself deploys at most 500 resources a stack


def capped_resources(data: Any, rel: str) -> tuple[Any, list[Diagnostic]]:
    """A template's data with at most :data:`MAX_RESOURCES` resources (the first ones, in the author's order),
    and an error diagnostic saying how many were left out: a generated template of hundreds of thousands of
    resources must not hold the scan for minutes."""
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict) or len(resources) <= MAX_RESOURCES:
        return data, []
    kept = dict(itertools.islice(resources.items(), MAX_RESOURCES))
    return {**data, "Resources": kept}, [Diagnostic(
        rel, Level.ERROR, "too-many-resources",
        f"{len(resources)} resources, over the limit of {MAX_RESOURCES}: only the first {MAX_RESOURCES} are analysed")]
