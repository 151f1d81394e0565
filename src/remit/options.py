"""Scan options: from the command line, from ``.remit.toml`` or ``[tool.remit]`` in ``pyproject.toml``.

Configuration file keys (all optional)::

    [tool.remit]                      # or top level of .remit.toml
    select = ["LAMBDA", "iam"]        # rule ids, families, categories or responsibilities
    ignore = ["RMT-LAMBDA-009"]
    fail-on = "high"                  # critical | high | medium | low | none
    exclude = ["legacy/**", "*.test.yaml"]
    baseline = "remit-baseline.json"
    advisories = ["advisories/"]      # OSV directories or zips, relative to the config file
    source-root = "."                 # SARIF/JUnit paths relative to this directory (relative to the config
                                      # file); default: the git work tree's top, else the scanned root

    [tool.remit.severity]             # severity is data: change it per rule
    "RMT-LAMBDA-009" = "medium"

The command line wins over the file; ``select``/``ignore``/``exclude`` given on both are combined.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from remit.findings import Severity

CONFIG_FILES = (".remit.toml", "pyproject.toml")


class ConfigError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ScanOptions:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity | None = Severity.LOW  # None: never fail on findings
    baseline: Path | None = None
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    strict: bool = False  # a crashing rule aborts the scan (tests), instead of becoming a diagnostic
    # translate SAM in a forked helper process beside the scan when there are several files; programs that
    # embed remit in a multi-threaded process (where fork is unsafe) should pass False
    parallel: bool = True
    # keep SAM translations in the user cache across scans, keyed by content (`--no-cache`, REMIT_NO_CACHE: off)
    cache: bool = True
    config_file: Path | None = None
    # dependency advisories: OSV directories or per-ecosystem zips (`--advisories`, config `advisories`);
    # else the cache `remit advisories update` fills; else the OSV API when `online` (`--online`)
    advisories: tuple[Path, ...] = ()
    online: bool = False
    cache_dir: Path | None = None  # default: $REMIT_CACHE_DIR, $XDG_CACHE_HOME/remit, ~/.cache/remit
    # every scanned template, service, module and stack is deployed into one account (`--one-account`, config
    # `one-account`): the attack graph may then move between them (remit.model.units)
    one_account: bool = False
    # the directory SARIF and JUnit paths are relative to (`--source-root`, config `source-root`); None: the top
    # of the git work tree holding the scanned root, else the scanned root (remit.repository)
    source_root: Path | None = None
    # a pull-request scan: findings the scanned paths already had at this git revision are reported as
    # baseline-suppressed, attack paths they already had are left out (`--baseline-ref`)
    baseline_ref: str | None = None
    # audit: every suppression (Metadata, baseline, baseline ref) is reported, active, with what suppressed it
    # and why, and counts towards --fail-on (`--audit`)
    audit: bool = False
    # the moment IAM time conditions (aws:CurrentTime, aws:EpochTime, aws:TokenIssueTime) are decided against
    # (`--now`, for reproducible runs); None: the system clock
    now: datetime | None = None


def parse_fail_on(value: str) -> Severity | None:
    if value.strip().lower() == "none":
        return None
    return Severity.parse(value)


def find_config(start: Path) -> Path | None:
    """The first config file in ``start`` or a parent directory (a pyproject.toml counts only with a
    ``[tool.remit]`` table)."""
    here = start.resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml":
                try:
                    data = tomllib.loads(candidate.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError):
                    continue
                if "remit" not in data.get("tool", {}):
                    continue
            return candidate
        if (directory / ".git").exists():
            break
    return None


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{key} must be a string or a list of strings")


def load_config(path: Path) -> dict[str, Any]:
    """The remit table of a config file, validated."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    table = data.get("tool", {}).get("remit", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: the remit table is not a table")
    known = {"select", "ignore", "exclude", "fail-on", "baseline", "severity", "advisories", "one-account",
             "source-root"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return table


def merge(cli: ScanOptions, config_path: Path | None, *, fail_on_given: bool, baseline_given: bool) -> ScanOptions:
    """Combine command-line options with a config file."""
    if config_path is None:
        return cli
    table = load_config(config_path)
    overrides: dict[str, Severity] = {}
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{config_path}: severity must be a table of RULE-ID = level")
    for rule_id, level in severity.items():
        try:
            overrides[str(rule_id).upper()] = Severity.parse(str(level))
        except ValueError as exc:
            raise ConfigError(f"{config_path}: {exc}") from None
    fail_on = cli.fail_on
    if not fail_on_given and "fail-on" in table:
        try:
            fail_on = parse_fail_on(str(table["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{config_path}: {exc}") from None
    one_account = table.get("one-account", False)
    if not isinstance(one_account, bool):
        raise ConfigError(f"{config_path}: one-account must be true or false")
    baseline = cli.baseline
    if not baseline_given and isinstance(table.get("baseline"), str):
        baseline = (config_path.parent / table["baseline"]).resolve()
    source_root = cli.source_root
    if source_root is None and "source-root" in table:
        if not isinstance(table["source-root"], str):
            raise ConfigError(f"{config_path}: source-root must be a string (a directory)")
        source_root = (config_path.parent / table["source-root"]).resolve()
    return ScanOptions(
        select=(*_strings(table.get("select"), "select"), *cli.select),
        ignore=(*_strings(table.get("ignore"), "ignore"), *cli.ignore),
        exclude=(*_strings(table.get("exclude"), "exclude"), *cli.exclude),
        fail_on=fail_on,
        baseline=baseline,
        severity_overrides={**overrides, **cli.severity_overrides},
        strict=cli.strict,
        parallel=cli.parallel,
        cache=cli.cache,
        config_file=config_path,
        advisories=cli.advisories or tuple((config_path.parent / a).resolve()
                                           for a in _strings(table.get("advisories"), "advisories")),
        online=cli.online,
        cache_dir=cli.cache_dir,
        one_account=cli.one_account or one_account,
        source_root=source_root,
        baseline_ref=cli.baseline_ref,
        audit=cli.audit,
        now=cli.now,
    )
