"""``scan()``: the one place the pipeline's stages are composed.

targets -> discover -> load -> model.build -> rules -> suppress/threshold -> :class:`ScanResult`; with a
baseline ref, the same scan of the paths as they were at that git revision first, to tell what is new.
Renderers (:mod:`remit.report`) read only the result.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing as mp
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from remit.deps.inventory import inventory
from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, Expanded, LoadResult
from remit.findings import Category
from remit.graph import GraphResult
from remit.guard import config_note, confined_scan, helper_signals, per_file, scrubbed, tree_config
from remit.live.facts import NO_LIVE
from remit.loaders import translation_cache
from remit.loaders.discover import Discovery, InputFile, discover
from remit.loaders.formats import Loader, loader_for
from remit.loaders.sam import Translated, expand, finish, translate, translate_natively
from remit.model.application import Application
from remit.options import ScanOptions
from remit.parallel import beside, spare_core
from remit.progress import ProgressCallback, ProgressEvent, Stage
from remit.repository import source_prefix
from remit.result import ScannedDocument, ScanResult
from remit.suppress import RefBaseline, audited, load_baseline

if TYPE_CHECKING:
    from remit.analysis import Analysis
    from remit.engine import Checked
    from remit.findings import Finding
    from remit.iam.blast import BlastRadius
    from remit.iam.trusts import AccountTrust
    from remit.rules.base import Rule
    from remit.suppress import Baseline

__all__ = ["ScanResult", "ScannedDocument", "analyze", "load_documents", "scan"]


SIDE_TRANSLATION_MIN_FILES = 4  # for fewer files the second process costs more than it saves
# for fewer resources the attack graph takes less time than forking a helper for it
BESIDE_MIN_RESOURCES = 200
# the rules checked after the attack graph, in its process: they read the escalation methods it computes
BESIDE_GRAPH = frozenset({Category.PRIVILEGE_ESCALATION})
SIDE_WORKERS = 1  # one helper: on two cores a second one competes with the scan itself



class SideTranslator:
    """SAM translation in one forked process beside the scan.

    Importing aws-sam-translator (boto3, pydantic schema models) costs about a second and each translation a
    few milliseconds; both overlap with what this process does meanwhile — reading the other templates,
    building the model, running rules — instead of adding to it. Results come back as plain data and are
    finished here (origins need the author's document). Where processes cannot be forked, or the helper
    process fails, the translation is simply done in this process.
    """

    def __init__(self, root: Path, enabled: bool, cache: Path | None = None) -> None:
        self.root = root
        self.cache = cache
        self.enabled = enabled and "fork" in mp.get_all_start_methods()
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[str, Future[Translated]] = {}
        self.native: dict[str, Translated] = {}

    def submit(self, doc: Document) -> None:
        if not self.enabled:
            return
        native = translate_natively(doc, self.root)
        if native is not None:
            self.native[doc.id] = native  # expanded by remit itself: no helper process needed for it
            return
        try:
            if self.pool is None:
                self.pool = ProcessPoolExecutor(max_workers=SIDE_WORKERS, mp_context=mp.get_context("fork"),
                                                initializer=helper_signals)
            self.pending[doc.id] = self.pool.submit(translate, doc, self.root, self.cache)
        except (OSError, RuntimeError, BrokenProcessPool):
            self.enabled = False  # no processes here (sandbox, limits): translate in this process

    def expand(self, doc: Document) -> Expanded:
        native = self.native.pop(doc.id, None)
        if native is not None:
            return finish(doc, native)
        future = self.pending.pop(doc.id, None)
        if future is not None:
            try:
                return finish(doc, future.result())
            except (BrokenProcessPool, OSError, EOFError, pickle.PickleError):
                self.enabled = False
        return expand(doc, self.root, self.cache)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _failed(diagnostic: Diagnostic) -> LoadResult:
    return LoadResult(None, (diagnostic,))


def translation_cache_dir(options: ScanOptions) -> Path | None:
    """Where SAM translations are kept across scans (``options.cache``, ``REMIT_NO_CACHE``, ``cache_dir``)."""
    from remit.deps.cache import cache_dir  # one cache directory for everything remit keeps

    return translation_cache.directory(cache_dir(options.cache_dir), options.cache)


def _report(progress: ProgressCallback | None, stage: Stage, done: int = 0, total: int | None = None,
            unit: str = "") -> None:
    if progress is not None:
        progress(ProgressEvent(stage, done, total, unit))


def read_documents(found: Discovery, side: SideTranslator | None = None,
                   progress: ProgressCallback | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """Load every discovered file through its loader (:mod:`remit.loaders.formats`); SAM documents go to the
    side translator as soon as they are read."""
    diagnostics = list(found.diagnostics)
    documents: list[Document] = []
    later: list[LoadResult] = []  # documents of the formats listed after the per-file ones
    wholes: dict[str, tuple[Loader, list[InputFile]]] = {}  # formats read in one call: their files
    total = len(found.files)
    _report(progress, Stage.READ, 0, total, "files")
    done = 0
    for file in found.files:
        loader = loader_for(file)
        if loader.whole:
            wholes.setdefault(loader.name, (loader, []))[1].append(file)
            continue  # counted when the whole is read, below
        results = per_file(file, _reading(loader, found.root), lambda d: [_failed(d)])
        if loader.after:
            later.extend(results)
        else:
            for loaded in results:
                diagnostics.extend(loaded.diagnostics)
                doc = loaded.document
                if doc is not None:
                    documents.append(doc)
                    if side is not None and doc.kind is DocKind.SAM:
                        side.submit(doc)
        done += 1
        _report(progress, Stage.READ, done, total, "files")
    for loader, files in wholes.values():
        later.extend(per_file(files[0], _reading(loader, found.root, files), lambda d: [_failed(d)]))
    for loaded in later:
        diagnostics.extend(loaded.diagnostics)
        if loaded.document is not None:
            documents.append(loaded.document)
    if wholes:
        _report(progress, Stage.READ, total, total, "files")
    return _without_parts(documents, diagnostics)


def _reading(loader: Loader, root: Path, whole: Sequence[InputFile] = ()) \
        -> Callable[[InputFile], list[LoadResult]]:
    """What :func:`remit.guard.per_file` runs: the loader on one file, or on the ``whole`` it reads at once."""
    return lambda file: list(loader.load(whole or [file], root))


def _without_parts(documents: list[Document], diagnostics: list[Diagnostic]) \
        -> tuple[list[Document], list[Diagnostic]]:
    """Files another document read as its parts are not documents of their own (nor is what reading them on
    their own said about them)."""
    parts = {part for doc in documents for part in doc.includes} - {doc.id for doc in documents if doc.includes}
    if not parts:
        return documents, diagnostics
    return ([doc for doc in documents if doc.id not in parts],
            [d for d in diagnostics if not (d.path in parts and d.code in _ALONE_CODES)])


_ALONE_CODES = frozenset({"not-a-template", "sam-transform-missing"})  # true of a part read alone, not of the whole


def load_documents(targets: Sequence[Path], options: ScanOptions, progress: ProgressCallback | None = None) \
        -> tuple[Path, list[Document], list[Diagnostic]]:
    _report(progress, Stage.DISCOVER)
    found = discover(targets, exclude=options.exclude)
    documents, diagnostics = read_documents(found, progress=progress)
    return found.root, documents, diagnostics


class _CountingExpander:
    """Reports each SAM translation as model building reaches it (the translations themselves may already be
    running beside the scan)."""

    def __init__(self, documents: Sequence[Document], expand_one: Callable[[Document], Expanded],
                 progress: ProgressCallback | None) -> None:
        self.total = sum(1 for d in documents if d.kind is DocKind.SAM)
        self.done = 0
        self.expand_one = expand_one
        self.progress = progress

    def __call__(self, doc: Document) -> Expanded:
        _report(self.progress, Stage.TRANSLATE, self.done, self.total, "templates")
        expanded = self.expand_one(doc)
        self.done += 1
        _report(self.progress, Stage.TRANSLATE, self.done, self.total, "templates")
        return expanded


def build_model(documents: Sequence[Document], root: Path, expand_one: Callable[[Document], Expanded],
                progress: ProgressCallback | None, *, one_account: bool = False) \
        -> tuple[Application, tuple[Diagnostic, ...]]:
    from remit.model.build import build  # keeps `remit --version` fast

    _report(progress, Stage.MODEL, 0, len(documents), "templates")
    return build(documents, root, _CountingExpander(documents, expand_one, progress), one_account=one_account)


def analyze_later_stages(app: Application, options: ScanOptions, diagnostics: list[Diagnostic],
                         progress: ProgressCallback | None = None) -> Analysis:
    """The code, dependency, IAM and usage stages: the :class:`~remit.analysis.Analysis` rules, the attack graph
    and reports read."""
    from remit import code as code_stage  # parsers load only when a scan needs them
    from remit.analysis import analysis  # the IAM engine and SDK catalog load with it
    from remit.deps import stage as deps_stage

    _report(progress, Stage.CODE, 0, len(app.functions), "functions")
    code = code_stage.analyze(app, options)
    _report(progress, Stage.DEPS, 0, len(app.functions), "functions")
    deps = deps_stage.analyze(app, options, code, _download_progress(progress))
    diagnostics.extend(code.diagnostics)
    diagnostics.extend(deps.diagnostics)
    live = NO_LIVE
    if any(d.kind == "aws" for d in app.documents):
        from remit.live import join  # only when a snapshot is scanned

        live = join.analyze(app)  # a snapshot placed at its templates, drift
    return analysis(app, code, deps, live)


# A scan builds a large, long-lived heap (templates, model, parsed code) while allocating many short-lived
# objects; with Python's default first-generation threshold (700) the collector walked that heap so often that
# it took a fifth of a 1,000-function scan. Each middle-generation collection walks every object that survived
# the young one since the last (up to 20 x 20,000): at 20 they were 0.23 s of that scan, at 100 none comes
# before its end (0.01 s), and peak memory stays the same. Nothing a scan makes depends on prompt collection of
# cycles.
GC_THRESHOLD = (20_000, 100, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's collector at :data:`GC_THRESHOLD` while the block runs (a scan; rendering its report)."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _download_progress(progress: ProgressCallback | None) -> Callable[[str, int, int | None], None] | None:
    """The advisory download's progress (ecosystem, bytes, total) as progress events in kilobytes."""
    if progress is None:
        return None

    def report(ecosystem: str, done: int, total: int | None) -> None:
        progress(ProgressEvent(Stage.DOWNLOAD, done >> 10, None if total is None else total >> 10,
                               f"kB ({ecosystem})"))

    return report


def scan(targets: Sequence[Path], options: ScanOptions | None = None, *,
         progress: ProgressCallback | None = None) -> ScanResult:
    """Scan files and directories, reading nothing outside the scanned root but what ``options`` names
    (:mod:`remit.safeio`). Raises ValueError for an unknown rule selector or a ``source_root`` that does
    not hold the scanned root, :class:`remit.suppress.BaselineError` for an unreadable baseline and
    :class:`remit.gitref.GitRefError` when ``options.baseline_ref`` cannot be compared with; bad *input* never
    raises.

    ``progress`` is called with a :class:`~remit.progress.ProgressEvent` as each stage starts and advances,
    in this process, between the stage's own work (an exception it raises ends the scan)."""
    from remit.iam.conditions import clock  # keeps `remit --version` fast

    options = options or ScanOptions()
    with confined_scan(targets, options), fewer_collections(), \
            clock(options.now.timestamp() if options.now is not None else None):
        return _scan(targets, options, progress)


def _scan(targets: Sequence[Path], options: ScanOptions, progress: ProgressCallback | None) -> ScanResult:
    from remit.engine import all_rules, select_rules, suppress_paths  # keeps `remit --version` fast

    at_ref = None if options.baseline_ref is None else baseline_at_ref(targets, options.baseline_ref, options)
    rules = select_rules(all_rules(), options.select, options.ignore)
    baseline = load_baseline(options.baseline) if options.baseline else None
    _report(progress, Stage.DISCOVER)
    found = discover(targets, exclude=options.exclude)
    root = found.root
    prefix = source_prefix(root, options.source_root)
    parallel = options.parallel and len(found.files) >= SIDE_TRANSLATION_MIN_FILES and spare_core()
    side = SideTranslator(root, parallel, translation_cache_dir(options))
    try:
        documents, diagnostics = read_documents(found, side, progress)
        scanned = tuple(ScannedDocument(d.id, d.kind.value) for d in documents)
        if not documents:
            return ScanResult(root, (), (), tuple(diagnostics), rules, options.fail_on, source_prefix=prefix,
                              tree_config=tree_config(options, root))
        app, model_diags = build_model(documents, root, side.expand, progress, one_account=options.one_account)
    finally:
        side.close()
    diagnostics.extend(model_diags)
    an = analyze_later_stages(app, options, diagnostics, progress)
    _report(progress, Stage.RULES, 0, len(rules), "rules")

    (findings, rule_diags), (graph, blast, trusts, side_diags) = _rules_and_graph(an, rules, options, baseline,
                                                                                 progress)
    diagnostics.extend(rule_diags)
    if any(d.kind == "aws" for d in app.documents):
        from remit.live.join import relocate
        findings = relocate(app, an.live, findings)  # a deployed resource's findings at the line of its template
    if options.audit:
        findings = audited(findings)
    _report(progress, Stage.GRAPH)
    diagnostics.extend(side_diags)
    paths = graph.paths
    if an.live.placements:
        from remit.live.join import relocate_paths
        paths = relocate_paths(app, an.live, paths)  # steps on deployed resources at the line of their template
    if not options.audit:  # audit mode reports every path, accepted or not
        paths, path_diags = suppress_paths(app, paths, baseline)
        diagnostics.extend(path_diags)
    if at_ref is not None:
        findings, paths, note = at_ref.apply(findings, paths, audit=options.audit)
        diagnostics.append(note)
    diagnostics.extend(config_note(options, root))
    ordered = tuple(sorted(set(scrubbed(diagnostics, root)), key=lambda d: (d.path, d.line or 0,
                                                                            d.level != Level.ERROR, d.code, d.message)))
    return ScanResult(root, scanned, findings, ordered, rules, options.fail_on, attack_paths=paths,
                      analysis=an, graph=graph, source_prefix=prefix, tree_config=tree_config(options, root),
                      blast=blast, trusts=trusts,
                      inventory=inventory(an.deps, (fn.id for fn in app.functions), findings))


def baseline_at_ref(targets: Sequence[Path], ref: str, options: ScanOptions) -> RefBaseline:
    """Scan the same paths as they are at the git revision ``ref``, with the same options, and keep what
    identifies its findings and attack paths. Nothing else of that scan (diagnostics included) is reported.
    Raises :class:`remit.gitref.GitRefError` when the comparison cannot be made."""
    from remit.gitref import ref_tree  # only pull-request scans need it

    inner = dataclasses.replace(options, baseline_ref=None)
    with ref_tree(targets, ref) as tree:
        before = scan(list(tree.targets), inner)
    return RefBaseline(tree.ref, tree.commit, frozenset(f.fingerprint for f in before.findings),
                       frozenset(p.id for p in before.attack_paths))


_T = TypeVar("_T")


def _guarded(compute: Callable[[], _T], fallback: _T, diagnostics: list[Diagnostic], code: str, what: str, *,
                strict: bool) -> _T:
    """``compute()``, or ``fallback`` and an error diagnostic ``code`` saying ``what`` failed: the scan keeps its
    findings (``strict`` re-raises: tests)."""
    try:
        return compute()
    except Exception as exc:
        if strict:
            raise
        diagnostics.append(Diagnostic("", Level.ERROR, code, f"{what}: {type(exc).__name__}: {exc}"))
        return fallback


def _rules_and_graph(an: Analysis, rules: Sequence[Rule], options: ScanOptions, baseline: Baseline | None,
                     progress: ProgressCallback | None) \
        -> tuple[tuple[tuple[Finding, ...], tuple[Diagnostic, ...]], _GraphSide]:
    """The rules' findings, and the attack graph, blast radii and trusted accounts.

    The graph reads the stages' facts, never the findings: on a large app with an idle core a forked helper
    builds it while this process runs the rules, then takes rules from the other end of the list until the two
    meet (:class:`~remit.parallel.TwoEnds`), so the work balances whatever the app's shape. The rules that read
    what the graph computes (:data:`BESIDE_GRAPH`: escalation methods) sit at that end, where the helper finds
    its facts warm. Findings are merged in the rules' order (:func:`remit.engine.merge`): the same whichever
    process checked a rule. A rule a failed helper had taken is checked here."""
    from remit.engine import check, merge
    from remit.parallel import ends_of

    order = (*(r for r in rules if r.category not in BESIDE_GRAPH), *(r for r in rules if r.category in BESIDE_GRAPH))
    enabled = options.parallel and len(an.app.resources) >= BESIDE_MIN_RESOURCES
    ends = ends_of(len(order), shared=enabled)
    enabled = enabled and ends.shared

    def taken(take: Callable[[], int | None]) -> Iterator[Rule]:
        while (index := take()) is not None:
            yield order[index]

    def checked_here() -> Checked:
        return check(an, taken(ends.front), severity_overrides=options.severity_overrides, strict=options.strict,
                     on_rule=None if progress is None else
                     lambda done: _report(progress, Stage.RULES, done, len(rules), "rules"))

    def graph_side() -> tuple[_GraphSide, Checked]:
        return (_paths_and_radii(an, strict=options.strict),
                check(an, taken(ends.back), severity_overrides=options.severity_overrides, strict=options.strict))

    here, (graph_side_result, there) = beside(checked_here, graph_side, enabled=enabled)
    parts = [here, there]
    done = {rule_id for part in parts for rule_id, _, _ in part.by_rule}
    if len(done) < len(rules):  # the helper failed after taking rules: they are checked here
        parts.append(check(an, [r for r in rules if r.id not in done], severity_overrides=options.severity_overrides,
                           strict=options.strict))
    for count in range(len(here.by_rule) + 1, len(rules) + 1):  # the rules done elsewhere, once their part is back
        _report(progress, Stage.RULES, count, len(rules), "rules")
    return merge(rules, parts, baseline), graph_side_result


_GraphSide = tuple[GraphResult, tuple["BlastRadius", ...], tuple["AccountTrust", ...], list[Diagnostic]]


def _paths_and_radii(an: Analysis, *, strict: bool) -> _GraphSide:
    """The attack graph, the blast radii and the accounts trusted, with the diagnostics of any that failed."""
    found: list[Diagnostic] = []
    return (attack_graph(an, found, strict=strict), blast_radii(an, found, strict=strict),
            account_trusts(an, found, strict=strict), found)


def attack_graph(an: Analysis, diagnostics: list[Diagnostic], *,
                 strict: bool = False) -> GraphResult:
    """The attack graph and its ranked paths, from the stages' facts (never the findings). A failure becomes a
    diagnostic and the scan keeps its findings (``strict`` re-raises: tests)."""
    from remit import graph as graph_stage
    return _guarded(lambda: graph_stage.analyze(an), graph_stage.EMPTY_RESULT, diagnostics, "graph-error",
                    "the attack graph could not be built", strict=strict)


def blast_radii(an: Analysis, diagnostics: list[Diagnostic], *, strict: bool = False) \
        -> tuple[BlastRadius, ...]:
    """Each function's blast radius, for the reports. A failure becomes a diagnostic and the reports leave the
    section out (``strict`` re-raises: tests)."""
    from remit.iam import blast
    return _guarded(lambda: blast.blast_radii(an.iam), (), diagnostics, "blast-error",
                    "the blast radius could not be computed", strict=strict)


def account_trusts(an: Analysis, diagnostics: list[Diagnostic], *, strict: bool = False) \
        -> tuple[AccountTrust, ...]:
    """The accounts roles' trust policies name, for the reports. A failure becomes a diagnostic and the reports
    list none (``strict`` re-raises: tests)."""
    from remit.iam import trusts
    return _guarded(lambda: trusts.account_trusts(an.iam), (), diagnostics, "trust-error",
                    "the roles' cross-account trust could not be listed", strict=strict)


def analyze(targets: Sequence[Path], options: ScanOptions | None = None, *,
            progress: ProgressCallback | None = None) -> tuple[Analysis | None, tuple[Diagnostic, ...]]:
    """The model with the facts of every stage, without running rules (``remit policy``). None when nothing
    under ``targets`` is a template. ``progress`` as for :func:`scan`, up to the dependency stage."""
    options = options or ScanOptions()
    with confined_scan(targets, options):
        return _analyze(targets, options, progress)


def _analyze(targets: Sequence[Path], options: ScanOptions, progress: ProgressCallback | None) \
        -> tuple[Analysis | None, tuple[Diagnostic, ...]]:
    root, documents, diagnostics = load_documents(targets, options, progress)
    if not documents:
        return None, tuple(diagnostics)
    cache = translation_cache_dir(options)
    app, model_diags = build_model(documents, root, lambda doc: expand(doc, root, cache), progress,
                                   one_account=options.one_account)
    diagnostics.extend(model_diags)
    return analyze_later_stages(app, options, diagnostics, progress), tuple(diagnostics)
