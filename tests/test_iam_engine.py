"""The IAM engine (Analysis.iam): can, grants, resources_for, principals_that_can, exposure, trusted_by."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from remit.analysis import analysis
from remit.api import load_documents
from remit.iam.engine import IamEngine
from remit.iam.evaluate import Decision
from remit.iam.reach import Reach, outsider_can
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.model.entities import Entity, Role
from remit.model.policy import PolicyDocument, parse_document
from remit.model.values import Concat, Symbol, SymbolKind, Value, text
from remit.options import ScanOptions
from remit.source import NodePath, PathKey

from .conftest import FIXTURES

APP = FIXTURES / "iam" / "engine-app"
EXAMPLE = Path(__file__).parent.parent / "examples" / "orders-app"


@cache
def model(path: Path) -> Application:
    root, docs, _ = load_documents([path], ScanOptions())
    app, _ = build(docs, root, expander(root))
    return app


_ENGINES: dict[int, IamEngine] = {}


def engine(app: Application) -> IamEngine:
    """One engine per model, as a scan's analysis holds it (its answers are kept)."""
    found = _ENGINES.get(id(app))
    if found is None or found.app is not app:
        found = _ENGINES[id(app)] = IamEngine(app)
    return found


def entity(app: Application, logical_id: str) -> Entity:
    found = next((e for e in (*app.stores, *app.functions, *app.roles) if e.logical_id == logical_id), None)
    assert found is not None, logical_id
    return found


def role(app: Application, logical_id: str) -> Role:
    found = entity(app, logical_id)
    assert isinstance(found, Role)
    return found


def test_the_analysis_carries_one_engine_over_the_model() -> None:
    app = model(APP)
    an = analysis(app)
    assert isinstance(an.iam, IamEngine)
    assert an.iam.app is app


def test_can_matches_template_arns_and_points_at_lines() -> None:
    app = model(APP)
    worker = role(app, "WorkerRole")
    bucket = entity(app, "DataBucket")
    answer = engine(app).can(worker, "s3:GetObject", bucket)
    assert answer.decision is Decision.ALLOWED
    assert [s.sid for s in answer.allowed_by] == ["ReadData"]
    assert app.locate(answer.allowed_by[0].node).line == 41
    assert engine(app).can(worker, "s3:GetObject", "arn:aws:s3:::data-bucket/any/key").allowed
    assert engine(app).can(worker, "s3:GetObject", entity(app, "OtherBucket")).decision is Decision.NOT_ALLOWED


def test_deny_wins_and_boundary_limits() -> None:
    app = model(APP)
    worker = role(app, "WorkerRole")
    denied = engine(app).can(worker, "s3:PutObject", entity(app, "DataBucket"))
    assert denied.decision is Decision.DENIED
    assert [s.sid for s in denied.denied_by] == ["NoOverwrites"]
    # sqs:* is granted, but the boundary allows only s3 and sts
    assert not engine(app).can(worker, "sqs:DeleteQueue", "*").possible
    assert [g.action for g in engine(app).grants(worker)] == ["s3:GetObject", "sts:GetCallerIdentity"]


def test_action_without_resource_level_support_is_asked_on_star() -> None:
    app = model(APP)
    assert engine(app).can(role(app, "WorkerRole"), "sts:GetCallerIdentity", entity(app, "DataBucket")).allowed


def test_key_policy_is_the_keys_only_gate() -> None:
    app = model(APP)
    key = entity(app, "DataKey")
    # ReaderRole's IAM policy allows kms:Decrypt on "*", but the key policy names only PartnerRole
    assert engine(app).can(role(app, "ReaderRole"), "kms:Decrypt", key).decision is Decision.NOT_ALLOWED
    assert engine(app).can(role(app, "PartnerRole"), "kms:Decrypt", key).allowed
    assert [p.logical_id for p, _ in engine(app).principals_that_can("kms:Decrypt", key)] == ["PartnerRole"]


def test_resources_for() -> None:
    app = model(APP)
    assert [e.logical_id for e in engine(app).resources_for(role(app, "WorkerRole"), "s3:GetObject")] == ["DataBucket"]


def test_exposure_verdicts() -> None:
    app = model(APP)
    bucket = engine(app).exposure(entity(app, "DataBucket"))
    assert bucket.reach is Reach.ACCOUNT
    assert bucket.restricted_by == ("StringEquals aws:SourceVpce = vpce-0a1b2c3d",)
    # the Deny needs aws:SecureTransport true as well: an outsider sends plain HTTP and is not denied
    queue = engine(app).exposure(entity(app, "Jobs"))
    assert queue.reach is Reach.ANY_ACCOUNT
    assert queue.actions == ("sqs:SendMessage",)
    fn = engine(app).exposure(entity(app, "Worker"))
    assert fn.reach is Reach.CROSS_ACCOUNT
    assert fn.accounts == ("444455556666",)
    assert engine(app).exposure(entity(app, "OtherBucket")).reach is Reach.NONE


def test_trust_edges() -> None:
    app = model(APP)
    edges = engine(app).trusted_by(role(app, "PartnerRole"))
    assert [(e.kind, e.value, e.restricted) for e in edges] == [
        ("account", "arn:aws:iam::444455556666:root", True), ("anyone", "*", False)]
    assert edges[0].conditions == ("StringEquals sts:ExternalId = partner-7",)
    worker = engine(app).trusted_by(role(app, "WorkerRole"))
    assert [(e.kind, e.value) for e in worker] == [("service", "lambda.amazonaws.com")]


