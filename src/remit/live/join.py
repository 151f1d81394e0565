"""A snapshot scanned with the templates that deployed it: pairs, drift facts, findings at the template line.

A deployed resource that CloudFormation made carries the ``aws:cloudformation:logical-id`` tag; the converter
uses that tag as its logical id and marks it in ``Metadata`` (:data:`~remit.live.convert.DEPLOYED_KEY`). When
the scan also holds a template with exactly one resource of that logical id and type, the two are a
:class:`Pair`. Pairs give two things:

* :func:`relocate`: a finding on a paired deployed resource points at the template line (the ``aws://``
  address stays in its details); when the template's own resource already has that rule's finding there, the
  deployed one is dropped (one fact, one finding).
* :func:`drift`: what is deployed and differs from the template in a way that matters to security, as
  :class:`Drift` facts that a rule (RMT-DRIFT-001) reports: a function URL with ``AuthType NONE`` the template
  does not have, a managed policy attached to a role or user by hand, bucket-policy statements the template
  does not grant.

Resources that cannot carry tags (bucket policies, function URLs) are judged through the paired resource they
belong to (the bucket, the function).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from remit.findings import Finding
from remit.live.convert import DEPLOYED_KEY
from remit.model.application import Application
from remit.model.entities import DataStore, IamPrincipal
from remit.model.policy import Policy, PolicyKind, Statement
from remit.model.resources import Resource, ResourceId
from remit.model.values import render, text, texts

LIVE_KIND = "aws"


@dataclass(frozen=True)
class Pair:
    deployed: Resource
    template: Resource


@dataclass(frozen=True)
class Drift:
    """One security-relevant difference: ``template`` is where it is reported, ``deployed`` what differs."""

    kind: str  # function-url | managed-policy | bucket-policy
    template: Resource
    deployed: Resource
    message: str
    evidence: str


def _deployed_docs(app: Application) -> frozenset[str]:
    return frozenset(d.id for d in app.documents if d.kind == LIVE_KIND)


def _pairs(app: Application) -> Mapping[ResourceId, Pair]:
    live = _deployed_docs(app)
    if not live or len(live) == len(app.documents):
        return {}
    written: dict[tuple[str, str], list[Resource]] = {}
    for r in app.resources:
        if r.doc not in live:
            written.setdefault((r.logical_id, r.type), []).append(r)
    out: dict[ResourceId, Pair] = {}
    for r in app.resources:
        if r.doc in live and DEPLOYED_KEY in r.metadata:
            candidates = written.get((r.logical_id, r.type), [])
            if len(candidates) == 1:  # two templates with the id: which one deployed it is not known
                out[r.id] = Pair(r, candidates[0])
    return out


def pairs(app: Application) -> tuple[Pair, ...]:
    """Every deployed resource joined to the one template resource that made it."""
    return tuple(_pairs(app).values())


def relocate(app: Application, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings on paired deployed resources moved to the template line (or dropped when the template's
    resource already has the same rule's finding there)."""
    found = tuple(findings)
    paired = _pairs(app)
    by_address = {app.locate(p.deployed.node).path: p for p in paired.values()}
    for owned, owner in _owned(app):  # an untaggable function URL or bucket policy: at its owner's template line
        if owner in paired:
            by_address.setdefault(app.locate(owned.node).path, paired[owner])
    if not by_address:
        return found
    at_template = {(f.rule_id, f.location.path, f.location.line) for f in found}
    out = []
    for f in found:
        pair = by_address.get(f.location.path)
        if pair is None:
            out.append(f)
            continue
        where = app.locate(pair.template.node)
        if (f.rule_id, where.path, where.line) in at_template:
            continue
        out.append(dataclasses.replace(f, location=where, details=(*f.details, ("deployed", f.location.path))))
    return tuple(sorted(out, key=Finding.sort_key))


