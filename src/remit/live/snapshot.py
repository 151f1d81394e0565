"""The snapshot format: what ``remit collect aws`` writes and ``remit scan SNAPSHOT_DIR`` reads.

A snapshot is a directory::

    remit-snapshot.json     the manifest: format version, account, partition, regions, when, what is unknown
    iam.json                IAM (GetAccountAuthorizationDetails, access keys, OIDC/SAML providers)
    s3.json                 S3 buckets (global listing; each bucket keeps its region) and the account's
                            public access block
    regions/REGION.json     every regional service: {service: {kind: [record, ...]}}
    code/SHA256HEX/         a function's or layer's code (with --download-code), unpacked

Records are the API responses remit needs, as boto3 returns them (timestamps as ISO strings). A value remit
could not read is ``{"remit:unknown": "why, and the permission it needs"}``, never a missing key, so the
conversion knows what is unknown rather than absent. Environment-variable values are masked at collection
unless ``--keep-values`` is given.

Every file of a snapshot is read through :func:`read_json` (one place, size-capped, inside the snapshot only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit.errors import SnapshotError

MANIFEST = "remit-snapshot.json"
FORMAT = "remit-aws-snapshot"
VERSION = 1
UNKNOWN_KEY = "remit:unknown"
MASKED = "remit:masked"  # an environment-variable value left out of the snapshot
MAX_JSON_BYTES = 256 * 1024 * 1024
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def unknown(reason: str) -> dict[str, str]:
    return {UNKNOWN_KEY: reason}


def is_unknown(value: Any) -> bool:
    return isinstance(value, dict) and UNKNOWN_KEY in value


@dataclass(frozen=True)
class Gap:
    """One thing the collector could not read: the call, the IAM permission it needs, and why."""

    service: str
    region: str
    call: str
    permission: str
    reason: str
    resource: str = ""

    def as_json(self) -> dict[str, str]:
        return {"service": self.service, "region": self.region, "call": self.call, "permission": self.permission,
                "reason": self.reason, "resource": self.resource}


@dataclass(frozen=True)
class Snapshot:
    """A collected account. ``iam``, ``s3`` and each region's services are plain JSON data."""

    account: str
    partition: str
    regions: tuple[str, ...]
    iam: Mapping[str, Any] = field(default_factory=dict)
    s3: Mapping[str, Any] = field(default_factory=dict)
    regional: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    gaps: tuple[Gap, ...] = ()
    collected_at: str = ""
    masked: bool = True
    tool_version: str = ""


def _dump(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True, default=str) + "\n"


def write(snapshot: Snapshot, directory: Path) -> list[Path]:
    """Write ``snapshot`` into ``directory`` (created); returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "regions").mkdir(exist_ok=True)
    files: dict[str, Any] = {"iam.json": snapshot.iam, "s3.json": snapshot.s3}
    for region, services in snapshot.regional.items():
        files[f"regions/{region}.json"] = services
    manifest = {
        "format": FORMAT, "version": VERSION, "account": snapshot.account, "partition": snapshot.partition,
        "regions": list(snapshot.regions), "collected_at": snapshot.collected_at, "masked": snapshot.masked,
        "remit_version": snapshot.tool_version, "files": sorted(files),
        "unknowns": [g.as_json() for g in snapshot.gaps],
    }
    written = []
    for name, data in {**files, MANIFEST: manifest}.items():
        path = directory / name
        path.write_text(_dump(data), encoding="utf-8")
        written.append(path)
    return written


def read_json(directory: Path, name: str) -> Any:
    """One JSON file of the snapshot in ``directory``: the only place a snapshot's files are opened. ``name``
    comes from the manifest (hostile input): it must stay inside the directory. Raises SnapshotError."""
    if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        raise SnapshotError(f"{name!r} is not a file name inside the snapshot")
    path = directory / name
    try:
        real = path.resolve(strict=True)
        if directory.resolve() not in real.parents:
            raise SnapshotError(f"{name} leads outside the snapshot")
        if real.stat().st_size > MAX_JSON_BYTES:
            raise SnapshotError(f"{name} is over the {MAX_JSON_BYTES}-byte limit")
        return json.loads(real.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SnapshotError(f"{name}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise SnapshotError(f"{name} is not valid JSON: {exc}") from None


def is_manifest(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def read(directory: Path) -> Snapshot:
    """The snapshot in ``directory``. Raises SnapshotError."""
    manifest = read_json(directory, MANIFEST)
    if not is_manifest(manifest):
        raise SnapshotError(f"{MANIFEST} is not a remit snapshot manifest")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SnapshotError(f"snapshot format version {version!r} is newer than this remit reads ({VERSION})")
    names = [n for n in manifest.get("files", ()) if isinstance(n, str)]
    iam = read_json(directory, "iam.json") if "iam.json" in names else {}
    s3 = read_json(directory, "s3.json") if "s3.json" in names else {}
    regional: dict[str, Any] = {}
    for name in names:
        region = name.removeprefix("regions/").removesuffix(".json")
        if name.startswith("regions/") and _REGION.match(region):
            data = read_json(directory, name)
            if isinstance(data, dict):
                regional[region] = data
    gaps = tuple(Gap(**{k: str(v) for k, v in g.items() if k in Gap.__dataclass_fields__})
                 for g in manifest.get("unknowns", ()) if isinstance(g, dict)
                 and {"service", "region", "call", "permission", "reason"} <= g.keys())
    regions = tuple(str(r) for r in manifest.get("regions", ()) if isinstance(r, str) and _REGION.match(r))
    return Snapshot(str(manifest.get("account") or "unknown"), str(manifest.get("partition") or "aws"), regions,
                    iam if isinstance(iam, dict) else {}, s3 if isinstance(s3, dict) else {}, regional, gaps,
                    str(manifest.get("collected_at") or ""), manifest.get("masked") is not False,
                    str(manifest.get("remit_version") or ""))
