"""Advisories in OSV format: loading (a directory, OSV's per-ecosystem zip, the user cache, the OSV API) and
matching versions against affected ranges.

* :func:`load_database` reads ``*.json`` records from a directory tree or from zip archives.
* :func:`affects` decides whether a version is inside an ``affected`` entry (``ECOSYSTEM`` and ``SEMVER``
  ranges with ``introduced`` / ``fixed`` / ``last_affected`` / ``limit`` events, and explicit ``versions``);
  versions compare in each ecosystem's own ordering (:mod:`remit.deps.versions`).
* :class:`OnlineClient` asks ``/v1/querybatch`` and ``/v1/vulns/{id}``, caching answers on disk.
* :func:`load_cached` reads only the records about the scanned packages from the cache's archives
  (:mod:`remit.deps.cache` downloads and indexes them).

Withdrawn records are dropped when loaded. Network access happens only in :class:`OnlineClient` (through an
``opener`` the caller may replace) and in :mod:`remit.deps.cache`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.deps import versions
from remit.deps.facts import Advisory, Ecosystem, normalise
from remit.deps.osv import shaped
from remit.errors import AdvisoryError

OSV_API = "https://api.osv.dev"
OSV_ARCHIVES = "https://osv-vulnerabilities.storage.googleapis.com"
ECOSYSTEMS = tuple(Ecosystem)
OLD_AFTER_DAYS = 7
MAX_RECORD_BYTES = 2_000_000
Opener = Callable[[str, bytes | None], bytes]  # url, POST body (None: GET) -> response body


def ecosystem_of(name: str) -> Ecosystem | None:
    """The ecosystem of an OSV ``ecosystem`` value (``Debian:11`` is Debian), None when remit does not read it."""
    base = name.split(":", 1)[0]
    for eco in ECOSYSTEMS:
        if base == eco.value:
            return eco
    return None


@dataclass
class Database:
    """OSV records indexed by (ecosystem, normalised package name)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    index: dict[tuple[Ecosystem, str], list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, record: Any, where: str) -> None:
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            self.problems.append(f"{where}: not an OSV record")
            return
        if record.get("withdrawn"):
            return
        rid = record["id"]
        self.records[rid] = record
        for affected in record.get("affected") or ():
            package = affected.get("package") if isinstance(affected, dict) else None
            if not isinstance(package, dict):
                continue
            eco = ecosystem_of(str(package.get("ecosystem", "")))
            if eco is None or not isinstance(package.get("name"), str):
                continue
            ids = self.index.setdefault((eco, normalise(eco, package["name"])), [])
            if rid not in ids:
                ids.append(rid)

    def for_package(self, eco: Ecosystem, key: str) -> list[dict[str, Any]]:
        return [self.records[r] for r in self.index.get((eco, key), ())]


def _add_bytes(db: Database, data: bytes, where: str) -> None:
    if len(data) > MAX_RECORD_BYTES:
        db.problems.append(f"{where}: record larger than 2 MB skipped")
        return
    try:
        db.add(shaped(untrusted.json_loads(data)), where)
    except ValueError as exc:
        db.problems.append(f"{where}: {exc}")


def load_database(paths: Iterable[Path]) -> Database:
    """Read OSV records from directories (recursively) and zip archives. Raises AdvisoryError when a path does
    not exist or an archive is not a zip."""
    db = Database()
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.suffix == ".zip" and file.is_file():
                    _load_zip(db, file)
                elif file.suffix == ".json" and file.is_file():
                    _add_bytes(db, safeio.read_bytes(file), file.name)
        elif path.is_file():
            _load_zip(db, path)
        else:
            raise AdvisoryError(f"advisories path {path.name} does not exist")  # the name: reports leave the machine
    return db


def load_cached(archives: Iterable[Path], wanted: Iterable[tuple[Ecosystem, str]]) -> Database:
    """The records about the ``wanted`` (ecosystem, normalised name) packages from cached archives, read through
    each archive's index (:func:`remit.deps.cache.archive_index`) so a scan reads only what it needs."""
    from remit.deps.cache import archive_index  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    db = Database()
    keys = set(wanted)
    for path in archives:
        eco = ecosystem_of(path.stem)
        found = archive_index(path)
        if found is None:
            raise AdvisoryError(f"{path.name}: not an OSV zip archive")
        index, _ = found
        members = sorted({m for (e, key) in keys if e is eco for m in index.get(key, ())})
        try:
            with zipfile.ZipFile(path) as archive:
                for member in members:
                    _add_bytes(db, archive.read(member), f"{path.name}/{member}")
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise AdvisoryError(f"{path.name}: not an OSV zip archive ({reason})") from None
    return db


