"""The dependency stage: manifests, lockfiles and vendored packages of each function, matched to advisories.

For each function, the directory it deploys and those of its layers are read (:mod:`remit.deps.manifests`);
packages with a known version are matched against OSV advisories (:mod:`remit.deps.advisories`) taken from
``options.advisories`` (directories or OSV zips), else the OSV API when ``options.online``, else the advisory
cache (:mod:`remit.deps.cache`), refreshed first for the ecosystems found unless offline; whatever could not be
checked is said in the :class:`AdvisorySource` (every report's headline) and a diagnostic. Supply-chain
signs come from :mod:`remit.deps.signs`. Reachability comes from the code stage's imports. Reading is
independent per function: with an idle core the second half is read in a forked helper
(:func:`remit.parallel.in_two`), and the halves are joined in the functions' order.
"""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from remit import parallel, safeio
from remit.deps.facts import (
    NO_DEPENDENCIES,
    AdvisorySource,
    DependencyFacts,
    Ecosystem,
    FunctionDeps,
    ImportReach,
    Match,
    Package,
    Sign,
    SourceKind,
    normalise,
)
from remit.diagnostics import Diagnostic, Level
from remit.errors import AdvisoryError
from remit.guard import attempt, report_path
from remit.model.entities import CodeKind
from remit.model.values import Symbol

if TYPE_CHECKING:
    from remit.code.facts import CodeFacts
    from remit.deps.advisories import Database
    from remit.deps.cache import DownloadProgress
    from remit.deps.manifests import Shipped
    from remit.model.application import Application
    from remit.model.entities import Function
    from remit.options import ScanOptions

__all__ = ["NO_DEPENDENCIES", "DependencyFacts", "analyze"]

# distribution name -> module it is imported as, where they differ (PEP 503 names)
IMPORT_NAMES = {"pyyaml": "yaml", "pillow": "PIL", "beautifulsoup4": "bs4", "python-dateutil": "dateutil",
                "pyjwt": "jwt", "python-jose": "jose", "pycryptodome": "Crypto", "pycrypto": "Crypto",
                "pyopenssl": "OpenSSL", "scikit-learn": "sklearn", "opencv-python": "cv2", "python-dotenv": "dotenv",
                "psycopg2-binary": "psycopg2", "pymysql": "pymysql", "protobuf": "google", "attrs": "attr",
                "msgpack-python": "msgpack", "dnspython": "dns", "pyserial": "serial", "gitpython": "git"}


def import_names(package: Package, directory_hint: list[Path]) -> set[str]:
    """The module names a package is imported by."""
    if package.ecosystem is Ecosystem.NPM:
        return {package.name, package.key}
    names = {IMPORT_NAMES.get(package.key, package.key.replace("-", "_")), package.name.replace("-", "_")}
    for directory in directory_hint:  # a vendored copy says what it installs
        for top in directory.glob(f"{package.name.replace('-', '_')}-*.dist-info/top_level.txt"):
            with contextlib.suppress(OSError):
                names |= {line.strip() for line in safeio.read_text(top).splitlines() if line.strip()}
    return names


def _directories(fn: Function, app: Application) -> list[Path]:
    """The function's code directory and its local layers' — only those inside the scanned root: a ``CodeUri``
    of ``../elsewhere`` is the template's word, not a licence to read the machine (the code stage says it is
    not analysed)."""
    root = app.real_root
    dirs: list[Path] = []
    if fn.code.kind is CodeKind.LOCAL and fn.code.path is not None:
        dirs.append(fn.code.path if fn.code.path.is_dir() else fn.code.path.parent)
    by_id = {layer.logical_id: layer for layer in app.layers}
    for value in fn.layers:
        if isinstance(value, Symbol) and value.name in by_id:
            content = by_id[value.name].content
            if content.kind is CodeKind.LOCAL and content.path is not None and content.path.is_dir():
                dirs.append(content.path)
    return [d for d in dirs if d.resolve().is_relative_to(root)]


