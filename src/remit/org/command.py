"""``remit org plan|run|merge``: the arguments (added to remit's parser by ``cli.py``) and what each command
does, returned as an ``Outcome``; ``cli.py`` prints it and decides the exit code. Only argparse is imported
here, so building remit's parser stays cheap."""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit.errors import PlanError

Notify = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    output: str  # what goes to stdout (empty when written to a file)
    messages: tuple[str, ...]  # lines for stderr
    failed: bool  # some target failed (run)


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    org = sub.add_parser(
        "org", help="scan every repository and account of an organisation, on a local pool or a Dask cluster",
        description="Organisation scale: plan the targets, run each as a plain `remit` command line on an engine "
                    "(all of them, or one shard per array job), then merge their JSON reports into one report. "
                    "See docs/org.md.")
    commands = org.add_subparsers(dest="org_command", metavar="COMMAND", required=True,
                                  parser_class=type(org))
    plan = commands.add_parser(
        "plan", help="list the targets with a digest of each input",
        description="Write the plan: each repository (a directory scanned as it is, or a git URL at a commit) and "
                    "each account (an id and the role to assume) with a digest of its input.")
    plan.add_argument("--repos", type=Path, action="append", metavar="FILE|DIR",
                      help="a directory whose directories are repositories, or a file of `PATH_OR_URL [COMMIT]` "
                           "lines (a URL needs its commit); repeatable")
    plan.add_argument("--accounts", metavar="organizations|FILE",
                      help="`organizations` (the organisation's active accounts, listed with AWS Organizations "
                           "from the management or a delegated administrator account) or a file of "
                           "`ACCOUNT_ID [NAME]` lines")
    plan.add_argument("--role-name", default="", metavar="NAME", help="the role remit assumes in each account")
    plan.add_argument("--external-id", default="", metavar="X", help="the external id the role's trust requires")
    plan.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the plan to write")

    run = commands.add_parser(
        "run", help="run the targets of a plan (or of one shard of it)",
        description="Run each target as `remit` subprocesses (a repository: `remit scan`, a URL after git has "
                    "fetched its commit, without hooks, filters or submodules; an account: `remit collect aws`, then "
                    "`remit scan` of the snapshot), writing OUT/reports/ID.json and OUT/status/ID.json "
                    "atomically. A target whose input, remit version, options and advisory data are unchanged "
                    "since its last successful run is skipped. A failed or timed-out target is retried, then "
                    "reported; it never stops the others.",
        epilog="Exit codes: 0 every target run is scanned or had nothing to scan, 1 some target failed, 2 usage "
               "error (a bad plan, Dask missing).")
    run.add_argument("plan", type=Path, metavar="PLAN", help="the plan written by `remit org plan`")
    run.add_argument("--engine", choices=("local", "dask"), default="local",
                     help="local: a pool on this machine (default); dask: a Dask distributed cluster (the optional "
                          "extra remit[dask])")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 2, metavar="K",
                     help="targets run at once (local) or workers of the local Dask cluster (default: the CPUs)")
    run.add_argument("--scheduler", default="", metavar="ADDRESS",
                     help="with --engine dask: the scheduler of an existing cluster (tcp://host:8786); default: a "
                          "LocalCluster of --workers workers")
    run.add_argument("--out", type=Path, required=True, metavar="DIR", help="where reports and status records go")
    run.add_argument("--retries", type=int, default=2, metavar="N", help="retries of a failed target (default 2)")
    run.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                     help="time for one attempt of one target (default 900)")
    run.add_argument("--shard", default="0/1", metavar="I/N",
                     help="run only shard I of N (0-based, e.g. $AWS_BATCH_JOB_ARRAY_INDEX/N); shards are disjoint "
                          "and cover the plan")
    run.add_argument("--max-age", type=float, default=20.0, metavar="HOURS",
                     help="scan an unchanged account again when its last result is older than this (default 20); "
                          "repositories are skipped while their digest holds")
    run.add_argument("--force", action="store_true", help="run every target, changed or not")
    run.add_argument("--scan-option", action="append", default=[], metavar="OPTION",
                     help="pass OPTION to every `remit scan` (e.g. --scan-option=--advisories=/data/osv); "
                          "repeatable")
    run.add_argument("--collect-option", action="append", default=[], metavar="OPTION",
                     help="pass OPTION to every account's `remit collect aws` (e.g. "
                          "--collect-option=--regions=eu-west-1,us-east-1); repeatable")
    run.add_argument("--remit-command", default="", metavar="COMMAND",
                     help="the remit each target runs (default: `python -m remit` of the worker's interpreter)")

    merge = commands.add_parser(
        "merge", help="merge the reports of a run into one organisation report",
        description="One report over all targets: worst attack paths first, findings by rule across the "
                    "organisation, what is new since the previous merge of DIR (merging the same run again, in "
                    "another format, says the same), targets that failed.")
    merge.add_argument("out", type=Path, metavar="DIR", help="the --out directory of `remit org run`")
    merge.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report to FILE, not stdout")
    merge.add_argument("-f", "--format", choices=("json", "markdown", "html", "sarif"), default="json",
                       help="report format (default: json)")
    merge.add_argument("--join-accounts", action="store_true",
                       help="also report cross-account paths: a path into account B through a role that trusts "
                            "account A (B's report's account_trusts), joined to A's worst path, when both were "
                            "scanned")
    merge.add_argument("--plan", type=Path, metavar="FILE",
                       help="the plan of the run: only its targets are reported (a target dropped from the "
                            "organisation since an earlier run does not linger in DIR's report)")


