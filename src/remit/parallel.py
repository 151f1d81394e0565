"""The second core: work split with one forked helper process, where that pays.

A scan is one process. Where a stage's work falls into independent parts (the functions of the code stage) and
another core is idle, :func:`in_two` forks one helper that does the second half while this process does the
first, then takes the helper's result back as plain pickled data. The helper reads what it needs from the
forked copy of this process's memory (``_FORKED``, set just before the fork): nothing but a slice's bounds
goes in, only the slice's result comes out. Where forking is not possible, the machine is busy, or the helper
fails, the whole work runs here: the result is the same either way, only the time differs."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from remit.guard import helper_signals

T = TypeVar("T")

# what the forked helper runs: set by in_two just before the fork (and emptied after), read only in the helper
_FORKED: list[Callable[[int, int], Any]] = []


def spare_core() -> bool:
    """Whether a helper process would run beside the scan rather than compete with it for a core: more than one
    core is usable and the last minute's load average leaves one idle. On a busy machine the helper only adds
    its own start-up and the pickling and saves no wall-clock time."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average here: trust the core count
        load = 0.0
    return cores > 1 and load <= cores - 1


def _run_forked(start: int, stop: int) -> Any:
    if not _FORKED:  # not forked from in_two: nothing to run
        raise RuntimeError("no work was handed to this helper")
    return _FORKED[0](start, stop)


def in_two(count: int, part: Callable[[int, int], T], *, enabled: bool, min_count: int) -> list[T]:
    """``part(start, stop)`` over ``range(count)``, as one part or as two (the second in a forked helper): the
    parts' results in order. Two only when ``enabled``, ``count >= min_count``, processes can be forked and a
    core is idle; any failure of the helper is made good by doing its part here."""
    if not enabled or count < min_count or "fork" not in mp.get_all_start_methods() or not spare_core():
        return [part(0, count)]
    middle = count // 2
    _FORKED[:] = [part]
    pool: ProcessPoolExecutor | None = None
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"), initializer=helper_signals)
        future = pool.submit(_run_forked, middle, count)
    except (OSError, RuntimeError, BrokenProcessPool):
        future = None
    try:
        first = part(0, middle)
        if future is not None:
            try:
                return [first, future.result()]
            except (BrokenProcessPool, OSError, EOFError, pickle.PickleError):
                pass  # the helper died or its result could not come back: do its part here
        return [first, part(middle, count)]
    finally:
        _FORKED.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
