"""The ``remit`` command. The only module that prints or decides the exit code.

Exit codes: 0 clean (no unsuppressed finding or attack path at or above ``--fail-on``), 1 findings, 2 usage
error or nothing scannable, 3 internal error (a defect of remit's, never bad input), 130 interrupted (SIGINT or
SIGTERM; the helper processes end too, temporary files are removed, no report is written). Heavy modules are
imported inside the commands so ``remit --version`` is fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn, TextIO

from remit.errors import UsageError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from remit.options import ScanOptions
    from remit.progress import ProgressEvent
    from remit.result import ScanResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C) or SIGTERM: 128 + SIGINT, as shells report an interrupted command
FORMATS = ("text", "json", "sarif", "markdown", "html", "dot", "mermaid", "cyclonedx", "junit")
FAIL_ON = ("critical", "high", "medium", "low", "none")
SHELLS = ("bash", "zsh", "fish", "tcsh")
# every input format remit reads, for the help texts and the "nothing found" messages
INPUTS = ("SAM and CloudFormation templates (YAML or JSON, recognised by content, not name), Serverless Framework "
          "serverless.yml, Terraform (.tf modules and `terraform show -json` plans), CDK cloud assemblies "
          "(cdk.out) and snapshots of deployed AWS accounts (remit collect aws)")
NOTHING_FOUND = ("no SAM, CloudFormation, Serverless Framework, Terraform or CDK input found under the given "
                 "paths")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"remit: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _moment(value: str) -> datetime:
    """``--now``: an ISO 8601 date or time; a time without a zone is UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _split(values: Sequence[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="files or directories to scan (default: the current directory)")
    p.add_argument("--select", action="append", metavar="RULES",
                   help="run only these rules: ids, families (LAMBDA), categories (secrets) or responsibilities "
                        "(iam); comma-separated, repeatable")
    p.add_argument("--ignore", action="append", metavar="RULES", help="do not run these rules (same forms)")
    p.add_argument("--exclude", action="append", metavar="GLOB",
                   help="skip paths matching this glob (relative to the scanned root); repeatable")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="read options from FILE, trusted as yours (default: .remit.toml or [tool.remit] in "
                        "pyproject.toml, searched from the first PATH up to the scanned root; a file found there is "
                        "the scanned repository's: reports name the settings it made)")
    p.add_argument("--no-config", action="store_true",
                   help="read no configuration file (use for pull requests you do not trust)")
    p.add_argument("--advisories", action="append", type=Path, metavar="PATH",
                   help="match dependencies against OSV advisories in PATH: a directory of OSV JSON records or a "
                        "per-ecosystem zip as OSV publishes it; repeatable (default: the advisory cache, "
                        "refreshed first when older than a day)")
    p.add_argument("--online", action="store_true",
                   help="instead of the advisory cache, ask the OSV API (api.osv.dev) about the shipped package "
                        "names and versions; answers are cached for a day")
    p.add_argument("--offline", action="store_true",
                   help="make no connection of any kind: use the advisory cache as it is, or --advisories "
                        "(also config `offline = true`, REMIT_OFFLINE=1); the report says how old it is")
    p.add_argument("--one-account", action="store_true",
                   help="every template, service, module and stack scanned is deployed into one AWS account, so "
                        "attack paths may move between them (default: each is its own deployment, linked only by "
                        "CDK assemblies and stack exports/imports)")
    p.add_argument("--now", type=_moment, metavar="TIME",
                   help="decide IAM time conditions (aws:CurrentTime, aws:EpochTime, aws:TokenIssueTime) as of "
                        "TIME, an ISO 8601 date or time such as 2025-01-31T12:00:00Z, for reproducible runs "
                        "(default: the system clock); an expired grant does not count, a future one is "
                        "conditional")
    p.add_argument("--no-parallel", action="store_true",
                   help="do everything in one process (by default, when a core is idle, SAM translation, "
                        "half the functions' code and package analysis, and the attack graph with part of the "
                        "rules run in a helper process beside the scan)")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor keep SAM translations in the user cache (default: kept by content "
                        "under $REMIT_CACHE_DIR/sam, so a re-scan translates only changed templates; also "
                        "REMIT_NO_CACHE)")
    _add_no_progress(p)


