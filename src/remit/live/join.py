"""A snapshot scanned with the templates that deployed it: placements, drift facts, findings and paths at the
template line.

A deployed resource that CloudFormation made carries the ``aws:cloudformation:logical-id`` tag; the converter
uses that tag as its logical id and marks it in ``Metadata`` (:data:`~remit.live.convert.DEPLOYED_KEY`). When
the scan also holds a template with exactly one resource of that logical id and type, the deployed resource is
*placed* there exactly. A resource that cannot carry the tag (a function URL, a bucket or queue policy, an API
method) is placed through the tagged resource it belongs to: at the one template resource of its type that
belongs to the same template resource, else at that owner. :func:`analyze` computes these placements and the
drift once per scan, as :class:`~remit.live.facts.LiveFacts` kept in the analysis (``Analysis.live``):

* :func:`relocate`: a finding on a placed deployed resource points at the template line and names the
  template's resource (the ``aws://`` address and the ARN stay in its details); when the template's resource
  already has that rule's finding, the deployed one is dropped (one fact, one finding).
* :func:`relocate_paths`: attack-path steps on placed resources carry the template location, with the ARN in
  the step's ``deployed`` field; a path that only repeats a template path is dropped.
* drift: what is deployed and differs from the template in a way that matters to security, as
  :class:`~remit.live.facts.Drift` facts RMT-DRIFT-001 reports. Only differences that widen access count.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from remit import runtimes
from remit.findings import AttackPath, Finding
from remit.live.convert import ARN_KEY, DEPLOYED_KEY
from remit.live.facts import Drift, LiveFacts, Placement
from remit.model.application import Application
from remit.model.entities import Api, DataStore, Function, IamPrincipal, Role
from remit.model.policy import Policy, PolicyKind, Principal, Statement
from remit.model.resources import Resource, ResourceId
from remit.model.values import Concat, Symbol, SymbolKind, Value, render, text, texts
from remit.source import SourceLocation

LIVE_KIND = "aws"

# what an untaggable resource belongs to: its type -> the property that names its owner
OWNER_PROPERTY: Mapping[str, str] = {
    "AWS::Lambda::Url": "TargetFunctionArn", "AWS::Lambda::Permission": "FunctionName",
    "AWS::Lambda::EventInvokeConfig": "FunctionName", "AWS::Lambda::Alias": "FunctionName",
    "AWS::Lambda::EventSourceMapping": "FunctionName",
    "AWS::S3::BucketPolicy": "Bucket", "AWS::SQS::QueuePolicy": "Queues", "AWS::SNS::TopicPolicy": "Topics",
    "AWS::SNS::Subscription": "TopicArn", "AWS::SecretsManager::ResourcePolicy": "SecretId",
    "AWS::SecretsManager::RotationSchedule": "SecretId",
    "AWS::ApiGateway::Resource": "RestApiId", "AWS::ApiGateway::Method": "RestApiId",
    "AWS::ApiGateway::Authorizer": "RestApiId", "AWS::ApiGateway::Stage": "RestApiId",
    "AWS::ApiGatewayV2::Route": "ApiId", "AWS::ApiGatewayV2::Integration": "ApiId",
    "AWS::ApiGatewayV2::Authorizer": "ApiId", "AWS::ApiGatewayV2::Stage": "ApiId",
    "AWS::Cognito::UserPoolClient": "UserPoolId", "AWS::Cognito::IdentityPoolRoleAttachment": "IdentityPoolId",
    "AWS::Lambda::LayerVersionPermission": "LayerVersionArn",
}


def _referred(value: Value) -> list[str]:
    """The resources a value refers to (``Ref``/``GetAtt``, also inside ``Fn::Sub`` text), in order."""
    if isinstance(value, Symbol):
        return [value.name] if value.kind is SymbolKind.RESOURCE else []
    if isinstance(value, Concat):
        return [p.name for p in value.parts if isinstance(p, Symbol) and p.kind is SymbolKind.RESOURCE]
    if isinstance(value, list):
        return [name for v in value for name in _referred(v)]
    return []


def _owner(r: Resource) -> str | None:
    prop = OWNER_PROPERTY.get(r.type)
    names = _referred(r.properties.get(prop)) if prop else []
    return names[0] if names else None


# -- placements -------------------------------------------------------------------------------------------


def _placements(app: Application) -> dict[ResourceId, Placement]:
    live = frozenset(d.id for d in app.documents if d.kind == LIVE_KIND)
    if not live or len(live) == len(app.documents):
        return {}
    written: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    owned: dict[tuple[str, str, str], list[Resource]] = defaultdict(list)  # (doc, owner, type) -> resources
    for r in app.resources:
        if r.doc not in live:
            written[(r.logical_id, r.type)].append(r)
            owner = _owner(r)
            if owner is not None:
                owned[(r.doc, owner, r.type)].append(r)
    out: dict[ResourceId, Placement] = {}

    def place(r: Resource, template: Resource, exact: bool) -> None:
        arn = r.metadata.get(ARN_KEY)
        out[r.id] = Placement(r, template, exact, arn if isinstance(arn, str) else "", app.locate(r.node).path)

    for r in app.resources:
        if r.doc in live and DEPLOYED_KEY in r.metadata:
            candidates = written.get((r.logical_id, r.type), [])
            if len(candidates) == 1:  # two templates with the id: which one deployed it is not known
                place(r, candidates[0], True)
    for r in app.resources:
        owner = _owner(r) if r.doc in live and r.id not in out else None
        placed_owner = out.get(ResourceId(r.doc, owner)) if owner is not None else None
        if placed_owner is None or not placed_owner.exact:
            continue
        tmpl_owner = placed_owner.template
        siblings = owned.get((tmpl_owner.doc, tmpl_owner.logical_id, r.type), [])
        if r.type == "AWS::Lambda::Permission":  # several per function: the one granting the same
            siblings = [s for s in siblings if _grant(s) == _grant(r)]
        if len(siblings) == 1:
            place(r, siblings[0], True)
        else:
            place(r, tmpl_owner, False)
    return out


def _grant(r: Resource) -> tuple[str, str]:
    return (_principal_text(r.properties.get("Principal")), (text(r.properties.get("Action")) or "").lower())


def _principal_text(value: Value) -> str:
    """A principal as AWS stores it: an account id as its root ARN, a list as its sorted parts."""
    if isinstance(value, list):
        return ",".join(sorted(_principal_text(v) for v in value))
    written = text(value)
    if written is None:
        return render(value) if value is not None else ""
    if re.fullmatch(r"\d{12}", written):
        return f"arn:aws:iam::{written}:root"
    return written


# -- the stage --------------------------------------------------------------------------------------------


def analyze(app: Application) -> LiveFacts:
    """Placements and drift of the snapshots in ``app`` against its templates (empty without both)."""
    placements = _placements(app)
    if not placements:
        return LiveFacts()
    exact = {rid: p for rid, p in placements.items() if p.exact}
    drift = (*_urls(app, exact), *_managed(app, exact), *_resource_policies(app, exact),
             *_permissions(app, placements), *_inline(app, exact), *_trust(app, exact), *_routes(app, exact),
             *_functions(app, exact), *_public_access_blocks(app, exact))
    return LiveFacts(placements, tuple(drift))


# -- drift ------------------------------------------------------------------------------------------------


def _urls(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    open_in_template = {u.function_id for u in app.function_urls if "NONE" in texts(u.auth_type)}
    for url in app.function_urls:
        placed = exact.get(url.function_id) if url.function_id is not None else None
        if placed is None or "NONE" not in texts(url.auth_type) or placed.template.id in open_in_template:
            continue
        qualifier = text(url.qualifier) if url.qualifier is not None else None
        name = f"{placed.template.display}{':' + qualifier if qualifier else ''}"
        yield Drift("function-url", placed.template, url.resource,
                    f"A function URL with AuthType NONE is deployed for {name}, which the template does not "
                    "declare: anyone on the internet can invoke it", f"url|{qualifier or ''}")


def _both(app: Application, exact: Mapping[ResourceId, Placement], kind: type[Any]) -> Iterator[tuple[Any, Any,
                                                                                                    Placement]]:
    """(deployed entity, template entity, placement) of every exact placement whose two sides are ``kind``."""
    for placed in exact.values():
        deployed, written = app.entity(placed.deployed.id), app.entity(placed.template.id)
        if isinstance(deployed, kind) and isinstance(written, kind):
            yield deployed, written, placed


def _policy_key(policy: Policy) -> str:
    name = policy.arn or policy.name
    return name.rsplit("/", 1)[-1]


def _managed(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    managed = (PolicyKind.AWS_MANAGED, PolicyKind.CUSTOMER_MANAGED)
    for deployed, written, placed in _both(app, exact, IamPrincipal):
        have = {_policy_key(p) for p in written.policies if p.kind in managed}
        for policy in deployed.policies:
            key = _policy_key(policy)
            if policy.kind in managed and key not in have:
                yield Drift("managed-policy", placed.template, placed.deployed,
                            f"The managed policy {key} is attached to the deployed {placed.template.display} but "
                            "not in the template (attached by hand?)", f"managed|{key}")


def _who(principals: Iterable[Principal]) -> list[str]:
    return sorted({"*" if p.is_anyone else _principal_text(p.value) for p in principals})


def _actions(s: Statement) -> list[str]:
    return sorted({(text(a) or render(a)).lower() for a in s.actions})


def _written(s: Statement) -> str:
    """A statement's actions as written, for a message."""
    return ", ".join(sorted({text(a) or render(a) for a in s.actions})) or "?"


