"""The second core: work split with one forked helper process, where that pays.

A scan is one process. Where a stage's work falls into independent parts (the functions of the code stage) and
another core is idle, :func:`in_two` forks one helper that does the second half while this process does the
first; where two stages are independent (the rules, and the attack graph with the blast radii, which never read
findings), :func:`beside` runs one in a helper while this process runs the other. Either way the helper's result
comes back as plain pickled data. The helper reads what it needs from the forked copy of this process's memory
(``_FORKED``, set just before the fork): nothing goes in, only the result comes out. Where forking is not
possible, the machine is busy, or the helper fails, all the work runs here: the result is the same either way,
only the time differs."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from remit.guard import helper_signals

T = TypeVar("T")
U = TypeVar("U")

# The share of in_two's work this process keeps. The helper is slower per unit: it takes copy-on-write faults on
# the forked heap and pickles its result for the pipe. With halves, at 1,000 functions this process waited
# 0.12-0.28 s for the code stage's helper after its own 1.0 s, and 0.03-0.10 s after 0.5 s of reading manifests.
HERE_SHARE = 0.55

# what the forked helper runs: set by in_two just before the fork (and emptied after), read only in the helper
_FORKED: list[Callable[[], Any]] = []


def spare_core() -> bool:
    """Whether a helper process would run beside the scan rather than compete with it for a core.

    More than one core must be usable. Where Linux tells how many tasks are runnable right now, a core is spare
    when nothing but this process runs (at the lowest of a few samples a few milliseconds apart, so a passing
    task does not count) and the last minute's load average is under ``cores - 0.5`` (a process busy for a while
    besides this one would push it to ``cores``). The load average alone lags: it still counts the scan's own
    previous minute, or a tool that has just ended, and on two cores it kept the helper from starting on an idle
    machine. Elsewhere the load average alone decides, as before. On a busy machine the helper only adds its own
    start-up and the pickling and saves no wall-clock time."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average here: trust the core count
        load = 0.0
    running = _runnable_now()
    if running is None:
        return load <= cores - 1
    return running <= cores - 1 and load < cores - 0.5


def _runnable_now(samples: int = 3) -> int | None:
    """The fewest runnable tasks (this one included) over a few readings of ``/proc/loadavg``, or ``None``."""
    seen: list[int] = []
    for sample in range(samples):
        try:
            with open("/proc/loadavg", encoding="ascii") as stats:
                fields = stats.read().split()
            seen.append(int(fields[3].split("/")[0]))
        except (OSError, IndexError, ValueError):
            return None
        if sample < samples - 1:
            time.sleep(0.003)
    return min(seen)


def _helper(send: Connection) -> None:
    """The forked helper: run the work handed over before the fork, send its result (or that it failed)."""
    helper_signals()
    try:
        if not _FORKED:
            raise RuntimeError("no work was handed to this helper")
        outcome: tuple[bool, Any] = (True, _FORKED[0]())
    except Exception:  # noqa: BLE001 - the main process does the work itself and meets the error there
        outcome = (False, None)
    try:
        send.send(outcome)
    except (OSError, pickle.PicklingError, TypeError):
        pass  # the result cannot travel: the main process sees the pipe close and does the work itself
    finally:
        send.close()


def _can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def beside(here: Callable[[], T], there: Callable[[], U], *, enabled: bool) -> tuple[T, U]:
    """``(here(), there())``, with ``there`` run in a forked helper at the same time as ``here`` runs in this
    process when ``enabled``, processes can be forked and a core is idle; otherwise one after the other, in
    that order. ``there``'s result must pickle. Whatever goes wrong with the helper is made good by calling
    ``there()`` here afterwards; when this process is interrupted the helper is ended."""
    if not enabled or not _can_fork() or not spare_core():
        first = here()
        return first, there()
    return _pair(here, there)


def in_two(count: int, part: Callable[[int, int], T], *, enabled: bool, min_count: int) -> list[T]:
    """``part(start, stop)`` over ``range(count)``, as one part or as two (the second, a little less than half
    (:data:`HERE_SHARE`), in a forked helper): the parts' results in order. Two only when ``enabled``,
    ``count >= min_count``, processes can be forked and a core is idle (:func:`beside`)."""
    if not enabled or count < min_count or not _can_fork() or not spare_core():
        return [part(0, count)]
    middle = round(count * HERE_SHARE)
    return list(_pair(lambda: part(0, middle), lambda: part(middle, count)))


def _pair(here: Callable[[], T], there: Callable[[], U]) -> tuple[T, U]:
    """``here()`` in this process while a forked helper computes ``there()``; ``there()`` here if it fails."""
    context = mp.get_context("fork")
    _FORKED[:] = [there]
    helper = None
    try:
        receive, send = context.Pipe(duplex=False)
        try:
            helper = context.Process(target=_helper, args=(send,), daemon=True)
            helper.start()
        except OSError:
            helper = None
        finally:
            send.close()  # this process only reads
        first = here()
        second: list[U] = []
        if helper is not None:
            with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError):
                done, result = receive.recv()
                if done:
                    second = [result]
        receive.close()
        return first, (second[0] if second else there())
    finally:
        _FORKED.clear()
        if helper is not None:
            if helper.is_alive():
                helper.terminate()  # interrupted here, or the helper hangs: it must not outlive its use
            helper.join()


class TwoEnds:
    """The indices ``0 .. count - 1``, each handed out once: from the front to one process and from the back to
    the other, in memory both share after a fork, so two processes working through one list meet wherever the
    work happens to balance. Raises OSError or ValueError where shared memory, a lock or forking cannot be had
    (the caller then works alone).

    The lock is held for a few instructions. A process that cannot have it within :data:`LOCK_WAIT` seconds
    (the other was killed holding it) is told there is nothing left: the caller does what no part returned."""

    shared = True

    def __init__(self, count: int) -> None:
        context = mp.get_context("fork")
        self._ends = context.RawArray("q", [0, count])  # the next index from the front; one past the next from the back
        self._lock = context.Lock()

    def front(self) -> int | None:
        return self._take(from_front=True)

    def back(self) -> int | None:
        return self._take(from_front=False)

    def _take(self, *, from_front: bool) -> int | None:
        if not self._lock.acquire(timeout=LOCK_WAIT):
            return None
        try:
            start, stop = self._ends[0], self._ends[1]
            if start >= stop:
                return None
            if from_front:
                self._ends[0] = start + 1
                return int(start)
            self._ends[1] = stop - 1
            return int(stop - 1)
        finally:
            self._lock.release()


LOCK_WAIT = 5.0


class OneEnd:
    """:class:`TwoEnds` for one process: every index once, from the front, in order (``back`` is ``front``)."""

    shared = False

    def __init__(self, count: int) -> None:
        self.next, self.count = 0, count

    def front(self) -> int | None:
        if self.next >= self.count:
            return None
        self.next += 1
        return self.next - 1

    back = front


def ends_of(count: int, *, shared: bool) -> TwoEnds | OneEnd:
    """:class:`TwoEnds` when ``shared`` and the system gives shared memory and locks, else :class:`OneEnd`
    (check ``.shared``: work is then split in no other process)."""
    if shared:
        try:
            return TwoEnds(count)
        except (OSError, ValueError):  # no shared memory, semaphores or fork here
            pass
    return OneEnd(count)
