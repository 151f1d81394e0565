"""Which function a file of the scanned tree belongs to (shared by rules that report files, not resources)."""

from __future__ import annotations

from pathlib import PurePosixPath

from remit.analysis import Analysis
from remit.model.entities import CodeKind, Function


def owner(an: Analysis, rel: str) -> tuple[Function, bool]:
    """The function whose code directory holds the file at ``rel`` (relative to the scanned root), with True;
    else the one whose directory shares the longest prefix with it, with False. ``app.functions`` must not be
    empty."""
    root = an.app.real_root
    target = PurePosixPath(rel)
    best, best_len = an.app.functions[0], -1
    for fn in an.app.functions:
        if fn.code.kind is not CodeKind.LOCAL or fn.code.path is None:
            continue
        try:
            code_dir = PurePosixPath(fn.code.path.resolve().relative_to(root).as_posix())
        except ValueError:
            continue
        if code_dir == PurePosixPath(".") or code_dir in target.parents:
            return fn, True
        shared = len([1 for a, b in zip(code_dir.parts, target.parts, strict=False) if a == b])
        if shared > best_len:
            best, best_len = fn, shared
    return best, False