def _add_no_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-progress", action="store_true",
                   help="do not show the stage and counts on stderr while working (shown only when stderr is a "
                        "terminal, and never when CI or REMIT_NO_PROGRESS is set)")


def _add_aws_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", metavar="NAME", help="AWS profile to read with (default: the default credentials)")
    p.add_argument("--role-arn", metavar="ARN", help="assume this role first (for example a SecurityAudit role in "
                                                     "the account to read)")
    p.add_argument("--external-id", metavar="ID", help="the sts:ExternalId the role's trust policy requires")
    p.add_argument("--regions", default="enabled", metavar="enabled|all|LIST",
                   help="regions to read: the account's enabled regions (default), all regions of the partition, "
                        "or a comma-separated list")
    p.add_argument("--download-code", action="store_true",
                   help="download function and layer code (streamed, capped, once per CodeSha256) so it is "
                        "analysed like code in a repository")
    p.add_argument("--keep-values", action="store_true",
                   help="keep environment-variable values in the snapshot (default: masked, so secrets held in "
                        "them are not copied, nor checked)")


class _VersionAction(argparse.Action):
    """``--version``: built only when asked, since it reads the data tables' headers and the advisory cache."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from remit.about import version_report
        sys.stdout.write(version_report())
        parser.exit(EXIT_CLEAN)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="remit",
        description="Find what an attacker would use in a serverless application on AWS: its functions' code and "
                    "dependencies, triggers, APIs, data stores and IAM, read from " + INPUTS + ".",
        epilog="Exit codes: 0 clean, 1 findings or attack paths at or above --fail-on, 2 usage error or nothing "
               "scannable, 3 internal error, 130 interrupted (Ctrl-C or SIGTERM). Environment: NO_COLOR, "
               "FORCE_COLOR (colour), REMIT_NO_PROGRESS, CI (no progress display), REMIT_CACHE_DIR (advisories, SAM "
               "translations), REMIT_NO_CACHE, REMIT_NO_NATIVE_SAM (every SAM template to aws-sam-translator), "
               "REMIT_OFFLINE (no connection), REMIT_ADVISORY_URL (a mirror of OSV's archives). `remit COMMAND --help` "
               "for each command; `remit completion SHELL` prints shell completion.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show remit's version, the versions and dates of the data it ships, and the advisory "
                             "cache; then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan an application and report findings",
                          description="Scan " + INPUTS + " under the given paths, with the functions' code and "
                                      "dependencies, and report findings.")
    _add_selection(scan)
    scan.add_argument("-f", "--format", choices=FORMATS, default="text",
                      help="report format (default: text); html is one self-contained offline page with the "
                           "attack-path graph; dot and mermaid export the attack graph; cyclonedx is a CycloneDX "
                           "1.5 JSON SBOM of what each function ships, with dependency findings as vulnerabilities; "
                           "junit is JUnit XML for CI test dashboards (a failing test case per finding, a passing "
                           "one per rule that found nothing)")
    scan.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report to FILE, not stdout")
    scan.add_argument("--fail-on", choices=FAIL_ON, metavar="SEVERITY",
                      help="exit 1 when an unsuppressed finding or attack path is at or above SEVERITY: "
                           "critical, high, medium, low (default) or none")
    scan.add_argument("--baseline", type=Path, metavar="FILE",
                      help="treat findings listed in FILE (written by `remit baseline`) as suppressed")
    scan.add_argument("--baseline-ref", metavar="GIT_REF",
                      help="pull-request scan: also scan the same paths as they are at GIT_REF (a branch, tag or "
                           "commit of the git work tree holding them; read from git's objects, the checkout is "
                           "not touched) and report only what is new: findings already there are suppressed "
                           "(kind baseline), attack paths already there are left out")
    scan.add_argument("--audit", "--fail-on-suppressed", dest="audit", action="store_true",
                      help="audit mode: apply no suppression (Metadata, baseline file, --baseline-ref); findings "
                           "they would hide are reported as active, saying what suppressed them and why, and "
                           "count towards --fail-on; a configuration file in the scanned tree is not read (only "
                           "--config)")
    scan.add_argument("--min-severity", choices=FAIL_ON[:-1], metavar="SEVERITY",
                      help="leave findings and attack paths below SEVERITY out of the report (they still count for "
                           "--fail-on; the headline says how many are not shown)")
    scan.add_argument("--compact", action="store_true",
                      help="text report: one line a finding and an attack path, with path:line")
    scan.add_argument("-q", "--quiet", action="store_true",
                      help="text report: the headline only (counts, the threshold, what was not checked)")
    scan.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour in text output (auto: on a terminal, unless NO_COLOR is set; FORCE_COLOR turns "
                           "it on even through a pipe; a file written with -o only with always)")
    scan.add_argument("--source-root", type=Path, metavar="DIR",
                      help="make SARIF and JUnit paths relative to DIR, which must hold the scanned paths (default: "
                           "the top of the git work tree they are in, else the scanned root)")
    scan.add_argument("--sarif-category", metavar="NAME",
                      help="name this analysis in SARIF (automationDetails.id remit/NAME/), to keep several scans of "
                           "one repository apart in GitHub code scanning (default: the scanned root's path in the "
                           "repository)")

    scan.add_argument("--aws", action="store_true",
                      help="read the AWS account of the current credentials (see `remit collect aws --help`; the "
                           "same --profile, --role-arn, --regions... options apply), then scan what is deployed; "
                           "the snapshot is kept only with --snapshot-dir. With PATHS (and --snapshot-dir), the "
                           "templates there are joined to what they deployed and drift is reported (RMT-DRIFT-001)")
    scan.add_argument("--snapshot-dir", type=Path, metavar="DIR",
                      help="with --aws: write the snapshot to DIR (else a temporary directory, removed afterwards)")
    _add_aws_options(scan)

    collect = sub.add_parser(
        "collect", help="read a deployed app from a live AWS account into a snapshot",
        description="Read an AWS account with read-only calls (IAM, Lambda, API Gateway, S3, SQS, SNS, "
                    "EventBridge, Scheduler, Secrets Manager, KMS, DynamoDB, Cognito, Step Functions, CloudWatch "
                    "Logs, CloudFormation) and write a snapshot directory that `remit scan DIR` analyses offline "
                    "like a template. A call that is denied becomes an explicit unknown and a warning naming the "
                    "missing permission; the policy remit needs is docs/live-policy.json.",
        epilog="Credentials come from the usual AWS sources (environment, profile, SSO, instance role); "
               "AWS_ENDPOINT_URL is honoured. Nothing is written to the account.")
    collect.add_argument("provider", choices=("aws",), help="the cloud to read (aws)")
    collect.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                         help="snapshot directory to write (created; existing snapshot files are replaced)")
    _add_aws_options(collect)
    _add_no_progress(collect)

    baseline = sub.add_parser("baseline", help="write a baseline of the current findings",
                              description="Scan and write every current unsuppressed finding to a baseline file; "
                                          "later scans with --baseline FILE report only new findings.")
    _add_selection(baseline)
    baseline.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="baseline file to write")
    baseline.add_argument("--reason", help="reason recorded for every entry (default: the date it was written)")

    rules = sub.add_parser("rules", help="list the rule catalog", description="List every rule remit has.")
    rules.add_argument("-f", "--format", choices=("text", "json", "markdown"), default="text")

    explain = sub.add_parser("explain", help="explain one rule", description="Show a rule's documentation.")
    explain.add_argument("rule_id", metavar="RULE-ID")

    policy = sub.add_parser(
        "policy", help="print each function's least-privilege IAM policy, from its code",
        description="Read each function's code, map its AWS SDK calls to IAM actions, resolve the resources they "
                    "touch (literals, and environment variables the template sets from !Ref / !GetAtt) and print "
                    "the policy the function needs, scoped to those resources and ready to paste into the "
                    "template. Functions whose code remit did not fully understand are marked INCOMPLETE.",
        epilog="Formats: yaml (default) a CloudFormation PolicyDocument with !GetAtt / !Sub; sam a function's "
               "Policies block (without what SAM adds itself: logs, event polling, tracing, VPC); json a "
               "policy document per function with Fn::GetAtt / Fn::Sub, plus why each statement is there.")
    policy.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files or directories to read (default: the current directory)")
    policy.add_argument("--function", metavar="NAME",
                        help="only this function (its logical id, as written in the template, or its name)")
    policy.add_argument("-f", "--format", choices=("yaml", "sam", "json"), default="yaml",
                        help="output format (default: yaml)")
    policy.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE, not stdout")
    policy.add_argument("--exclude", action="append", metavar="GLOB",
                        help="skip paths matching this glob (relative to the scanned root); repeatable")
    _add_no_progress(policy)
    advisories = sub.add_parser(
        "advisories", help="manage the local advisory cache",
        description="Scans keep the advisory cache current by themselves: they download OSV's archive of each "
                    "ecosystem they find (PyPI, npm, Maven, Go, NuGet, RubyGems) when it is missing or older "
                    "than a day, unless offline. `remit advisories update` downloads them now (all ecosystems, or "
                    "those named), for a machine about to go offline; `remit advisories status` lists each "
                    "ecosystem's records, source and age. The cache is $REMIT_CACHE_DIR, else the user cache "
                    "directory ($XDG_CACHE_HOME/remit or ~/.cache/remit on Linux); archives come from "
                    "$REMIT_ADVISORY_URL, else OSV.")
    advisories.add_argument("action", choices=("update", "status"))
    advisories.add_argument("ecosystems", nargs="*", metavar="ECOSYSTEM",
                            help="update only these (PyPI, npm, Maven, Go, NuGet, RubyGems)")
    advisories.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache directory to use")

    completion = sub.add_parser(
        "completion", help="print a shell completion script",
        description="Print a completion script for SHELL, generated from remit's own options, so it offers the "
                    "commands, options, their choices (formats, severities, rule ids) and file names.",
        epilog="Install: bash: remit completion bash > ~/.local/share/bash-completion/completions/remit; "
               "zsh: remit completion zsh > ~/.zfunc/_remit (with ~/.zfunc in fpath before compinit); "
               "fish: remit completion fish > ~/.config/fish/completions/remit.fish; "
               "tcsh: remit completion tcsh > ~/.tcsh_completion_remit and `source` it from ~/.tcshrc.")
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help=f"one of {', '.join(SHELLS)}")
    from remit.org.command import add_parser as add_org_parser  # argparse only

    add_org_parser(sub)
    return parser


# ------------------------------------------------------------------------------------------------


def _options(args: argparse.Namespace) -> ScanOptions:
    from remit.findings import Severity
    from remit.options import ScanOptions, merge, parse_fail_on
    fail_on_arg = getattr(args, "fail_on", None)
    cli = ScanOptions(
        select=_split(args.select),
        ignore=_split(args.ignore),
        exclude=_split(args.exclude),
        fail_on=parse_fail_on(fail_on_arg) if fail_on_arg else Severity.LOW,
        baseline=getattr(args, "baseline", None),
        parallel=not args.no_parallel,
        cache=not getattr(args, "no_cache", False),
        advisories=tuple(getattr(args, "advisories", None) or ()),
        online=bool(getattr(args, "online", False)),
        offline=bool(getattr(args, "offline", False)),
        one_account=bool(getattr(args, "one_account", False)),
        source_root=_source_root(getattr(args, "source_root", None)),
        baseline_ref=getattr(args, "baseline_ref", None),
        audit=bool(getattr(args, "audit", False)),
        now=getattr(args, "now", None),
    )
    config, tree_root = _config_file(args)
    return merge(cli, config, fail_on_given=fail_on_arg is not None,  # a ConfigError is a usage error
                 baseline_given=getattr(args, "baseline", None) is not None, tree_root=tree_root)


def _config_file(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """The configuration file to read, and the scanned root when it was found in the scanned tree (the
    repository's word, not the user's). ``--no-config`` reads none; audit mode reads only ``--config``."""
    from remit.loaders.discover import scan_root
    from remit.options import find_config
    if args.no_config:
        return None, None
    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"config file {args.config} not found")
        return args.config, None
    if getattr(args, "audit", False):
        return None, None
    first = Path(args.paths[0])
    root = scan_root([Path(p) for p in args.paths])
    found = find_config(first if first.is_dir() else first.parent, stop=root)
    return found, (root if found is not None else None)


def _source_root(given: Path | None) -> Path | None:
    if given is not None and not given.is_dir():
        raise UsageError(f"--source-root {given} is not a directory")
    return given


def _sarif_category(given: str | None) -> str:
    if given is None:
        return ""
    category = given.strip().strip("/")
    if not category or not category.isprintable():
        raise UsageError("--sarif-category needs a printable name (letters, digits, '-', '/'...)")
    return category


def _scan(args: argparse.Namespace) -> ScanResult:
    from remit.api import scan
    if getattr(args, "aws", False):
        return _scan_aws(args)
    options = _options(args)
    with _progress(args) as progress:  # a bad selector, baseline or git revision is a UsageError
        return scan([Path(p) for p in args.paths], options, progress=progress)


def _scan_aws(args: argparse.Namespace) -> ScanResult:
    """``scan --aws``: collect into --snapshot-dir (or a temporary directory), then scan the snapshot."""
    import tempfile

    from remit.api import scan
    repository = [Path(p) for p in args.paths] if args.paths != ["."] else []
    if repository and not args.snapshot_dir:
        raise UsageError("--aws with a repository needs --snapshot-dir DIR (beside the repository, so reports "
                         "name files relative to both)")
    with tempfile.TemporaryDirectory(prefix="remit-aws-") as tmp:
        directory = args.snapshot_dir or Path(tmp) / "snapshot"
        _collect(args, directory)
        targets = [*repository, directory]  # the templates join the deployed resources they made: drift
        args.paths = [str(t) for t in targets]
        options = _options(args)
        try:
            with _progress(args) as progress:
                return scan(targets, options, progress=progress)
        except ValueError as exc:
            raise UsageError(str(exc)) from None


def _collect(args: argparse.Namespace, directory: Path) -> None:
    from remit.live.collect import CollectOptions, collect
    options = CollectOptions(profile=args.profile, role_arn=args.role_arn, external_id=args.external_id,
                             regions=args.regions, download_code=args.download_code, keep_values=args.keep_values)
    if args.external_id and not args.role_arn:
        raise UsageError("--external-id goes with --role-arn")
    try:
        with _collect_progress(args) as progress:
            snapshot = collect(options, directory, progress=progress)
    except OSError as exc:  # a CollectError is a usage error already
        raise UsageError(f"cannot write the snapshot: {exc.strerror or exc}") from None
    for gap in snapshot.gaps[:20]:
        print(f"remit: warning: {gap.service} {gap.call} in {gap.region} not read: {gap.reason} (needs "
              f"{gap.permission})", file=sys.stderr)
    if len(snapshot.gaps) > 20:
        print(f"remit: warning: {len(snapshot.gaps) - 20} more calls not answered (listed in the snapshot "
              "manifest)", file=sys.stderr)


class _CollectProgress:
    """One transient bar per service and region on a terminal, while an account is read."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn
        console = Console(file=stream, force_terminal=True, highlight=False, emoji=False, markup=False)
        self.progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(bar_width=24),
                                 console=console, auto_refresh=False, transient=True)
        self.tasks: dict[tuple[str, str], TaskID] = {}

    def __enter__(self) -> _CollectProgress:
        self.progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.progress.stop()

    def __call__(self, service: str, region: str, done: int, total: int) -> None:
        key = (service, region)
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(f"reading {service} in {region}", total=max(total, 1))
        self.progress.update(self.tasks[key], completed=done, total=max(total, 1))
        self.progress.refresh()