def execute(args: argparse.Namespace, notify: Notify) -> Outcome:
    """Raises ``PlanError``, ``EngineError`` or ``MergeError`` for what the user must fix."""
    if args.org_command == "plan":
        return _plan(args)
    if args.org_command == "run":
        return _run(args, notify)
    return _merge(args)


def _plan(args: argparse.Namespace) -> Outcome:
    from remit.org.plan import build_plan, plan_text
    from remit.org.status import write_atomic
    plan = build_plan(args.repos or (), args.accounts, args.role_name, args.external_id)
    write_atomic(args.output, plan_text(plan))
    kinds = [t.kind.value for t in plan.targets]
    return Outcome("", (f"remit: plan of {kinds.count('repository')} repositories and {kinds.count('account')} "
                        f"accounts written to {args.output}",), False)


def _run(args: argparse.Namespace, notify: Notify) -> Outcome:
    from remit.org.plan import read_plan
    from remit.org.run import advisory_stamp, config_digest, parse_shard, run_plan
    from remit.org.status import StatusRecord
    from remit.org.worker import Job
    if args.workers < 1 or args.retries < 0 or args.timeout <= 0:
        raise PlanError("--workers must be at least 1, --retries at least 0 and --timeout positive")
    plan = read_plan(args.plan)
    shard = parse_shard(args.shard)
    command = tuple(shlex.split(args.remit_command))
    options, collect = tuple(args.scan_option), tuple(args.collect_option)
    job = Job(out=str(args.out.resolve()), config_digest=config_digest(command, options, advisory_stamp(), collect),
              retries=args.retries, timeout=args.timeout, remit_command=command, scan_options=options,
              collect_options=collect)

    def progress(record: StatusRecord) -> None:
        tail = f": {record.error.splitlines()[-1] if record.error else ''}" if not record.status.done else ""
        notify(f"remit: {record.target}: {record.status.value} (attempt {record.attempt}, "
               f"{record.duration:.1f} s){tail}")

    summary = run_plan(plan, job, args.engine, args.workers, args.scheduler, shard, args.max_age * 3600.0,
                       args.force, progress)
    line = (f"remit: shard {shard[0]}/{shard[1]}: {len(summary.records)} run, {len(summary.skipped)} unchanged "
            f"(skipped), {len(summary.failed)} failed; reports in {args.out}")
    return Outcome("", (line,), bool(summary.failed))


def _merge(args: argparse.Namespace) -> Outcome:
    from remit.org.merge import merge, write_state
    from remit.org.plan import read_plan
    from remit.org.render import render
    from remit.org.status import write_atomic
    only = frozenset(t.id for t in read_plan(args.plan).targets) if args.plan is not None else None
    merged = merge(args.out, args.join_accounts, only)
    text = render(merged.report, args.format)
    if args.output is not None:
        write_atomic(args.output, text)
    write_state(args.out, merged)  # after the report is out: a failed write leaves the next merge's "new" intact
    if args.output is None:
        return Outcome(text, (), False)
    return Outcome("", (f"remit: organisation report written to {args.output}",), False)