def _open_source(options: ScanOptions, diagnostics: list[Diagnostic], wanted: set[tuple[Ecosystem, str, str]],
                 progress: DownloadProgress | None) -> tuple[Database | None, AdvisorySource]:
    from remit.deps import advisories, cache  # noqa: PLC0415 - the stage's parts load when it runs: keeps `import remit.deps.stage` light

    ecosystems = tuple(e.value for e in Ecosystem if any(w[0] is e for w in wanted))
    offline = options.offline or cache.offline_from_environment()
    folder = cache.cache_dir(options.cache_dir)
    try:
        if options.advisories:
            db = advisories.load_database(options.advisories)
            kind = SourceKind.ZIP if all(p.is_file() for p in options.advisories) else SourceKind.DIRECTORY
            return db, AdvisorySource(kind, ", ".join(p.name for p in options.advisories), len(db.records),
                                      offline=offline)
        if options.online and not offline:
            db = advisories.OnlineClient(folder).database(wanted)
            return db, AdvisorySource(SourceKind.ONLINE, "OSV API", len(db.records))
    except AdvisoryError as exc:
        diagnostics.append(Diagnostic("", Level.ERROR, "advisories-unavailable", f"no advisory was checked: {exc}"))
        return None, AdvisorySource(SourceKind.NONE, str(exc), unchecked=ecosystems, reason=str(exc),
                                    offline=offline)
    if not ecosystems:  # no package with a known version: nothing to match, nothing to download
        return None, AdvisorySource(SourceKind.NONE, reason="no package has a known version", offline=offline)
    failures: tuple[str, ...] = ()
    if offline:
        info = cache.cached_archives(folder)
    else:
        done = cache.refresh(folder, ecosystems, base=options.advisory_url, progress=progress)
        info, failures = done.info, done.failures
        for failure in failures:
            diagnostics.append(Diagnostic("", Level.WARNING, "advisories-download-failed",
                                          f"advisories not downloaded: {failure}"))
    used = info.only(ecosystems) if info is not None else None
    missing = tuple(e for e in ecosystems if used is None or used.of(e) is None)
    why = ("offline, and the advisory cache has none" if offline else
           "the download failed" if failures else "no advisories")
    if used is None or not used.entries:
        diagnostics.append(Diagnostic("", Level.WARNING, "advisories-missing",
                                      f"no advisory was checked (dependencies were not matched against known "
                                      f"vulnerabilities): {why}"))
        return None, AdvisorySource(SourceKind.NONE, unchecked=ecosystems, reason=why, offline=offline)
    keys = {(e, normalise(e, name)) for e, name, _ in wanted}
    try:
        db = advisories.load_cached(used.archives, keys)
    except AdvisoryError as exc:
        diagnostics.append(Diagnostic("", Level.ERROR, "advisories-unavailable", f"no advisory was checked: {exc}"))
        return None, AdvisorySource(SourceKind.NONE, str(exc), unchecked=ecosystems, reason=str(exc),
                                    offline=offline)
    if missing:
        diagnostics.append(Diagnostic("", Level.WARNING, "advisories-missing",
                                      f"{', '.join(missing)} dependencies were not matched against known "
                                      f"vulnerabilities: {why}"))
    age = used.age_days()
    stale = [e.ecosystem for e in used.entries if not e.fresh()]
    if age is not None and (age > advisories.OLD_AFTER_DAYS or (stale and not offline)):
        diagnostics.append(Diagnostic("", Level.WARNING, "advisories-old",
                                      f"the advisory cache is {age} days old"
                                      + ("" if offline else " (it could not be refreshed)")))
    records = sum(max(e.records, 0) for e in used.entries)
    where = ("the advisory cache, offline" if offline else "the advisory cache")
    # named, not located: the cache is a directory of this machine (under the home directory)
    return db, AdvisorySource(SourceKind.CACHE, f"{where} ({', '.join(e.ecosystem for e in used.entries)})",
                              records, age, unchecked=missing, reason=why if missing else "", offline=offline)


def _reach(package: Package, fn: Function, code: CodeFacts, dirs: list[Path]) -> ImportReach:
    facts = code.of(fn.id)
    if facts is None or not facts.imports:
        return ImportReach.UNKNOWN
    names = import_names(package, dirs)
    imported = {i.split(".")[0] for i in facts.imports} | set(facts.imports)
    return ImportReach.IMPORTED if names & imported else ImportReach.NOT_IMPORTED


def _nothing_shipped(problem: Diagnostic) -> tuple[Shipped, list[tuple[Path, dict[str, object]]]]:
    from remit.deps.manifests import Shipped  # noqa: PLC0415 - the stage's parts load when it runs: keeps `import remit.deps.stage` light

    return Shipped(diagnostics=[problem]), []


# Below this many functions the helper process costs more than half the reading saves.
SPLIT_MIN_FUNCTIONS = 48
# what one function ships: its packages, signs, manifest files, whether a lock file pins them, its directories
_Shipping = tuple[list[Package], list[Sign], list[str], bool, list[Path]]