def _load_zip(db: Database, path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".json") and not info.is_dir():
                    if info.file_size > MAX_RECORD_BYTES:
                        db.problems.append(f"{path.name}/{info.filename}: too large")
                        continue
                    _add_bytes(db, archive.read(info), f"{path.name}/{info.filename}")
    except (zipfile.BadZipFile, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc  # an OSError names the path
        raise AdvisoryError(f"{path.name}: not an OSV zip archive ({reason})") from None


# ------------------------------------------------------------------------------------------------ versions


def _key(eco: Ecosystem, version: str) -> Any:
    """A sortable key for a version in its ecosystem's ordering (:mod:`remit.deps.versions`), or None."""
    return versions.key(eco, version)


def _intervals(events: list[Any]) -> Iterator[tuple[str, str | None, bool]]:
    """(introduced, end, end_inclusive) from OSV range events in order."""
    start: str | None = None
    for event in events:
        if not isinstance(event, dict):
            continue
        if "introduced" in event:
            if start is not None:
                yield start, None, False
            start = str(event["introduced"])
        elif "fixed" in event or "limit" in event:
            if start is not None:
                yield start, str(event.get("fixed", event.get("limit"))), False
                start = None
        elif "last_affected" in event and start is not None:
            yield start, str(event["last_affected"]), True
            start = None
    if start is not None:
        yield start, None, False


def affects(affected: Mapping[str, Any], eco: Ecosystem, version: str) -> bool:
    """Whether ``version`` is affected by one OSV ``affected`` entry."""
    listed = affected.get("versions") or ()
    if version in listed:
        return True
    current = _key(eco, version)
    if current is None:
        return False
    if eco not in (Ecosystem.PYPI, Ecosystem.NPM) and any(_key(eco, str(v)) == current for v in listed):
        return True  # another spelling of a listed version (Maven 1.0 = 1.0.0)
    for rng in affected.get("ranges") or ():
        if not isinstance(rng, dict) or rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        for start, end, inclusive in _intervals(list(rng.get("events") or ())):
            low = None if start == "0" else _key(eco, start)
            if start != "0" and low is None:
                continue
            if low is not None and current < low:
                continue
            if end is None:
                return True
            high = _key(eco, end)
            if high is None:
                continue
            if current < high or (inclusive and current == high):
                return True
    return False


def fixed_versions(affected: Mapping[str, Any]) -> list[str]:
    return [str(e["fixed"]) for rng in affected.get("ranges") or () if isinstance(rng, dict)
            for e in rng.get("events") or () if isinstance(e, dict) and "fixed" in e]


def best_fix(fixes: Iterable[str], eco: Ecosystem, version: str) -> str | None:
    """The smallest fixed version above ``version``."""
    current = _key(eco, version)
    keyed = [(k, f) for f in fixes if (k := _key(eco, f)) is not None and (current is None or k > current)]
    return min(keyed, key=lambda kv: kv[0])[1] if keyed else None


# ------------------------------------------------------------------------------------------------ severity

_W = {"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}, "AC": {"L": 0.77, "H": 0.44},
      "UI": {"N": 0.85, "R": 0.62}, "C": {"H": 0.56, "L": 0.22, "N": 0.0}}


def _roundup(x: float) -> float:
    value = round(x * 100000)
    return value / 100000.0 if value % 10000 == 0 else (math.floor(value / 10000) + 1) / 10.0


def cvss3_score(vector: str) -> float | None:
    """The CVSS 3.x base score of a vector (``CVSS:3.1/AV:N/AC:L/...``), None when it is not a 3.x vector."""
    if not vector.startswith("CVSS:3"):
        return None
    try:
        m = dict(part.split(":", 1) for part in vector.split("/")[1:])
        scope_changed = m["S"] == "C"
        pr = {"N": 0.85, "L": 0.68 if scope_changed else 0.62, "H": 0.5 if scope_changed else 0.27}[m["PR"]]
        iss = 1 - (1 - _W["C"][m["C"]]) * (1 - _W["C"][m["I"]]) * (1 - _W["C"][m["A"]])
        impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if scope_changed else 6.42 * iss
        exploitability = 8.22 * _W["AV"][m["AV"]] * _W["AC"][m["AC"]] * pr * _W["UI"][m["UI"]]
    except (KeyError, ValueError):
        return None
    if impact <= 0:
        return 0.0
    total = 1.08 * (impact + exploitability) if scope_changed else impact + exploitability
    return _roundup(min(total, 10.0))


def to_advisory(record: Mapping[str, Any], eco: Ecosystem, key: str) -> Advisory:
    vector = ""
    score: float | None = None
    for sev in record.get("severity") or ():
        if isinstance(sev, dict) and str(sev.get("type", "")).startswith("CVSS_V3"):
            vector = str(sev.get("score", ""))
            score = cvss3_score(vector)
    if not vector:
        rating = (record.get("database_specific") or {}).get("severity")
        vector = str(rating) if rating else ""
    fixes: list[str] = []
    for affected in record.get("affected") or ():
        package = affected.get("package") or {} if isinstance(affected, dict) else {}
        if ecosystem_of(str(package.get("ecosystem", ""))) is eco and normalise(eco, str(package.get("name"))) == key:
            fixes += fixed_versions(affected)
    rid = str(record["id"])
    return Advisory(
        id=rid, aliases=tuple(str(a) for a in record.get("aliases") or ()),
        summary=_short(str(record.get("summary") or record.get("details") or "")),
        severity=vector, score=score, fixed=tuple(dict.fromkeys(fixes)),
        references=tuple(str(r.get("url")) for r in record.get("references") or () if isinstance(r, dict))[:5],
        malicious=rid.startswith("MAL-"))


def _short(text: str, limit: int = 300) -> str:
    """The first paragraph of an advisory's text, cut at a word boundary (with an ellipsis) when long."""
    first = " ".join(text.strip().split("\n\n")[0].split())
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def matches(db: Database, eco: Ecosystem, key: str, version: str) -> list[tuple[Advisory, str | None]]:
    """The advisories affecting one package version, each with the fixed version to move to."""
    if eco is Ecosystem.GO:
        version = version.removeprefix("v")  # go.mod writes v1.2.3, OSV 1.2.3
    found: list[tuple[Advisory, str | None]] = []
    for record in db.for_package(eco, key):
        hit = False
        for affected in record.get("affected") or ():
            package = affected.get("package") or {} if isinstance(affected, dict) else {}
            if ecosystem_of(str(package.get("ecosystem", ""))) is not eco or \
                    normalise(eco, str(package.get("name"))) != key:
                continue
            if affects(affected, eco, version):
                hit = True
        if hit:
            advisory = to_advisory(record, eco, key)
            found.append((advisory, best_fix(advisory.fixed, eco, version)))
    return found


# ------------------------------------------------------------------------------------------------ network


def urlopen_opener(url: str, body: bytes | None) -> bytes:
    """The default opener: urllib with a timeout. Raises AdvisoryError when the network is absent."""
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json", "User-Agent": "remit"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise AdvisoryError(f"cannot reach {url.split('/v1', maxsplit=1)[0]}: {getattr(exc, 'reason', exc)}") from None


class OnlineClient:
    """Queries the OSV API in batches; answers are cached under ``<cache>/osv/`` for a day."""

    def __init__(self, cache: Path, opener: Opener | None = None, base: str | None = None) -> None:
        self.cache = cache / "osv"
        self.opener = opener or urlopen_opener
        self.base = (base or os.environ.get("REMIT_OSV_API") or OSV_API).rstrip("/")

    def _cached(self, name: str, max_age: float) -> Any:
        path = self.cache / name
        try:
            if dt.datetime.now().timestamp() - path.stat().st_mtime < max_age:
                return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        return None

    def _store(self, name: str, value: Any) -> None:
        try:
            (self.cache / name).parent.mkdir(parents=True, exist_ok=True)
            (self.cache / name).write_text(json.dumps(value), encoding="utf-8")
        except OSError:
            pass

    def database(self, queries: Iterable[tuple[Ecosystem, str, str]]) -> Database:
        """The records affecting these (ecosystem, name, version) triples, as a database."""
        wanted = sorted(set(queries))
        ids: dict[tuple[Ecosystem, str, str], list[str]] = {}
        missing = []
        for q in wanted:
            cached = self._cached(f"query/{q[0].value}/{normalise(q[0], q[1])}@{q[2]}.json".replace("/@", "/"),
                                  86400)
            if isinstance(cached, list):
                ids[q] = [str(i) for i in cached]
            else:
                missing.append(q)
        for start in range(0, len(missing), 500):
            batch = missing[start:start + 500]
            body = json.dumps({"queries": [{"package": {"name": n, "ecosystem": e.value}, "version": v}
                                           for e, n, v in batch]}).encode()
            answer = json.loads(self.opener(f"{self.base}/v1/querybatch", body))
            results = answer.get("results", []) if isinstance(answer, dict) else []
            for q, result in zip(batch, results, strict=False):
                found = [str(v["id"]) for v in (result or {}).get("vulns") or () if isinstance(v, dict)]
                ids[q] = found
                self._store(f"query/{q[0].value}/{normalise(q[0], q[1])}@{q[2]}.json", found)
        db = Database()
        for vid in sorted({i for found in ids.values() for i in found}):
            record = self._cached(f"vulns/{vid}.json", 86400)
            if record is None:
                record = json.loads(self.opener(f"{self.base}/v1/vulns/{vid}", None))
                self._store(f"vulns/{vid}.json", record)
            db.add(shaped(record), vid)
        return db
