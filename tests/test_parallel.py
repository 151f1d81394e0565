"""The second core: a stage split with a forked helper gives exactly what it gives in one process."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import pytest

import remit.api
import remit.engine
import remit.parallel
from remit import code as code_stage
from remit.api import analyze, scan
from remit.deps import stage as deps_stage
from remit.engine import all_rules, check, merge, run
from remit.options import ScanOptions
from remit.parallel import TwoEnds, beside, in_two
from remit.report import Format, render

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "orders-app"


def _pid_range(start: int, stop: int) -> tuple[int, list[int]]:
    return os.getpid(), list(range(start, stop))


def test_in_two_gives_the_parts_in_order_and_forks_the_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    first, second = in_two(10, _pid_range, enabled=True, min_count=2)
    assert first == (os.getpid(), [0, 1, 2, 3, 4, 5])  # a little more than half here: the helper is slower
    assert second[1] == [6, 7, 8, 9]
    assert second[0] != os.getpid()


@pytest.mark.parametrize(("enabled", "count", "spare"), [(False, 10, True), (True, 1, True), (True, 10, False)])
def test_in_two_stays_in_process_when_it_would_not_pay(monkeypatch: pytest.MonkeyPatch, enabled: bool, count: int,
                                                       spare: bool) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: spare)
    assert in_two(count, _pid_range, enabled=enabled, min_count=2) == [(os.getpid(), list(range(count)))]


def test_a_helper_that_cannot_start_leaves_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    real = multiprocessing.get_context("fork")

    class NoProcesses:
        def Pipe(self, duplex: bool) -> Any:
            return real.Pipe(duplex)

        def Process(self, **kwargs: Any) -> Any:
            raise OSError("no processes in this sandbox")

    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    monkeypatch.setattr(remit.parallel.mp, "get_context", lambda method: NoProcesses())
    assert in_two(4, _pid_range, enabled=True, min_count=2) == [(os.getpid(), [0, 1]), (os.getpid(), [2, 3])]


def _fails_in_a_helper(start: int, stop: int) -> tuple[int, list[int]]:
    if start > 0 and os.environ.get("REMIT_TEST_MAIN_PID") != str(os.getpid()):
        raise ValueError("only in the helper")
    return os.getpid(), list(range(start, stop))


def test_a_helper_that_fails_leaves_its_part_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    monkeypatch.setenv("REMIT_TEST_MAIN_PID", str(os.getpid()))
    assert in_two(4, _fails_in_a_helper, enabled=True, min_count=2) == [(os.getpid(), [0, 1]),
                                                                       (os.getpid(), [2, 3])]


def _pid() -> int:
    return os.getpid()


def test_beside_runs_the_second_in_a_helper_at_the_same_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    here, there = beside(_pid, _pid, enabled=True)
    assert here == os.getpid()
    assert there != os.getpid()


@pytest.mark.parametrize(("enabled", "spare"), [(False, True), (True, False)])
def test_beside_runs_both_here_in_order_when_it_would_not_pay(monkeypatch: pytest.MonkeyPatch, enabled: bool,
                                                              spare: bool) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: spare)
    order: list[str] = []

    def called(name: str, value: int) -> Any:
        return lambda: order.append(name) or value  # type: ignore[func-returns-value]

    assert beside(called("here", 1), called("there", 2), enabled=enabled) == (1, 2)
    assert order == ["here", "there"]


def _fails_in_a_helper_alone() -> int:
    if os.environ.get("REMIT_TEST_MAIN_PID") != str(os.getpid()):
        raise ValueError("only in the helper")
    return os.getpid()


def _does_not_pickle() -> Any:
    return lambda: None


def test_a_helper_beside_that_fails_or_cannot_send_leaves_its_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    monkeypatch.setenv("REMIT_TEST_MAIN_PID", str(os.getpid()))
    assert beside(_pid, _fails_in_a_helper_alone, enabled=True) == (os.getpid(), os.getpid())
    here, there = beside(_pid, _does_not_pickle, enabled=True)
    assert here == os.getpid()
    assert callable(there)


def test_the_stages_split_in_two_report_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example's functions analysed and their packages read half in a forked helper, and its attack graph
    built beside the rules: the same report, byte for byte."""
    monkeypatch.setenv("REMIT_NO_CACHE", "1")
    options = ScanOptions(strict=True, source_root=ROOT)
    whole = render(scan([EXAMPLE], ScanOptions(strict=True, source_root=ROOT, parallel=False)), Format.JSON)
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    monkeypatch.setattr(code_stage, "SPLIT_MIN_FUNCTIONS", 2)
    monkeypatch.setattr(deps_stage, "SPLIT_MIN_FUNCTIONS", 2)
    parts: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        done = in_two(*args, **kwargs)
        parts.append(len(done))
        return done

    forked: list[bool] = []

    def beside_counted(*args: Any, **kwargs: Any) -> Any:
        forked.append(kwargs["enabled"])
        return beside(*args, **kwargs)

    monkeypatch.setattr(remit.parallel, "in_two", counted)
    monkeypatch.setattr(remit.api, "beside", beside_counted)
    monkeypatch.setattr(remit.api, "BESIDE_MIN_RESOURCES", 2)
    split = render(scan([EXAMPLE], options), Format.JSON)
    assert parts == [2, 2]
    assert forked == [True]  # the attack graph and blast radii beside the rules
    assert split == whole


