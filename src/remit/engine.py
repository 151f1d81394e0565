"""Finding the rules, choosing which run, running them, and turning their hits into findings."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from remit.diagnostics import Diagnostic, Level
from remit.errors import RuleCatalogError, UsageProblem
from remit.findings import AttackPath, Finding, Severity, Suppression, SuppressionKind, construct_of, fingerprint
from remit.model import entities as e
from remit.model.application import Application
from remit.model.resources import Resource
from remit.model.stores import STORES
from remit.rules.base import Hit, Rule
from remit.source import NodePath
from remit.suppress import Baseline, IgnoreEntry, read_ignores

if TYPE_CHECKING:
    from remit.analysis import Analysis


# what each scope type iterates over
SCOPES: Mapping[type, Callable[[Application], Iterable[Any]]] = {
    e.Function: lambda a: a.functions,
    e.FunctionUrl: lambda a: a.function_urls,
    e.LambdaPermission: lambda a: a.permissions,
    e.LayerVersion: lambda a: a.layers,
    e.Api: lambda a: a.apis,
    e.Role: lambda a: a.roles,
    e.User: lambda a: a.users,
    e.Group: lambda a: a.groups,
    **{spec.kind: attrgetter(spec.collection) for spec in STORES},  # the store table's
    e.LogGroup: lambda a: a.log_groups,
    e.UserPool: lambda a: a.user_pools,
    e.IdentityPool: lambda a: a.identity_pools,
    e.DataStore: lambda a: a.stores,
}


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule in :mod:`remit.rules`, sorted by id."""
    import remit.rules as package  # noqa: PLC0415 - the catalog is loaded when a scan needs it

    found: dict[str, Rule] = {}
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf.startswith("_") or leaf == "base" or info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Rule) and value.module == module.__name__:
                if value.id in found:
                    raise RuleCatalogError(f"rule id {value.id} is declared twice ({found[value.id].module}, "
                                           f"{value.module})")
                if value.scope is not None and value.scope not in SCOPES:
                    raise RuleCatalogError(f"rule {value.id} has a scope the engine cannot iterate: {value.scope}")
                found[value.id] = value
    return tuple(sorted(found.values(), key=lambda r: r.id))


def _token_matches(token: str, rule: Rule) -> bool:
    t = token.strip().upper()
    return t in (rule.id, rule.family, f"RMT-{rule.family}", f"RMT-{rule.family}-*", "ALL", "*") or \
        t == rule.category.value.upper() or t == rule.responsibility.value.upper()


def select_rules(rules: Sequence[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()) -> tuple[Rule, ...]:
    """Rules chosen by ids, families (``LAMBDA``), categories (``secrets``) or responsibilities (``iam``).

    Raises ValueError for a token that matches no rule (a typo should not silently disable checks).
    """
    for token in (*select, *ignore):
        if not any(_token_matches(token, r) for r in rules):
            raise UsageProblem(f"{token!r} matches no rule id, family, category or responsibility")
    chosen = [r for r in rules if not select or any(_token_matches(t, r) for t in select)]
    return tuple(r for r in chosen if not any(_token_matches(t, r) for t in ignore))


class _Suppressions:
    """Ignore entries per resource and per document, read once, with their diagnostics."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.diagnostics: list[Diagnostic] = []
        self._resource: dict[tuple[str, str], tuple[IgnoreEntry, ...]] = {}
        self._template: dict[str, tuple[IgnoreEntry, ...]] = {}
        self._docs = {d.id: d for d in app.documents}

    def _line(self, doc: str) -> Callable[[tuple[str | int, ...]], int]:
        return lambda path: self.app.position(NodePath(doc, path)).line

    def for_resource(self, resource: Resource) -> tuple[IgnoreEntry, ...]:
        key = (resource.doc, resource.origin.logical_id)
        if key not in self._resource:
            self._resource[key] = read_ignores(resource.metadata, ("Resources", resource.origin.logical_id,
                                                                   "Metadata"), resource.doc, self.diagnostics,
                                               self._line(resource.doc))
        return self._resource[key]

    def for_template(self, doc: str) -> tuple[IgnoreEntry, ...]:
        if doc not in self._template:
            info = self._docs.get(doc)
            self._template[doc] = read_ignores(info.metadata if info else None, ("Metadata",), doc,
                                               self.diagnostics, self._line(doc))
        return self._template[doc]

    def find(self, rule_id: str, resource: Resource) -> Suppression | None:
        for entry in self.for_resource(resource):
            if entry.matches(rule_id):
                return Suppression(SuppressionKind.RESOURCE, entry.reason,
                                   self.app.locate(NodePath(resource.doc, entry.path)))
        for entry in self.for_template(resource.doc):
            if entry.matches(rule_id) and (not entry.resources or resource.origin.logical_id in entry.resources
                                           or resource.logical_id in entry.resources):
                return Suppression(SuppressionKind.TEMPLATE, entry.reason,
                                   self.app.locate(NodePath(resource.doc, entry.path)))
        return None


def suppress_paths(app: Application, paths: Sequence[AttackPath], baseline: Baseline | None) \
        -> tuple[tuple[AttackPath, ...], tuple[Diagnostic, ...]]:
    """Attack paths an author accepted: a template-level ``ignore`` entry whose id is the path's id (any scanned
    template), else the baseline's ``attack_paths``."""
    suppressions = _Suppressions(app)
    by_id: dict[str, Suppression] = {}
    for info in app.documents:
        for entry in suppressions.for_template(info.id):
            key = entry.pattern.strip().upper()
            if key.startswith("AP-") and key not in by_id:
                by_id[key] = Suppression(SuppressionKind.TEMPLATE, entry.reason,
                                         app.locate(NodePath(info.id, entry.path)))
    out = []
    for path in paths:
        found = by_id.get(path.id.upper()) or (baseline.path_suppression(path) if baseline is not None else None)
        out.append(dataclasses.replace(path, suppression=found) if found is not None else path)
    return tuple(out), tuple(suppressions.diagnostics)