def _collect_progress(args: argparse.Namespace) -> _CollectProgress | _NoProgress:
    return _CollectProgress(sys.stderr) if _show_progress(args.no_progress, sys.stderr) else _NoProgress()


def cmd_collect(args: argparse.Namespace) -> int:
    _collect(args, args.output)
    print(f"remit: wrote the snapshot to {args.output}; `remit scan {args.output}` analyses it", file=sys.stderr)
    return EXIT_CLEAN


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def _use_color(choice: str, stream: TextIO, to_file: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to colour ``stream``. In order: ``--color always|never``; a file written with ``-o`` gets colour
    only from ``--color always``; a non-empty FORCE_COLOR turns colour on and wins over NO_COLOR (force-color.org:
    it is checked after NO_COLOR); a non-empty NO_COLOR turns it off (no-color.org); then only a terminal that is
    not TERM=dumb."""
    if choice == "always":
        return True
    if choice == "never" or to_file:
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


def _in_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _show_progress(no_progress: bool, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Progress only on a terminal a person watches: never with --no-progress, a non-empty REMIT_NO_PROGRESS,
    CI set (CI logs), TERM=dumb, or when stderr is a pipe or a file. FORCE_COLOR does not force it."""
    if no_progress or environ.get("REMIT_NO_PROGRESS") or _in_ci(environ) or environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


class _ProgressDisplay:
    """Renders :class:`remit.progress.ProgressEvent`s as one transient line on a terminal, erased when the work
    ends (also on errors and Ctrl-C), with the cursor restored.

    rich is imported only here (about 50 ms, against a scan of seconds). There is no refresh thread: the scan
    forks its SAM-translation helper, and a thread holding the stream's lock at that moment would be inherited
    locked. The line is redrawn on events instead: at once when the stage changes, else at most
    ``REDRAWS_PER_SECOND`` times a second.
    """

    REDRAWS_PER_SECOND = 20

    def __init__(self, stream: TextIO, color: bool) -> None:
        from rich.console import Console  # only when progress is shown
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        console = Console(file=stream, force_terminal=True, color_system="standard" if color else None,
                          highlight=False, emoji=False, markup=False)
        self.progress: Progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(bar_width=24),
            TimeElapsedColumn(), console=console, auto_refresh=False, transient=True, redirect_stdout=False,
            redirect_stderr=False)
        self.task: TaskID | None = None
        self.stage: str | None = None
        self.drawn = 0.0

    def __enter__(self) -> _ProgressDisplay:
        self.progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        if event.stage.value != self.stage or self.task is None:
            if self.task is not None:
                self.progress.update(self.task, visible=False)
            total = float(event.total) if event.counted and event.total is not None else None  # None: bar pulses
            self.task = self.progress.add_task(event.text(), total=total, completed=event.done)  # draws it
            self.stage = event.stage.value
            self.drawn = time.monotonic()
            return
        self.progress.update(self.task, description=event.text(), completed=event.done)
        now = time.monotonic()
        if event.done == event.total or now - self.drawn >= 1 / self.REDRAWS_PER_SECOND:
            self.drawn = now
            self.progress.refresh()


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None


