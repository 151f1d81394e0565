"""The advisory cache: OSV's per-ecosystem archives on this machine, refreshed when a scan needs them.

Layout, under :func:`cache_dir`::

    advisories/PyPI.zip            OSV's <base>/PyPI/all.zip as downloaded
    advisories/PyPI.index.json     normalised package name -> the archive members about it (built once)
    advisories/meta.json           per ecosystem: when it was downloaded, from where, how many records

:func:`refresh` downloads the archives of the ecosystems a scan found that are missing or older than a day
(:data:`FRESH_FOR`) and never raises: a failed download leaves the previous archive in place and is reported in
the :class:`Refresh` it returns. Downloads stream into a temporary file beside the archive, are checked (size
against ``Content-Length``, every member's CRC) and only then replace it, so a truncated or corrupt download
never replaces a good archive. Every socket operation times out after :data:`TIMEOUT` seconds and a whole
download after :data:`DEADLINE`.

What leaves the machine: a ``GET`` of ``<base>/<ecosystem>/all.zip``, nothing about the scanned app. The base
is ``$REMIT_ADVISORY_URL``, else the caller's (config ``advisory-url``), else OSV's public bucket.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit.deps.facts import Ecosystem, normalise
from remit.errors import DownloadError

OSV_ARCHIVES = "https://osv-vulnerabilities.storage.googleapis.com"
FRESH_FOR = dt.timedelta(days=1)
TIMEOUT = 20.0  # seconds without progress on a socket
DEADLINE = 900.0  # seconds for one archive
MAX_ARCHIVE_BYTES = 4 << 30
CHUNK = 1 << 16
INDEX_VERSION = 1

DownloadProgress = Callable[[str, int, int | None], None]  # ecosystem, bytes so far, bytes in all (None: unknown)


def cache_dir(configured: Path | None = None) -> Path:
    """remit's cache: ``configured``, else ``$REMIT_CACHE_DIR``, else the platform's per-user cache directory
    (``$XDG_CACHE_HOME/remit`` or ``~/.cache/remit`` on Linux, ``~/Library/Caches/remit`` on macOS)."""
    if configured is not None:
        return configured
    if os.environ.get("REMIT_CACHE_DIR"):
        return Path(os.environ["REMIT_CACHE_DIR"])
    import platformdirs  # noqa: PLC0415 - loaded on first use: most scans never need it

    return Path(platformdirs.user_cache_dir("remit", appauthor=False))


def archive_base(configured: str | None = None) -> str:
    """Where the archives come from: ``$REMIT_ADVISORY_URL``, else ``configured`` (the config file's
    ``advisory-url``: the environment wins, so a CI job decides, not the scanned repository), else OSV."""
    return (os.environ.get("REMIT_ADVISORY_URL") or configured or os.environ.get("REMIT_OSV_ARCHIVES")
            or OSV_ARCHIVES).rstrip("/")


def offline_from_environment(environ: Mapping[str, str] = os.environ) -> bool:
    """``$REMIT_OFFLINE`` set to anything but empty, ``0``, ``false`` or ``no``."""
    return environ.get("REMIT_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True, slots=True)
class CachedEcosystem:
    """One ecosystem's archive in the cache."""

    ecosystem: str
    archive: Path
    downloaded: dt.datetime | None  # None: the cache does not say (a copy made by hand)
    source: str  # the base URL it came from, "" when unknown
    records: int  # -1 when unknown

    def age(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        if self.downloaded is None:
            return None
        return (now or dt.datetime.now(dt.UTC)) - self.downloaded

    def age_days(self, now: dt.datetime | None = None) -> int | None:
        age = self.age(now)
        return None if age is None else age.days

    def fresh(self, now: dt.datetime | None = None) -> bool:
        age = self.age(now)
        return age is not None and age < FRESH_FOR


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """The archives in the cache."""

    entries: tuple[CachedEcosystem, ...]

    @property
    def archives(self) -> tuple[Path, ...]:
        return tuple(e.archive for e in self.entries)

    @property
    def downloaded(self) -> dt.datetime | None:
        """The oldest download (the cache is as current as its oldest archive)."""
        dates = [e.downloaded for e in self.entries]
        return None if not dates or None in dates else min(d for d in dates if d is not None)

    def age_days(self, now: dt.datetime | None = None) -> int | None:
        if self.downloaded is None:
            return None
        return ((now or dt.datetime.now(dt.UTC)) - self.downloaded).days

    def of(self, ecosystem: str) -> CachedEcosystem | None:
        return next((e for e in self.entries if e.ecosystem == ecosystem), None)

    def only(self, ecosystems: Iterable[str]) -> CacheInfo:
        wanted = set(ecosystems)
        return CacheInfo(tuple(e for e in self.entries if e.ecosystem in wanted))


def _folder(cache: Path) -> Path:
    return cache / "advisories"


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _when(value: object) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def cached_archives(cache: Path) -> CacheInfo | None:
    """The archives in the cache, or None when there are none."""
    folder = _folder(cache)
    archives = sorted(p for p in folder.glob("*.zip") if p.is_file()) if folder.is_dir() else []
    if not archives:
        return None
    meta = _read_meta(folder)
    per = meta.get("ecosystems") if isinstance(meta.get("ecosystems"), dict) else {}
    entries = []
    for path in archives:
        entry = per.get(path.stem) if isinstance(per, dict) else None
        if isinstance(entry, dict):
            records = entry.get("records")
            entries.append(CachedEcosystem(path.stem, path, _when(entry.get("downloaded")),
                                           str(entry.get("source", "")), records if isinstance(records, int) else -1))
        else:  # a cache written before per-ecosystem dates: one date for all
            entries.append(CachedEcosystem(path.stem, path, _when(meta.get("downloaded")), str(meta.get("source", "")),
                                           -1))
    return CacheInfo(tuple(entries))


def _record_meta(folder: Path, entry: CachedEcosystem) -> None:
    meta = _read_meta(folder)
    per = meta.get("ecosystems") if isinstance(meta.get("ecosystems"), dict) else {}
    assert isinstance(per, dict)
    per[entry.ecosystem] = {"downloaded": entry.downloaded.isoformat() if entry.downloaded else None,
                            "source": entry.source, "records": entry.records}
    meta["ecosystems"] = per
    meta.pop("downloaded", None)
    _write_atomically(folder / "meta.json", json.dumps(meta, indent=1, sort_keys=True).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


# ------------------------------------------------------------------------------------------------ download


def _fetch(url: str, dest: Path, ecosystem: str, progress: DownloadProgress | None) -> None:
    """Stream ``url`` into ``dest``. Raises DownloadError."""
    import urllib.error  # noqa: PLC0415 - only a download needs it: keeps `remit --version` fast
    import urllib.request  # noqa: PLC0415

    request = urllib.request.Request(url, headers={"User-Agent": "remit"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response, dest.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > MAX_ARCHIVE_BYTES:
                raise DownloadError(f"{ecosystem}: the archive is larger than {MAX_ARCHIVE_BYTES >> 30} GiB")
            done = 0
            if progress:
                progress(ecosystem, 0, total)
            while chunk := response.read(CHUNK):
                done += len(chunk)
                if done > MAX_ARCHIVE_BYTES:
                    raise DownloadError(f"{ecosystem}: the archive is larger than {MAX_ARCHIVE_BYTES >> 30} GiB")
                if time.monotonic() - started > DEADLINE:
                    raise DownloadError(f"{ecosystem}: the download took longer than {int(DEADLINE)} s")
                out.write(chunk)
                if progress:
                    progress(ecosystem, done, total)
            if total is not None and done != total:
                raise DownloadError(f"{ecosystem}: the download was cut short ({done} of {total} bytes)")
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{ecosystem}: {_host(url)} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror  # an OSError's text may name a local path
        raise DownloadError(f"{ecosystem}: cannot download from {_host(url)}: {reason}", unreachable=True) from None


def _host(url: str) -> str:
    """The scheme and host of a URL: what a message may say about where remit tried to connect."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else url


def _index(path: Path, ecosystem: str) -> tuple[dict[str, list[str]], int]:
    """Package name -> members of the archive about it, and the number of records. Raises DownloadError when the
    file is not a sound zip (a member's CRC does not match)."""
    from remit.deps import advisories  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    eco = next((e for e in Ecosystem if e.value == ecosystem), None)
    names: dict[str, list[str]] = {}
    records = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.endswith(".json"):
                    continue
                data = archive.read(info)  # checks the CRC
                records += 1
                if info.file_size > advisories.MAX_RECORD_BYTES:
                    continue
                try:
                    record = json.loads(data)
                except ValueError:
                    continue
                for key in _packages_of(record, eco):
                    names.setdefault(key, []).append(info.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise DownloadError(f"{ecosystem}: not a sound zip archive ({reason})") from None
    return names, records


def _packages_of(record: Any, eco: Ecosystem | None) -> set[str]:
    from remit.deps import advisories  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    found: set[str] = set()
    if not isinstance(record, dict):
        return found
    for affected in record.get("affected") or ():
        package = affected.get("package") if isinstance(affected, dict) else None
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        own = advisories.ecosystem_of(str(package.get("ecosystem", "")))
        if own is not None and (eco is None or own is eco):
            found.add(normalise(own, package["name"]))
    return found


def _write_index(archive: Path, names: Mapping[str, list[str]], records: int) -> None:
    stat = archive.stat()
    body = {"version": INDEX_VERSION, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "records": records,
            "names": names}
    with contextlib.suppress(OSError):
        _write_atomically(archive.with_suffix(".index.json"), json.dumps(body, separators=(",", ":")).encode())


def archive_index(archive: Path) -> tuple[dict[str, list[str]], int] | None:
    """The index written beside ``archive`` (package name -> members) and its record count, when it still
    describes the archive; else built now (and saved when the cache is writable); None when the archive cannot
    be read."""
    try:
        stat = archive.stat()
        body = json.loads(archive.with_suffix(".index.json").read_text(encoding="utf-8"))
        if isinstance(body, dict) and body.get("version") == INDEX_VERSION and body.get("size") == stat.st_size \
                and body.get("mtime_ns") == stat.st_mtime_ns and isinstance(body.get("names"), dict) \
                and isinstance(body.get("records"), int):
            return body["names"], body["records"]
    except (OSError, ValueError):
        pass
    try:
        names, records = _index(archive, archive.stem)
    except DownloadError:
        return None
    _write_index(archive, names, records)
    return names, records


def download(cache: Path, ecosystem: str, *, base: str | None = None,
             progress: DownloadProgress | None = None) -> CachedEcosystem:
    """Download one ecosystem's archive into the cache (replacing the old one only when the new one is sound).
    Raises DownloadError."""
    folder = _folder(cache)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{ecosystem}.", suffix=".part")
        os.close(handle)
    except OSError as exc:
        raise DownloadError(f"{ecosystem}: the cache is not writable ({exc.strerror or exc})") from None
    part = Path(name)
    root = archive_base(base)
    try:
        _fetch(f"{root}/{ecosystem}/all.zip", part, ecosystem, progress)
        names, records = _index(part, ecosystem)
        target = folder / f"{ecosystem}.zip"
        os.replace(part, target)
    except OSError as exc:
        raise DownloadError(f"{ecosystem}: cannot write the cache ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    _write_index(target, names, records)
    entry = CachedEcosystem(ecosystem, target, dt.datetime.now(dt.UTC), root, records)
    try:
        _record_meta(folder, entry)
    except OSError as exc:
        raise DownloadError(f"{ecosystem}: cannot write the cache ({exc.strerror or exc})") from None
    return entry


@dataclass(frozen=True, slots=True)
class Refresh:
    """What :func:`refresh` did: the cache afterwards (None: still empty), the ecosystems downloaded and why
    others could not be."""

    info: CacheInfo | None
    downloaded: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()


def refresh(cache: Path, ecosystems: Iterable[str], *, base: str | None = None, force: bool = False,
            progress: DownloadProgress | None = None, now: dt.datetime | None = None) -> Refresh:
    """Download the archives of ``ecosystems`` that are missing or older than :data:`FRESH_FOR` (all of them
    with ``force``). Never raises: a failure keeps the previous archive and is described in the result."""
    before = cached_archives(cache)
    downloaded: list[str] = []
    failures: list[str] = []
    unreachable = ""
    for ecosystem in dict.fromkeys(ecosystems):
        current = before.of(ecosystem) if before else None
        if current is not None and current.fresh(now) and not force:
            continue
        if unreachable:  # one timeout is enough to wait for
            failures.append(f"{ecosystem}: not tried ({unreachable})")
            continue
        try:
            download(cache, ecosystem, base=base, progress=progress)
            downloaded.append(ecosystem)
        except DownloadError as exc:
            failures.append(str(exc))
            if exc.unreachable:
                unreachable = f"{archive_base(base).split('://')[0]} server unreachable"
    return Refresh(cached_archives(cache), tuple(downloaded), tuple(failures))