@dataclasses.dataclass(frozen=True)
class Checked:
    """What some rules found, each rule's findings apart (a rule id, its findings, then those it merged for a
    shared fact), with the diagnostics of the run: plain data, so a helper process can send it back."""

    by_rule: tuple[tuple[str, tuple[Finding, ...], tuple[Finding, ...]], ...]
    diagnostics: tuple[Diagnostic, ...]


def run(
    an: Analysis,
    rules: Sequence[Rule],
    *,
    severity_overrides: Mapping[str, Severity] | None = None,
    baseline: Baseline | None = None,
    strict: bool = False,
    on_rule: Callable[[int], None] | None = None,
) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...]]:
    """Run ``rules`` over the analysed application: each rule's check on each entity of its scope (the whole
    analysis for scope None), then what the rule says it could not judge (``Rule.notes``). A rule that raises
    becomes a diagnostic (``strict`` re-raises: tests). ``on_rule`` is told how many rules have run after each
    one (progress)."""
    return merge(rules, [check(an, rules, severity_overrides=severity_overrides, strict=strict, on_rule=on_rule)],
                 baseline)


def check(
    an: Analysis,
    rules: Iterable[Rule],
    *,
    severity_overrides: Mapping[str, Severity] | None = None,
    strict: bool = False,
    on_rule: Callable[[int], None] | None = None,
) -> Checked:
    """The first half of :func:`run`: each rule's findings. Rules are independent, so a scan may check some of
    them in another process, taking them one by one from ``rules`` (an iterator) as it goes; :func:`merge`
    joins the parts as if one process had checked them all."""
    app = an.app
    overrides = severity_overrides or {}
    suppressions = _Suppressions(app)
    by_rule: list[tuple[str, tuple[Finding, ...], tuple[Finding, ...]]] = []
    diags: list[Diagnostic] = []
    for done, rule in enumerate(rules, 1):
        findings: dict[str, Finding] = {}
        shared: dict[tuple[str, Severity, bool], list[tuple[Finding, Hit]]] = {}
        subjects: Iterable[Any] = (an,) if rule.scope is None else SCOPES[rule.scope](app)
        for subject in subjects:
            try:
                hits = list(rule.check(subject, an))
            except Exception as exc:
                if strict:
                    raise
                where = getattr(subject, "display", "the application")
                diags.append(Diagnostic("", Level.ERROR, "rule-error",
                                        f"rule {rule.id} failed on {where}: {type(exc).__name__}: {exc}"))
                continue
            for hit in hits:
                finding = _finding(app, rule, hit, overrides, suppressions)
                if hit.shared:
                    shared.setdefault((hit.shared, finding.severity, finding.suppressed), []).append((finding, hit))
                else:
                    findings.setdefault(finding.fingerprint, finding)
        merged = tuple(_one_per_fact(rule.id, key, group) for (key, _, _), group in shared.items())
        by_rule.append((rule.id, tuple(findings.values()), merged))
        if rule.notes is not None:
            try:
                diags.extend(rule.notes(an))
            except Exception as exc:
                if strict:
                    raise
                diags.append(Diagnostic("", Level.ERROR, "rule-error",
                                        f"rule {rule.id} failed to say what it left out: {type(exc).__name__}: {exc}"))
        if on_rule is not None:
            on_rule(done)
    return Checked(tuple(by_rule), (*suppressions.diagnostics, *diags))


