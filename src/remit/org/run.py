"""``remit org run``: every target of a plan (or of one shard of it) on an engine, skipping what is unchanged.

remit has no scheduler of its own. The ``local`` engine is a pool of threads on this machine, each waiting on
one ``remit`` subprocess; the ``dask`` engine submits the same function (``worker.run_target``) to a Dask
distributed cluster — an existing one (``--scheduler ADDRESS``) or a ``LocalCluster`` started here — which
places tasks on workers and reschedules the tasks of a worker that dies. Dask is an optional extra, imported
only for ``--engine dask``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit import __version__
from remit.errors import EngineError, PlanError
from remit.org.plan import Plan, Target, TargetKind
from remit.org.status import Status, StatusRecord, read_status, report_path
from remit.org.worker import Job, run_target, write_failure

ENGINES = ("local", "dask")
DASK_MISSING = ("--engine dask needs Dask distributed, an optional extra of remit: pip install 'remit[dask]' "
                "(or pip install 'dask[distributed]')")
# Dask retries a task whose worker died this many times before the target is reported failed; failures of the
# scan itself are retried by run_target, which records each attempt.
DASK_TASK_RETRIES = 2

OnRecord = Callable[[StatusRecord], None]


@dataclass(frozen=True, slots=True)
class RunSummary:
    records: tuple[StatusRecord, ...]  # the targets run now, in plan order
    skipped: tuple[str, ...]  # ids of targets whose input and configuration had not changed

    @property
    def failed(self) -> tuple[StatusRecord, ...]:
        return tuple(r for r in self.records if not r.status.done)


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` (0-based ``I``, as AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX and Kubernetes' JOB_COMPLETION_INDEX)."""
    index, sep, count = text.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise PlanError(f"--shard {text!r}: expected I/N, for example 0/4")
    i, n = int(index), int(count)
    if n < 1 or i >= n:
        raise PlanError(f"--shard {text!r}: need 0 <= I < N")
    return i, n


def config_digest(remit_command: Sequence[str], scan_options: Sequence[str], advisory_stamp: str,
                  collect_options: Sequence[str] = ()) -> str:
    """What besides a target's input decides its report: remit's version, the command, scan and collect
    options, and the advisory data in the cache (a newer download can find new advisories in an unchanged
    repository)."""
    payload = json.dumps([__version__, list(remit_command), list(scan_options), advisory_stamp,
                          list(collect_options)])
    return hashlib.sha256(payload.encode()).hexdigest()


def advisory_stamp() -> str:
    """When the user's advisory cache was downloaded, or ``none``."""
    from remit.deps import cache  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    info = cache.cached_archives(cache.cache_dir(None))
    if info is None:
        return "none"
    return ",".join(p.name for p in info.archives) + "@" + (info.downloaded.isoformat() if info.downloaded else "?")


def needs_run(target: Target, previous: StatusRecord | None, out: Path, digest: str, max_age: float,
              now: float) -> bool:
    """Whether ``target`` must run: no finished record, another input or configuration, a report gone missing,
    or (an account, whose live state has no digest) a result older than ``max_age`` seconds."""
    if previous is None or not previous.status.done:
        return True
    if previous.input_digest != target.digest or previous.config_digest != digest:
        return True
    if previous.status is Status.OK and not report_path(out, target.id).is_file():
        return True
    return target.kind is TargetKind.ACCOUNT and now - previous.finished > max_age


def run_plan(plan: Plan, job: Job, engine: str = "local", workers: int = 2, scheduler: str = "",
             shard: tuple[int, int] = (0, 1), max_age: float = 20 * 3600.0, force: bool = False,
             on_record: OnRecord | None = None) -> RunSummary:
    out = Path(job.out)
    mine = plan.shard(*shard)
    now = time.time()
    pending = [t for t in mine
               if force or needs_run(t, read_status(out, t.id), out, job.config_digest, max_age, now)]
    skipped = tuple(t.id for t in mine if t not in pending)
    if engine == "local":
        records = _run_local(pending, job, workers, on_record)
    elif engine == "dask":
        records = _run_dask(pending, job, workers, scheduler, on_record)
    else:
        raise EngineError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    order = {t.id: i for i, t in enumerate(pending)}
    return RunSummary(tuple(sorted(records, key=lambda r: order[r.target])), skipped)


def _run_local(pending: Sequence[Target], job: Job, workers: int, on_record: OnRecord | None) -> list[StatusRecord]:
    records: list[StatusRecord] = []
    if not pending:
        return records
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="remit-org") as pool:
        futures = {pool.submit(run_target, t, job): t for t in pending}
        for future in as_completed(futures):
            records.append(_result(future.result, futures[future], job, on_record))
    return records


def _result(get: Callable[[], Any], target: Target, job: Job, on_record: OnRecord | None) -> StatusRecord:
    """A task's record, or a failure record for a task that raised (run_target records its own failures, so
    this is a lost worker or a broken output directory)."""
    try:
        record = get()
        if not isinstance(record, StatusRecord):
            raise TypeError(f"the task returned {type(record).__name__}")
    except Exception as exc:  # noqa: BLE001 - one lost target never stops the others
        record = write_failure(Path(job.out), target, job.config_digest, f"the task was lost: {exc!r}")
    if on_record is not None:
        on_record(record)
    return record


def _run_dask(pending: Sequence[Target], job: Job, workers: int, scheduler: str,
              on_record: OnRecord | None) -> list[StatusRecord]:
    try:
        dask: Any = importlib.import_module("distributed")  # the optional extra (untyped)
    except ImportError:
        raise EngineError(DASK_MISSING) from None
    records: list[StatusRecord] = []
    if not pending:
        return records
    cluster: Any = None
    try:
        if scheduler:
            client = dask.Client(scheduler, timeout="30s")
        else:
            # threads, not processes: each task only waits on its remit subprocess, so worker processes would
            # only add start-up time and memory on the coordinator's machine. The dashboard (which the
            # scheduler serves anyway) on a free loopback port, never a fixed one another cluster may hold.
            cluster = dask.LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=False,
                                        dashboard_address="127.0.0.1:0")
            client = dask.Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}") from None
    try:
        futures = {client.submit(run_target, t, job, key=f"remit-org-{t.id}-{time.time_ns()}", pure=False,
                                 retries=DASK_TASK_RETRIES): t for t in pending}
        for future in dask.as_completed(list(futures)):
            records.append(_result(future.result, futures[future], job, on_record))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return records