def _at(*path: PathKey) -> NodePath:
    return NodePath("p.json", path)


def _doc(*raw: dict[str, object]) -> PolicyDocument:
    parsed = parse_document({"Statement": list(raw)}, _at)  # type: ignore[arg-type]  # hypothesis draws plain JSON statements
    assert isinstance(parsed, PolicyDocument)
    return parsed


def test_outsider_with_interacting_denies_uses_the_solver() -> None:
    allow, deny_org, deny_tls = _doc(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}, "Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ).statements
    # TLS is needed by the Allow and refused by the first Deny outside the organization: no way in
    verdict = outsider_can(allow, [deny_org, deny_tls])
    assert not verdict.reachable
    assert verdict.method == "z3"
    assert "StringNotEquals aws:PrincipalOrgID = o-1" in verdict.restricted_by
    # without the TLS requirement on the Allow, plain HTTP is refused by the second Deny only... and then allowed
    open_ = outsider_can(allow, [deny_tls])
    assert open_.reachable
    assert open_.conditions == ("Bool aws:SecureTransport = true",)


def test_example_answers_quickly() -> None:
    app = model(EXAMPLE)
    began = time.perf_counter()
    for r in app.roles:
        engine(app).grants(r)
        for store in app.stores:
            engine(app).can(r, "s3:GetObject", store)
        engine(app).trusted_by(r)
    for e in (*app.stores, *app.functions):
        engine(app).exposure(e)
    assert time.perf_counter() - began < 10
    uploads = engine(app).exposure(entity(app, "UploadsBucket"))
    assert uploads.reach is Reach.PUBLIC


def test_template_values_as_the_requested_resource() -> None:
    app = model(APP)
    worker = role(app, "WorkerRole")
    objects = Concat((Symbol(SymbolKind.RESOURCE, "DataBucket", "Arn"), "/*"))
    assert engine(app).can(worker, "s3:GetObject", objects).allowed
    other = Concat((Symbol(SymbolKind.RESOURCE, "OtherBucket", "Arn"), "/*"))
    assert engine(app).can(worker, "s3:GetObject", other).decision is Decision.NOT_ALLOWED
    # a bucket named by a parameter may be this one: conditional, never a flat no
    chosen = Concat(("arn:aws:s3:::", Symbol(SymbolKind.PARAMETER, "BucketName"), "/*"))
    assert engine(app).can(worker, "s3:GetObject", chosen).decision is Decision.CONDITIONAL


def test_user_gets_group_policies_with_policy_variables() -> None:
    app = model(APP)
    alice = next(u for u in app.users if u.logical_id == "Alice")
    assert engine(app).can(alice, "s3:GetObject", "arn:aws:s3:::data-bucket/home/alice/notes.txt").allowed
    # not through her group's policy; the bucket policy still lets anyone in through the VPC endpoint
    other = engine(app).can(alice, "s3:GetObject", "arn:aws:s3:::data-bucket/home/bob/notes.txt")
    assert other.decision is Decision.CONDITIONAL
    assert other.conditions == ("StringEquals aws:SourceVpce = vpce-0a1b2c3d",)
    assert engine(app).can(alice, "s3:PutObject", "arn:aws:s3:::data-bucket/home/alice/x").decision \
        is Decision.NOT_ALLOWED


def _reference_beyond(engine: IamEngine, other: Role, principal: Role,
                      wider: Callable[[tuple[Value, ...], tuple[Value, ...]], bool]) -> bool:
    """grants_beyond as the full lists of Grant objects answer it."""
    theirs, mine = engine.grants(other), {g.action.lower(): g for g in engine.grants(principal)}
    if len(theirs) > len(mine):
        return True
    for g in theirs:
        have = mine.get(g.action.lower())
        if have is None or (have.conditional and not g.conditional):
            return True
        if wider(g.resources, have.resources):
            return True
    return False


def test_answers_from_the_plan_match_the_full_grants() -> None:
    # grant(), granted(), is_admin(), count_unconditional() and grants_beyond() read the plan without making every
    # Grant; asked first on a fresh engine, they must agree with what grants() lists afterwards
    for path in (APP, FIXTURES / "iam" / "privesc-app"):
        app = model(path)
        lazy, full = IamEngine(app), IamEngine(app)
        roles = list(app.roles)
        assert roles

        def on_star(resources: tuple[Value, ...]) -> bool:
            return bool(resources) and all(text(r) == "*" for r in resources)

        def wider(theirs: tuple[Value, ...], mine: tuple[Value, ...]) -> bool:
            return not on_star(mine) and any(r not in mine for r in theirs)

        for r in roles:
            assert lazy.is_admin(r) == full.is_admin(r)
            by_action = {g.action.lower(): g for g in full.grants(r)}
            for action, g in list(by_action.items())[:50]:
                assert lazy.grant(r, action.upper()) == g
            assert lazy.grant(r, "nosuch:Action") is None
            assert dict(lazy.granted(r)) == by_action
            assert "S3:GETOBJECT" not in lazy.granted(r)  # keys are lower case, as before
            assert lazy.count_unconditional(r, on_star) == sum(
                1 for g in by_action.values() if not g.conditional and on_star(g.resources))
            for other in roles:
                expected = _reference_beyond(full, other, r, wider)
                assert lazy.grants_beyond(other, r, wider) == expected, (other.logical_id, r.logical_id)