def _statement_key(s: Statement) -> str:
    return f"{s.effect}|{','.join(_who(s.principals))}|{','.join(_actions(s))}|{s.not_principal}|{s.not_action}"


def _resource_policies(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    for deployed, written, placed in _both(app, exact, DataStore):
        if deployed.policy is None:
            continue
        granted = {_statement_key(s) for s in written.policy.statements} if written.policy else set()
        for s in deployed.policy.statements:
            if not s.allows or _statement_key(s) in granted:
                continue
            who = ", ".join("anyone" if w == "*" else w for w in _who(s.principals)) or "?"
            what = _written(s)
            yield Drift("resource-policy", placed.template, placed.deployed,
                        f"The deployed policy of {placed.template.display} allows {what} to {who}, which the "
                        "template does not grant (widened after deployment?)", f"policy|{_statement_key(s)}")


def _outsider(principal: str, account: str) -> bool:
    """Anyone, or an account other than the snapshot's own (which the converter writes as a symbol)."""
    if principal == "*":
        return True
    found = re.search(r"(?:^|:)(\d{12})(?::|$)", principal)
    return found is not None and found.group(1) != account


def _permissions(app: Application, placements: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    for perm in app.permissions:
        placed = placements.get(perm.id)
        if placed is None or placed.exact or perm.for_function_url:
            continue  # the template's own permission, or one only a function URL uses (reported with the URL)
        written = text(perm.action) or ""
        action = written.lower()
        principal = _principal_text(perm.principal)
        account = placed.address.removeprefix("aws://").split("/", 1)[0]
        if action not in ("lambda:invokefunction", "lambda:*", "*") or not _outsider(principal, account):
            continue
        who = "anyone" if principal == "*" else principal
        yield Drift("lambda-permission", placed.template, placed.deployed,
                    f"The deployed resource policy of {placed.template.display} lets {who} call {written}, which "
                    "the template does not grant (added by hand?)", f"permission|{principal}|{action}")


def _covers(granting: Statement, wanted: Statement) -> bool:
    """Whether ``granting`` allows every action of ``wanted`` on at least the resources it names."""
    if not granting.allows or granting.not_action or wanted.not_action or granting.when or wanted.when:
        return False
    have = _actions(granting)
    if not all(any(fnmatch.fnmatchcase(a, h) for h in have) for a in _actions(wanted)):
        return False
    wide = {text(r) for r in granting.resources}
    return "*" in wide or not any(text(r) == "*" for r in wanted.resources)


def _inline(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    identity = (PolicyKind.INLINE, PolicyKind.CUSTOMER_MANAGED, PolicyKind.AWS_MANAGED)
    for deployed, written, placed in _both(app, exact, IamPrincipal):
        granted = [s for p in written.policies if p.kind in identity for s in p.statements]
        for policy in deployed.policies:
            if policy.kind is not PolicyKind.INLINE:
                continue
            for s in policy.statements:
                if s.allows and not any(_covers(g, s) for g in granted):
                    where = ", ".join(sorted({text(r) or render(r) for r in s.resources})) or "?"
                    yield Drift("inline-policy", placed.template, placed.deployed,
                                f"The inline policy {policy.name} of the deployed {placed.template.display} allows "
                                f"{_written(s)} on {where}, which the template does not grant (added or "
                                "widened by hand?)", f"inline|{policy.name}|{_statement_key(s)}|{where}")


def _trust(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    for deployed, written, placed in _both(app, exact, Role):
        trusted = {w for s in getattr(written.trust, "statements", ()) if s.allows for w in _who(s.principals)}
        for s in getattr(deployed.trust, "statements", ()):
            if not s.allows:
                continue
            for who in _who(s.principals):
                if who not in trusted:
                    yield Drift("trust", placed.template, placed.deployed,
                                f"The deployed trust policy of {placed.template.display} lets "
                                f"{'anyone' if who == '*' else who} assume it, which the template does not "
                                "(trusted by hand?)", f"trust|{who}")


def _routes(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    for deployed, written, placed in _both(app, exact, Api):
        required = {r.key: r.auth for r in written.routes if not r.auth.is_open}
        for route in deployed.routes:
            auth = required.get(route.key)
            if route.auth.is_open and auth is not None:
                yield Drift("route-auth", placed.template, placed.deployed,
                            f"Route {route.key} of the deployed {placed.template.display} takes calls without "
                            f"authorization; the template requires {auth.describe()} (changed by hand?)",
                            f"route|{route.key}")


def _functions(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    today = runtimes.today()
    for deployed, written, placed in _both(app, exact, Function):
        added = sorted(set(deployed.environment) - set(written.environment))
        if added:
            yield Drift("environment", placed.template, placed.deployed,
                        f"The deployed {placed.template.display} has environment variables the template does not "
                        f"set: {', '.join(added)} (a secret or a switch added by hand?)", f"env|{','.join(added)}")
        runtime = text(deployed.runtime) if deployed.runtime is not None else None
        info = runtimes.lookup(runtime) if runtime and runtime not in texts(written.runtime) else None
        if info is not None and info.deprecation is not None and \
                runtimes.lifecycle(info, today) is runtimes.Lifecycle.DEPRECATED:
            yield Drift("runtime", placed.template, placed.deployed,
                        f"The deployed {placed.template.display} runs on {runtime}, deprecated by AWS since "
                        f"{info.deprecation.isoformat()}, where the template says "
                        f"{', '.join(t or '?' for t in texts(written.runtime))}", f"runtime|{runtime}")


_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _public_access_blocks(app: Application, exact: Mapping[ResourceId, Placement]) -> Iterable[Drift]:
    for deployed, written, placed in _both(app, exact, DataStore):
        block = getattr(deployed, "public_access_block", None)
        wanted = getattr(written, "public_access_block", None) or {}
        if not block:
            continue
        off = [f for f in _BLOCK_FLAGS if text(block.get(f)) == "false"
               and text(wanted.get(f)) in ("true", None)]
        if off:
            yield Drift("public-access-block", placed.template, placed.deployed,
                        f"The deployed bucket {placed.template.display} has {', '.join(off)} switched off, which the "
                        "template does not (S3's default for a new bucket is on): its policy or ACLs can make it "
                        "public", f"pab|{','.join(off)}")


# -- findings and paths at the template line ---------------------------------------------------------------


def _by_address(live: LiveFacts) -> dict[str, Placement]:
    return {p.address: p for p in live.placements.values()}


def relocate(app: Application, live: LiveFacts, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings on placed deployed resources moved to the template line and named after the template's
    resource (or dropped when that resource already has the same rule's finding); a finding left at the
    ``aws://`` address of a deployed resource gets its ARN as the ``arn`` detail."""
    found = tuple(_with_arns(app, findings))
    by_address = _by_address(live)
    if not by_address:
        return found
    by_name = {p.deployed.logical_id: p.template.origin.logical_id for p in live.placements.values()}
    at_template = {(f.rule_id, f.resource, f.location.path) for f in found if f.location.path not in by_address}
    out = []
    for f in found:
        placed = by_address.get(f.location.path)
        if placed is None:
            out.append(f)
            continue
        where = app.locate(placed.template.node)
        name = by_name.get(f.resource, f.resource)  # the resource the rule named, as the template names it
        if (f.rule_id, name, where.path) in at_template:
            continue
        deployed = (("deployed", f.location.path), *((("arn", placed.arn),) if placed.arn and
                                                     ("arn", placed.arn) not in f.details else ()))
        out.append(dataclasses.replace(f, location=where, resource=name, details=(*f.details, *deployed)))
    return tuple(sorted(out, key=Finding.sort_key))


def _with_arns(app: Application, findings: Iterable[Finding]) -> Iterator[Finding]:
    live = frozenset(d.id for d in app.documents if d.kind == LIVE_KIND)
    arns = {app.locate(r.node).path: arn for r in app.resources
            if r.doc in live and isinstance(arn := r.metadata.get(ARN_KEY), str) and arn}
    for f in findings:
        arn = arns.get(f.location.path)
        yield dataclasses.replace(f, details=(*f.details, ("arn", arn))) if arn else f


def relocate_paths(app: Application, live: LiveFacts, paths: Iterable[AttackPath]) -> tuple[AttackPath, ...]:
    """Attack-path steps on placed deployed resources at the template location (the ARN, else the ``aws://``
    address, kept as the step's ``deployed``); a moved path that repeats a template path step for step is
    dropped."""
    found = tuple(paths)
    by_address = _by_address(live)
    if not by_address:
        return found

    def moved(loc: SourceLocation | None) -> tuple[SourceLocation | None, Placement | None]:
        placed = by_address.get(loc.path) if loc is not None else None
        return (app.locate(placed.template.node), placed) if placed is not None else (loc, None)

    def shape(path: AttackPath) -> tuple[tuple[str, str, str], ...]:
        return tuple((s.kind, s.resource, s.location.path if s.location else "") for s in path.steps)

    untouched: set[tuple[tuple[str, str, str], ...]] = set()
    out: list[tuple[AttackPath, bool]] = []  # (path, moved)
    for path in found:
        steps = []
        for step in path.steps:
            location, placed = moved(step.location)
            evidence, _ = moved(step.evidence)
            if placed is None and evidence is step.evidence:
                steps.append(step)
                continue
            steps.append(dataclasses.replace(
                step, location=location, evidence=evidence,
                resource=placed.template.origin.logical_id if placed is not None else step.resource,
                deployed=(placed.arn or placed.address) if placed is not None else step.deployed))
        if steps == list(path.steps):
            untouched.add(shape(path))
            out.append((path, False))
        else:
            out.append((dataclasses.replace(path, steps=tuple(steps)), True))
    return tuple(p for p, was_moved in out if not was_moved or shape(p) not in untouched)