def _progress(args: argparse.Namespace, stream: TextIO | None = None) -> _ProgressDisplay | _NoProgress:
    """The progress display for a command (a context manager that yields the callback, or None)."""
    stream = stream or sys.stderr
    if not _show_progress(args.no_progress, stream):
        return _NoProgress()
    return _ProgressDisplay(stream, _use_color(getattr(args, "color", "auto"), stream, to_file=False))


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _nothing_scannable(result: ScanResult) -> int:
    from remit.report.text import clean
    for d in result.diagnostics:
        print(f"remit: {clean(str(d))}", file=sys.stderr)
    print(f"remit: nothing to scan: {NOTHING_FOUND}", file=sys.stderr)
    return EXIT_USAGE


def cmd_scan(args: argparse.Namespace) -> int:
    from remit.api import fewer_collections
    from remit.findings import Severity
    from remit.report import Format, render
    category = _sarif_category(args.sarif_category)
    result = _scan(args)
    if not result.scannable:
        return _nothing_scannable(result)
    fmt = Format(args.format)
    color = fmt is Format.TEXT and _use_color(args.color, sys.stdout, args.output is not None)
    shown = result.at_least(Severity.parse(args.min_severity)) if args.min_severity else result
    with fewer_collections():  # rendering allocates over the scan's large heap too: a tenth of a big scan
        report = render(shown, fmt, color=color, sarif_category=category, compact=args.compact, quiet=args.quiet)
    _emit(report, args.output)
    if args.output is not None:
        print(f"remit: wrote {fmt.value} report to {args.output} ({len(result.active)} findings, "
              f"{len(result.active_paths)} attack paths; {len(result.failing)} findings and "
              f"{len(result.failing_paths)} paths at or above fail-on)", file=sys.stderr)
    return EXIT_FINDINGS if result.fails else EXIT_CLEAN