def _read_part(app: Application, start: int, stop: int, manifests: ModuleType,
               signs: ModuleType) -> tuple[list[tuple[object, _Shipping]], list[Diagnostic]]:
    """What ``app.functions[start:stop]`` ship, read once per directory, and the problems met, each once."""
    diagnostics: list[Diagnostic] = []
    seen_diag: set[Diagnostic] = set()
    shipping: list[tuple[object, _Shipping]] = []
    # functions that share a CodeUri (or a layer) share its directory: each is read and judged once per part
    read: dict[Path, tuple[Shipped, list[Sign]]] = {}
    for fn in app.functions[start:stop]:
        dirs = _directories(fn, app)
        packages: list[Package] = []
        found_signs: list[Sign] = []
        files: list[str] = []
        lock = False
        for directory in dirs:
            if directory not in read:
                shipped, vendored = attempt(report_path(directory, app.root),
                                            partial(manifests.read_directory, directory, app.root), _nothing_shipped)
                own = directory / "package.json"
                read[directory] = shipped, [
                    *signs.typosquats(shipped.packages),
                    *signs.install_scripts(vendored, own if own.is_file() else None, app.root),
                    *signs.setup_scripts(directory, app.root), *signs.obfuscation(directory, app.root),
                    *signs.pinning(shipped)]
            shipped, its_signs = read[directory]
            for d in shipped.diagnostics:
                if d not in seen_diag:
                    seen_diag.add(d)
                    diagnostics.append(d)
            packages += shipped.packages
            files += shipped.manifests
            lock = lock or shipped.py_lock or shipped.npm_lock
            found_signs += its_signs
        shipping.append((fn.id, (packages, found_signs, files, lock, dirs)))
    return shipping, diagnostics


def analyze(app: Application, options: ScanOptions, code: CodeFacts,
            download_progress: DownloadProgress | None = None) -> DependencyFacts:
    """What each function ships and what is known against it. Never raises on bad input, nor when advisories
    cannot be had (``download_progress`` hears how a refresh of the advisory cache advances)."""
    from remit.deps import advisories, manifests, signs  # noqa: PLC0415 - the stage's parts load when it runs: keeps `import remit.deps.stage` light

    if not app.functions:
        return NO_DEPENDENCIES
    diagnostics: list[Diagnostic] = []
    per_function: dict[object, _Shipping] = {}
    seen_diag: set[Diagnostic] = set()

    def part(start: int, stop: int) -> tuple[list[tuple[object, _Shipping]], list[Diagnostic]]:
        return _read_part(app, start, stop, manifests, signs)

    # functions are read independently: with an idle core, the second half in a forked helper (remit.parallel)
    for shipping, problems in parallel.in_two(len(app.functions), part, enabled=options.parallel,
                                     min_count=SPLIT_MIN_FUNCTIONS):
        for d in problems:  # a directory both parts read says its problems once
            if d not in seen_diag:
                seen_diag.add(d)
                diagnostics.append(d)
        per_function.update(shipping)
    wanted: set[tuple[Ecosystem, str, str]] = {
        (p.ecosystem, p.name, p.version) for packages, *_ in per_function.values() for p in packages if p.version}
    if not any(packages for packages, *_ in per_function.values()):
        empty = {fn.id: FunctionDeps(fn.id, signs=tuple(per_function[fn.id][1])) for fn in app.functions}
        return DependencyFacts(empty, AdvisorySource(SourceKind.NONE), tuple(diagnostics))
    db, source = _open_source(options, diagnostics, wanted, download_progress)
    if db is not None and db.problems:
        diagnostics.append(Diagnostic("", Level.WARNING, "advisories-malformed",
                                      f"{len(db.problems)} advisory records skipped, first: {db.problems[0]}"))
    result = {}
    for fn in app.functions:
        packages, found_signs, files, lock, dirs = per_function[fn.id]
        found: list[Match] = []
        if db is not None:
            for p in packages:
                if not p.version:
                    continue
                for advisory, fix in advisories.matches(db, p.ecosystem, normalise(p.ecosystem, p.name), p.version):
                    found.append(Match(p, advisory, _reach(p, fn, code, dirs), fix))
        unread = sorted({p.ecosystem.value for p in packages} - {Ecosystem.PYPI.value, Ecosystem.NPM.value})
        if unread:
            diagnostics.append(Diagnostic(fn.resource.doc, Level.INFO, "code-not-analysed",
                                          f"{fn.display}: its {', '.join(unread)} dependencies are read and matched "
                                          "against advisories, but its code is not analysed (remit reads Python and "
                                          "JavaScript/TypeScript code): no taint, secrets or SDK-call findings, and "
                                          "whether it imports a vulnerable package is unknown",
                                          app.locate(fn.node).line))
        result[fn.id] = FunctionDeps(fn.id, tuple(packages), tuple(found), tuple(found_signs),
                                     tuple(dict.fromkeys(files)), lock)
    return DependencyFacts(result, source, tuple(diagnostics))
