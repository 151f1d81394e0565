"""Scan options: from the command line, from ``.remit.toml`` or ``[tool.remit]`` in ``pyproject.toml``.

Configuration file keys (all optional)::

    [tool.remit]                      # or top level of .remit.toml
    select = ["LAMBDA", "iam"]        # rule ids, families, categories or responsibilities
    ignore = ["RMT-LAMBDA-009"]
    fail-on = "high"                  # critical | high | medium | low | none
    exclude = ["legacy/**", "*.test.yaml"]
    baseline = "remit-baseline.json"
    advisories = ["advisories/"]      # OSV directories or zips, relative to the config file
    offline = true                    # never connect: use the advisory cache as it is (also REMIT_OFFLINE=1)
    advisory-url = "https://mirror.example/osv"  # where <ecosystem>/all.zip archives come from
                                      # ($REMIT_ADVISORY_URL wins over it; default: OSV's public archives)
    source-root = "."                 # SARIF/JUnit paths relative to this directory (relative to the config
                                      # file); default: the git work tree's top, else the scanned root

    [tool.remit.severity]             # severity is data: change it per rule
    "RMT-LAMBDA-009" = "medium"

The command line wins over the file; ``select``/``ignore``/``exclude`` given on both are combined.

Trust: a configuration file found in the scanned tree is the scanned repository's word, and the repository may
be a pull request from anyone. It is searched for only from the first scanned path up to the scanned root
(never above it); the paths it names (``baseline``, ``advisories``) must lie inside the scanned root; the
settings it changed are listed in every report's headline (``ScanOptions.config_settings``); ``--no-config``
and audit mode (``--audit``) do not read it. A file given with ``--config`` is the user's own and is trusted.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.errors import ConfigError
from remit.findings import Severity

CONFIG_FILES = (".remit.toml", "pyproject.toml")
MAX_CONFIG_BYTES = 1024 * 1024


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
    # the keys the configuration file set, and whether that file came from the scanned tree (found by the
    # search, not named with --config): reports name them in the headline
    config_settings: tuple[str, ...] = ()
    config_in_tree: bool = False
    # dependency advisories: OSV directories or per-ecosystem zips (`--advisories`, config `advisories`);
    # else the OSV API when `online` (`--online`); else the advisory cache, first refreshed (the ecosystems the
    # scan found, when missing or older than a day) unless `offline` (`--offline`, config `offline`,
    # $REMIT_OFFLINE): then no connection of any kind is made
    advisories: tuple[Path, ...] = ()
    online: bool = False
    offline: bool = False
    advisory_url: str | None = None  # config `advisory-url`; $REMIT_ADVISORY_URL wins; default OSV's archives
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


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    """The first config file in ``start`` or a parent directory up to ``stop`` (the scanned root: the search
    never climbs above it), or up to a git work tree's top when ``stop`` is None (a pyproject.toml counts only
    with a ``[tool.remit]`` table)."""
    here = start.resolve()
    top = stop.resolve() if stop is not None else None
    for directory in (here, *here.parents):
        if top is not None and not directory.is_relative_to(top):
            break
        for name in CONFIG_FILES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml":
                try:
                    data = untrusted.toml_loads(safeio.read_bytes(candidate, MAX_CONFIG_BYTES))
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
        data = untrusted.toml_loads(safeio.read_bytes(path, MAX_CONFIG_BYTES))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    table = data.get("tool", {}).get("remit", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: the remit table is not a table")
    known = {"select", "ignore", "exclude", "fail-on", "baseline", "severity", "advisories", "one-account",
             "source-root", "offline", "advisory-url"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return table


def _inside(config_path: Path, key: str, value: str, tree_root: Path | None) -> Path:
    """A path the config file names, relative to it; from a file in the scanned tree only inside the root."""
    path = (config_path.parent / value).resolve()
    if tree_root is not None and not path.is_relative_to(tree_root.resolve()):
        raise ConfigError(f"{config_path.name}: {key} {value!r} lies outside the scanned root; a configuration file "
                          f"in the scanned tree may name only files inside it (give it on the command line)")
    return path


def merge(cli: ScanOptions, config_path: Path | None, *, fail_on_given: bool, baseline_given: bool,
          tree_root: Path | None = None) -> ScanOptions:
    """Combine command-line options with a config file. ``tree_root``: the config file was found in the
    scanned tree under this root (not named by the user), so the paths it names must stay inside it."""
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
    offline = table.get("offline", False)
    if not isinstance(offline, bool):
        raise ConfigError(f"{config_path}: offline must be true or false")
    advisory_url = table.get("advisory-url")
    if advisory_url is not None and (not isinstance(advisory_url, str) or
                                     not advisory_url.startswith(("https://", "http://"))):
        raise ConfigError(f"{config_path}: advisory-url must be an http:// or https:// URL")
    baseline = cli.baseline
    if not baseline_given and isinstance(table.get("baseline"), str):
        baseline = _inside(config_path, "baseline", table["baseline"], tree_root)
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
        advisories=cli.advisories or tuple(_inside(config_path, "advisories", a, tree_root)
                                           for a in _strings(table.get("advisories"), "advisories")),
        online=cli.online,
        offline=cli.offline or offline,
        advisory_url=cli.advisory_url or advisory_url,
        cache_dir=cli.cache_dir,
        one_account=cli.one_account or one_account,
        source_root=source_root,
        baseline_ref=cli.baseline_ref,
        audit=cli.audit,
        config_settings=tuple(sorted(table)),
        config_in_tree=tree_root is not None,
        now=cli.now,
    )