def cmd_baseline(args: argparse.Namespace) -> int:
    import json

    from remit.suppress import baseline_document
    args.baseline = None
    result = _scan(args)
    if not result.scannable:
        return _nothing_scannable(result)
    document = baseline_document(result.findings, args.reason, result.attack_paths)
    _emit(json.dumps(document, indent=2) + "\n", args.output)
    print(f"remit: wrote {len(document['findings'])} findings and {len(document['attack_paths'])} attack paths to "
          f"{args.output}", file=sys.stderr)
    return EXIT_CLEAN


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    from remit.engine import all_rules
    rules = all_rules()
    if args.format == "json":
        rows = [{"id": r.id, "family": r.family, "title": r.title, "severity": r.severity.value,
                 "category": r.category.value, "sas": r.category.sas, "responsibility": r.responsibility.value,
                 "summary": r.summary(), "impact": r.impact} for r in rules]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif args.format == "markdown":
        from remit.report.catalog import markdown
        sys.stdout.write(markdown(rules))
    else:
        for r in rules:
            sys.stdout.write(f"{r.id:<18} {r.severity.value:<9} {r.category.value:<24} {r.title}\n")
        sys.stdout.write(f"\n{len(rules)} rules. `remit explain RULE-ID` for details.\n")
    return EXIT_CLEAN