def merge(rules: Sequence[Rule], parts: Sequence[Checked], baseline: Baseline | None = None) \
        -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...]]:
    """The second half of :func:`run`: the parts' findings in the order of ``rules`` (each rule's own, then
    those merged for shared facts), one per Terraform module line, the baseline applied, sorted."""
    found = {rule_id: (plain, merged) for part in parts for rule_id, plain, merged in part.by_rule}
    findings: dict[str, Finding] = {}
    for index in (0, 1):
        for rule in rules:
            for finding in found.get(rule.id, ((), ()))[index]:
                findings.setdefault(finding.fingerprint, finding)
    final = _one_per_module_line(findings.values())
    if baseline is not None:  # after merging: a baseline holds the fingerprints the reports show
        final = [f if f.suppression is not None or (s := baseline.suppression(f)) is None
                 else dataclasses.replace(f, suppression=s) for f in final]
    ordered = tuple(sorted(final, key=Finding.sort_key))
    return ordered, tuple(d for part in parts for d in part.diagnostics)


# a Terraform module instance's or count / for_each instance's part of an address: module.api., module.x["a"].,
# [0], ["blue"]
_INSTANCE = re.compile(r'module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.|\[[^\]]*\](?=\.|$)')


def _one_per_module_line(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per line of a Terraform module (or a resource with ``count`` / ``for_each``) however many
    instances it has: the first instance's finding, listing them all, fingerprinted without the instance (a
    new instance leaves it as it was)."""
    out: list[Finding] = []
    groups: dict[tuple[str, str, int, Severity, bool, str], list[Finding]] = {}
    for f in findings:
        generic = _INSTANCE.sub("", f.resource)
        if generic == f.resource:
            out.append(f)
            continue
        key = (f.rule_id, f.location.path, f.location.line, f.severity, f.suppressed, generic)
        groups.setdefault(key, []).append(f)
    for (rule_id, path, _, _, _, generic), group in groups.items():
        group.sort(key=lambda f: f.resource)
        first = group[0]
        fp = fingerprint(rule_id, path, generic, "instances")
        if len(group) == 1:
            out.append(dataclasses.replace(first, fingerprint=fp))
            continue
        said = first.message if first.message.endswith(".") else first.message + "."
        names = [f.resource for f in group]
        out.append(dataclasses.replace(
            first, fingerprint=fp, message=f"{said} Affects {len(names)} instances: {', '.join(names)}.",
            details=(*first.details, ("instances", ",".join(names)))))
    return out


_FUNCTION_TYPES = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function"})


def _one_per_fact(rule_id: str, key: str, group: list[tuple[Finding, Hit]]) -> Finding:
    """One finding for a fact several resources share: the first resource's finding, naming every resource it
    affects, with a fingerprint of the fact alone (it stays when the list of resources changes)."""
    group = sorted(group, key=lambda fh: fh[0].resource)
    first, hit = group[0]
    names = list(dict.fromkeys(f.resource for f, _ in group))
    functions = all(h.resource.type in _FUNCTION_TYPES for _, h in group)
    said = first.message if first.message.endswith(".") else first.message + "."
    if len(names) == 1:
        message = f"{said} Affects {'function' if functions else 'resource'} {hit.resource.display}."
    else:
        message = f"{said} Affects {len(names)} {'functions' if functions else 'resources'}: {', '.join(names)}."
    return dataclasses.replace(first, message=message, fingerprint=fingerprint(rule_id, "", key, ""),
                               details=(*first.details, ("affects", ",".join(names))))


def _finding(app: Application, rule: Rule, hit: Hit, overrides: Mapping[str, Severity],
             suppressions: _Suppressions) -> Finding:
    severity = overrides.get(rule.id) or hit.severity or rule.severity
    resource = hit.resource
    fp = fingerprint(rule.id, resource.doc, resource.origin.logical_id,
                     f"{resource.logical_id}|{hit.evidence}")
    draft = Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity,
        category=rule.category,
        responsibility=rule.responsibility,
        resource=resource.origin.logical_id,
        location=hit.at if hit.at is not None else app.locate(hit.node),
        message=hit.message,
        remediation=hit.remediation or rule.remediation,
        references=rule.references,
        fingerprint=fp,
        related=tuple(sorted({app.locate(n) for n in hit.related})),  # a set: the order of routes is no fact
        flow=hit.flow,
        details=hit.details,
        construct=construct_of(resource.metadata),
    )
    suppression = suppressions.find(rule.id, resource)
    if suppression is None:
        return draft
    return dataclasses.replace(draft, suppression=suppression)