def _owned(app: Application) -> Iterable[tuple[Resource, ResourceId]]:
    for url in app.function_urls:
        if url.function_id is not None:
            yield url.resource, url.function_id
    for bucket in app.buckets:
        if bucket.policy is not None and bucket.policy.carrier is not None:
            carrier = app.resource(bucket.policy.carrier)
            if carrier is not None and carrier.id != bucket.id:
                yield carrier, bucket.id


# -- drift ----------------------------------------------------------------------------------------------


def drift(app: Application) -> tuple[Drift, ...]:
    """What is deployed and differs from its template in a way that matters to security."""
    paired = _pairs(app)
    if not paired:
        return ()
    return (*_urls(app, paired), *_managed(app, paired), *_bucket_policies(app, paired))


def _urls(app: Application, paired: Mapping[ResourceId, Pair]) -> Iterable[Drift]:
    open_in_template = {u.function_id for u in app.function_urls if "NONE" in texts(u.auth_type)}
    for url in app.function_urls:
        pair = paired.get(url.function_id) if url.function_id is not None else None
        if pair is None or url.resource.doc == pair.template.doc or "NONE" not in texts(url.auth_type):
            continue
        if pair.template.id not in open_in_template:
            qualifier = text(url.qualifier) if url.qualifier is not None else None
            name = f"{pair.template.display}{':' + qualifier if qualifier else ''}"
            yield Drift("function-url", pair.template, url.resource,
                        f"A function URL with AuthType NONE is deployed for {name}, which the template does not "
                        "declare: anyone on the internet can invoke it", f"url|{qualifier or ''}")


def _policy_key(policy: Policy) -> str:
    name = policy.arn or policy.name
    return name.rsplit("/", 1)[-1]


def _managed(app: Application, paired: Mapping[ResourceId, Pair]) -> Iterable[Drift]:
    principals: dict[ResourceId, IamPrincipal] = {p.id: p for p in (*app.roles, *app.users, *app.groups)}
    managed = (PolicyKind.AWS_MANAGED, PolicyKind.CUSTOMER_MANAGED)
    for pair in paired.values():
        deployed, written = principals.get(pair.deployed.id), principals.get(pair.template.id)
        if deployed is None or written is None:
            continue
        have = {_policy_key(p) for p in written.policies if p.kind in managed}
        for policy in deployed.policies:
            key = _policy_key(policy)
            if policy.kind in managed and key not in have:
                yield Drift("managed-policy", pair.template, pair.deployed,
                            f"The managed policy {key} is attached to the deployed {pair.template.display} but "
                            "not in the template (attached by hand?)", f"managed|{key}")


def _statement_key(s: Statement) -> str:
    principals = sorted(f"{p.kind}:{render(p.value)}" for p in s.principals)
    actions = sorted(render(a) for a in s.actions)
    return f"{s.effect}|{','.join(principals)}|{','.join(actions)}|{s.not_principal}|{s.not_action}"


def _bucket_policies(app: Application, paired: Mapping[ResourceId, Pair]) -> Iterable[Drift]:
    stores: dict[ResourceId, DataStore] = {b.id: b for b in app.buckets}
    for pair in paired.values():
        deployed, written = stores.get(pair.deployed.id), stores.get(pair.template.id)
        if deployed is None or written is None or deployed.policy is None:
            continue
        granted = {_statement_key(s) for s in written.policy.statements} if written.policy else set()
        for s in deployed.policy.statements:
            if not s.allows or _statement_key(s) in granted:
                continue
            who = ", ".join(sorted({"anyone" if p.is_anyone else render(p.value) for p in s.principals})) or "?"
            what = ", ".join(sorted(render(a) for a in s.actions)) or "?"
            yield Drift("bucket-policy", pair.template, pair.deployed,
                f"The deployed policy of bucket {pair.template.display} allows {what} to {who}, which the "
                "template does not grant (widened after deployment?)", f"bucket|{_statement_key(s)}")