def cmd_explain(args: argparse.Namespace) -> int:
    from remit.engine import all_rules
    from remit.report.rule_docs import explain  # imported late like every command's work

    wanted = args.rule_id.strip().upper()
    for r in all_rules():
        if r.id == wanted:
            sys.stdout.write(explain(r))
            return EXIT_CLEAN
    raise UsageError(f"no rule {args.rule_id!r}; `remit rules` lists them")


def cmd_policy(args: argparse.Namespace) -> int:
    from remit.api import analyze
    from remit.code.sdk.policy import PolicyFormat, least_privilege, render_policies
    from remit.options import ScanOptions
    from remit.report.text import clean
    with _progress(args) as progress:
        an, diagnostics = analyze([Path(p) for p in args.paths], ScanOptions(exclude=_split(args.exclude)),
                                  progress=progress)
    if an is None:
        for d in diagnostics:
            print(f"remit: {clean(str(d))}", file=sys.stderr)
        print(f"remit: nothing to read: {NOTHING_FOUND}", file=sys.stderr)
        return EXIT_USAGE
    policies = least_privilege(an, args.function)
    if not policies:
        wanted = f"no function named {args.function!r}" if args.function else "no function"
        raise UsageError(f"{wanted} in the application under {', '.join(args.paths)}")
    _emit(render_policies(policies, PolicyFormat(args.format)), args.output)
    incomplete = [p.name for p in policies if not p.complete]
    if incomplete:
        print(f"remit: incomplete (code not fully understood): {', '.join(incomplete)}", file=sys.stderr)
    return EXIT_CLEAN