@pytest.mark.parametrize(("cores", "runnable", "load", "spare"), [
    (2, 1, 1.02, True),  # the last minute's own work still in the load average: the second core is idle now
    (2, 2, 0.2, False),  # another task runs now
    (2, 1, 1.8, False),  # another process has been busy for a while
    (2, None, 0.9, True),  # no /proc: the load average alone, as before
    (2, None, 1.2, False),
    (1, 1, 0.0, False),
    (4, 3, 2.0, True),
])
def test_a_spare_core_is_an_idle_one_now_on_a_machine_not_busy_for_a_while(
        monkeypatch: pytest.MonkeyPatch, cores: int, runnable: int | None, load: float, spare: bool) -> None:
    monkeypatch.setattr(remit.parallel.os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr(remit.parallel.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(remit.parallel, "_runnable_now", lambda: runnable)
    assert remit.parallel.spare_core() is spare


@pytest.mark.parametrize("example", ["orders-app", "orders-app-terraform", "orders-app-serverless"])
def test_rules_checked_in_parts_merge_to_what_one_run_gives(monkeypatch: pytest.MonkeyPatch, example: str) -> None:
    """The scan checks the privilege-escalation rules in the graph's helper and the others here: any split of the
    rules, merged, gives the findings one run gives, in the same order."""
    monkeypatch.setenv("REMIT_NO_CACHE", "1")
    an, _ = analyze([ROOT / "examples" / example], ScanOptions(strict=True, parallel=False))
    assert an is not None
    rules = all_rules()
    findings, diagnostics = run(an, rules, strict=True)
    assert findings
    for parts in ([rules[::2], rules[1::2]], [rules[::-1][:20], rules[::-1][20:]], [(), rules]):
        merged, merged_diagnostics = merge(rules, [check(an, part, strict=True) for part in parts])
        assert merged == findings
        assert set(merged_diagnostics) == set(diagnostics)


def _from_the_back(ends: TwoEnds, count: int) -> list[int]:
    return [index for _ in range(count) if (index := ends.back()) is not None]


def test_two_ends_hand_each_index_out_once_across_a_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    ends = TwoEnds(10)
    front, back = beside(lambda: [ends.front(), ends.front()], lambda: _from_the_back(ends, 3), enabled=True)
    assert front == [0, 1]
    assert back == [9, 8, 7]  # taken in the helper, seen here
    rest = [index for _ in range(10) if (index := ends.front()) is not None]
    assert rest == [2, 3, 4, 5, 6]
    assert ends.front() is None
    assert ends.back() is None


def test_rules_a_failed_helper_had_taken_are_checked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper takes three rules from its end and dies: the scan checks them itself, same report."""
    monkeypatch.setenv("REMIT_NO_CACHE", "1")
    whole = render(scan([EXAMPLE], ScanOptions(source_root=ROOT, parallel=False)), Format.JSON)
    main_pid = os.getpid()
    real_check = remit.engine.check

    def check_or_die(an: Any, rules: Any, **kwargs: Any) -> Any:
        if os.getpid() != main_pid:
            for _ in range(3):
                next(rules)
            os._exit(1)
        return real_check(an, rules, **kwargs)

    monkeypatch.setattr(remit.parallel, "spare_core", lambda: True)
    monkeypatch.setattr(remit.engine, "check", check_or_die)
    monkeypatch.setattr(remit.api, "BESIDE_MIN_RESOURCES", 2)
    assert render(scan([EXAMPLE], ScanOptions(source_root=ROOT)), Format.JSON) == whole


def test_two_ends_held_by_a_dead_process_hand_out_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper killed while it holds the lock must not hang the scan: after a short wait, nothing is left."""
    monkeypatch.setattr(remit.parallel, "LOCK_WAIT", 0.1)
    ends = TwoEnds(3)
    ends._lock.acquire()  # as a helper killed inside _take would leave it
    assert ends.front() is None
    assert ends.back() is None


def test_without_shared_memory_one_process_takes_every_index_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_semaphores(count: int) -> None:
        raise OSError("no /dev/shm here")

    monkeypatch.setattr(remit.parallel, "TwoEnds", no_semaphores)
    ends = remit.parallel.ends_of(3, shared=True)
    assert not ends.shared
    assert [ends.front(), ends.back(), ends.front(), ends.back()] == [0, 1, 2, None]
    assert not remit.parallel.ends_of(2, shared=False).shared