def completion_script(shell: str) -> str:
    """A completion script for ``shell``, generated by shtab from the parser: PATH, FILE and DIR arguments
    complete file or directory names, RULE-ID the rule ids of this version."""
    import shtab  # only for this command

    from remit.engine import all_rules
    parser = build_parser()
    rule_ids = [r.id for r in all_rules()]
    pending = [parser]
    while pending:
        current = pending.pop()
        for action in current._actions:  # argparse offers no public way to walk a parser
            if isinstance(action, argparse._SubParsersAction):
                pending.extend(action.choices.values())
            elif action.metavar == "RULE-ID":
                action.choices = rule_ids
            elif action.metavar == "DIR":
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined] # shtab reads this attribute
            elif action.type is Path or action.metavar == "PATH":
                action.complete = shtab.FILE  # type: ignore[attr-defined] # same
    return shtab.complete(parser, shell=shell)


def cmd_completion(args: argparse.Namespace) -> int:
    text = completion_script(args.shell)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_CLEAN


def cmd_advisories(args: argparse.Namespace) -> int:
    from remit.about import advisory_status
    from remit.deps import cache as advisory_cache
    from remit.deps.facts import Ecosystem
    folder = advisory_cache.cache_dir(args.cache_dir)
    if args.action == "status":
        sys.stdout.write(advisory_status(folder))
        return EXIT_CLEAN if advisory_cache.cached_archives(folder) else EXIT_USAGE
    known = {e.value.lower(): e.value for e in Ecosystem}
    unknown = [e for e in args.ecosystems if e.lower() not in known]
    if unknown:
        raise UsageError(f"unknown ecosystem {', '.join(unknown)} (known: {', '.join(known.values())})")
    if advisory_cache.offline_from_environment():
        raise UsageError("REMIT_OFFLINE is set: no download")
    wanted = [known[e.lower()] for e in args.ecosystems] or list(known.values())

    def progress(ecosystem: str, done: int, total: int | None) -> None:
        of = f" of {total >> 20} MB" if total else ""
        sys.stderr.write(f"\rdownloading {ecosystem} advisories: {done >> 20} MB{of}   ")
        sys.stderr.flush()

    shown = progress if sys.stderr.isatty() and not os.environ.get("REMIT_NO_PROGRESS") else None
    done = advisory_cache.refresh(folder, wanted, force=True, progress=shown)
    if shown:
        sys.stderr.write("\n")
    for failure in done.failures:
        print(f"remit: advisories not updated: {failure}", file=sys.stderr)
    if done.downloaded:
        print(f"remit: advisories for {', '.join(done.downloaded)} saved in {folder / 'advisories'}", file=sys.stderr)
    return EXIT_USAGE if done.failures else EXIT_CLEAN


def cmd_org(args: argparse.Namespace) -> int:
    from remit.org.command import execute
    outcome = execute(args, lambda line: print(line, file=sys.stderr, flush=True))  # plan errors: usage errors
    sys.stdout.write(outcome.output)
    for line in outcome.messages:
        print(line, file=sys.stderr)
    return EXIT_FINDINGS if outcome.failed else EXIT_CLEAN


COMMANDS = {"scan": cmd_scan, "collect": cmd_collect, "baseline": cmd_baseline, "rules": cmd_rules,
            "explain": cmd_explain, "policy": cmd_policy, "advisories": cmd_advisories, "completion": cmd_completion,
            "org": cmd_org}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"remit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        print(f"remit: interrupted{f' ({exc})' if str(exc) else ''}: no report written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (remit scan | head): not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    except Exception:  # noqa: BLE001 - the promise is exit code 3 with a report, never a raw crash
        print("remit: internal error (please report it with the traceback below):", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> NoReturn:
    """Console-script entry point: SIGTERM ends the scan and its helper processes like Ctrl-C (exit 130)."""
    from remit.guard import on_signals
    on_signals()
    code = main()
    _exit_now(code)
    raise SystemExit(code)


def _exit_now(code: int) -> None:
    """End the process once the exit handlers have run and the output is flushed, without the interpreter's
    teardown: that frees a large scan's whole heap object by object (0.5-2 s of a 1,000-function scan, after
    the report is written). Returns, for the ordinary exit, while another thread still runs or when the output
    cannot be flushed."""
    import atexit
    import threading
    if threading.active_count() > 1:
        return
    atexit._run_exitfuncs()  # what the ordinary exit runs first (finalizers, logging, pools)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
