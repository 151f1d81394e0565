"""The model built from SAM and CloudFormation: views, wiring, and locations on the author's lines."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from remit.api import load_documents
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.model.entities import AuthKind, CodeKind
from remit.model.policy import PolicyDocument, PolicyKind
from remit.model.triggers import TriggerKind
from remit.model.values import Concat, Symbol, SymbolKind
from remit.options import ScanOptions
from remit.source import NodePath

from .conftest import FIXTURES

SAM = FIXTURES / "model" / "sam-app"
CFN = FIXTURES / "model" / "cfn-app"


@cache
def model(path: Path) -> tuple[Application, tuple[str, ...]]:
    root, docs, diags = load_documents([path], ScanOptions())
    app, more = build(docs, root, expander(root))
    return app, tuple(str(d) for d in (*diags, *more))


def line_of(path: Path, needle: str, after: str = "") -> int:
    """The 1-based line of the first ``needle`` after the first ``after``."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start) if needle in line) + 1


def where(app: Application, node: NodePath) -> int:
    return app.locate(node).line


def test_sam_builds_without_diagnostics() -> None:
    _, diags = model(SAM)
    assert diags == ()


def test_function_view_and_globals_locations() -> None:
    app, _ = model(SAM)
    fn = next(f for f in app.functions if f.logical_id == "ApiFunction")
    tpl = SAM / "template.yaml"
    assert fn.runtime == "python3.12"
    assert fn.environment == {"ORDERS_TABLE": Symbol(SymbolKind.RESOURCE, "OrdersTable")}
    assert where(app, fn.at("Runtime")) == line_of(tpl, "Runtime: python3.12")
    assert where(app, fn.at("Environment", "Variables", "ORDERS_TABLE")) == line_of(tpl, "ORDERS_TABLE:")
    assert where(app, fn.at("Handler")) == line_of(tpl, "Handler: app.handler")
    assert fn.code.kind is CodeKind.LOCAL
    assert fn.code.path == (SAM / "src" / "api").resolve()
    worker = next(f for f in app.functions if f.logical_id == "WorkerFunction")
    assert worker.code.display == "src/worker/"  # from Globals


def test_generated_role_policies_point_at_the_sam_policies() -> None:
    app, _ = model(SAM)
    tpl = SAM / "template.yaml"
    role = next(r for r in app.roles if r.logical_id == "ApiFunctionRole")
    assert role.display == "ApiFunction (ApiFunctionRole)"
    by_name = {p.name: p for p in role.policies}
    assert where(app, by_name["AWSLambdaBasicExecutionRole"].node) == line_of(tpl, "- AWSLambdaBasicExecutionRole")
    crud = next(p for p in role.policies if p.kind is PolicyKind.INLINE and "dynamodb:PutItem" in
                p.statements[0].action_texts())
    assert where(app, crud.statements[0].node) == line_of(tpl, "- DynamoDBCrudPolicy:")
    inline = next(p for p in role.policies if p.statements and p.statements[0].action_texts() == ("s3:GetObject",))
    assert where(app, inline.statements[0].node) == line_of(tpl, "- Effect: Allow", after="- Statement:")
    assert inline.statements[0].resources == (Concat((Symbol(SymbolKind.RESOURCE, "Uploads", "Arn"), "/*")),)


def test_aws_managed_documents_and_separate_policies_reach_the_role() -> None:
    app, _ = model(SAM)
    role = next(r for r in app.roles if r.logical_id == "SharedRole")
    admin = next(p for p in role.policies if p.kind is PolicyKind.AWS_MANAGED)
    assert admin.name == "AdministratorAccess"
    assert isinstance(admin.document, PolicyDocument)
    assert admin.statements[0].action_texts() == ("*",)
    extra = next(p for p in role.policies if p.name == "extra")
    assert extra.statements[0].effect == "Deny"
    assert [f.logical_id for f in app.functions_using_role(role)] == ["WorkerFunction"]


def test_routes_authorization_and_where_they_were_written() -> None:
    app, _ = model(SAM)
    tpl = SAM / "template.yaml"
    routes = {(a.kind.value, r.key): (r, a) for a in app.apis for r in a.routes}
    list_orders, implicit = routes[("rest", "GET /orders")]
    assert list_orders.auth.is_open
    assert list_orders.function_id is not None
    assert list_orders.function_id.logical_id == "ApiFunction"
    assert where(app, list_orders.node) == line_of(tpl, "ListOrders:")
    assert implicit.display == "ApiFunction (ServerlessRestApi)"
    assert routes[("http", "GET /health")][0].auth.is_open
    profile = routes[("rest", "GET /profile")][0]
    assert profile.auth.kind is AuthKind.COGNITO
    assert profile.auth.authorizer == "Cognito"
    assert where(app, profile.node) == line_of(tpl, "Profile:")
    assert routes[("rest", "GET /status")][0].auth.is_open
    keyed = routes[("rest", "GET /keyed")][0].auth
    assert keyed.kind is AuthKind.NONE
    assert keyed.api_key_required
    assert not keyed.is_open
    # a local DefinitionUri is read, so its routes exist
    assert ("rest", "GET /docs") in routes


def test_triggers_of_every_kind() -> None:
    app, _ = model(SAM)
    tpl = SAM / "template.yaml"
    worker = next(f for f in app.functions if f.logical_id == "WorkerFunction")
    kinds = {t.kind: t for t in app.triggers_of(worker)}
    assert set(kinds) == {TriggerKind.SQS, TriggerKind.S3, TriggerKind.SNS, TriggerKind.SCHEDULE,
                          TriggerKind.DYNAMODB_STREAM, TriggerKind.COGNITO}
    assert kinds[TriggerKind.SQS].source_id is not None
    assert kinds[TriggerKind.SQS].source_id.logical_id == "Jobs"
    assert kinds[TriggerKind.S3].source_id is not None
    assert kinds[TriggerKind.S3].source_id.logical_id == "Uploads"
    assert where(app, kinds[TriggerKind.S3].node) == line_of(tpl, "OnUpload:")
    assert where(app, kinds[TriggerKind.SQS].node) == line_of(tpl, "FromQueue:")
    assert where(app, kinds[TriggerKind.COGNITO].node) == line_of(tpl, "PreSignUp:")
    api = next(f for f in app.functions if f.logical_id == "ApiFunction")
    assert app.is_internet_facing(api)
    assert not app.is_internet_facing(worker)
    url = app.urls_of(api)[0]
    assert url.auth_type == "NONE"
    assert where(app, url.at("AuthType")) == line_of(tpl, "AuthType: NONE")


def test_resource_policies_are_attached_to_their_resources() -> None:
    app, _ = model(SAM)
    bucket = next(b for b in app.buckets if b.logical_id == "Uploads")
    assert bucket.policy is not None
    assert bucket.policy.statements[0].principals[0].is_anyone


def test_cloudformation_json_model() -> None:
    app, diags = model(CFN)
    assert diags == ()
    tpl = CFN / "template.json"
    fn = app.functions[0]
    assert fn.code.kind is CodeKind.INLINE
    assert fn.role_id is not None
    assert fn.role_id.logical_id == "FnRole"
    routes = {r.key: r for a in app.apis for r in a.routes}
    get_user = routes["GET /users/{id}"]
    assert get_user.auth.is_open
    assert get_user.function_id == fn.id
    assert where(app, get_user.node) == line_of(tpl, '"GetUser"')
    assert routes["DELETE /users/{id}"].auth.kind is AuthKind.IAM
    assert routes["POST /items"].auth.kind is AuthKind.JWT
    assert routes["POST /items"].function_id == fn.id
    assert routes["$default"].auth.is_open  # quick-create HTTP API
    rest = next(a for a in app.apis if a.logical_id == "Api")
    assert [(s.name, s.tracing, s.throttle_rate) for s in rest.stages] == [("v1", True, 10)]
    queue = app.queues[0]
    assert queue.policy is not None
    assert queue.policy.statements[0].principals[0].value == "sns.amazonaws.com"


@pytest.mark.parametrize("node", ["Resources", "Nothing"])
def test_locate_falls_back_to_the_nearest_written_node(node: str) -> None:
    app, _ = model(CFN)
    assert app.locate(NodePath("template.json", (node, "Deep", "Er"))).line >= 1


def test_an_apis_routes_are_in_path_order_whatever_the_documents_order() -> None:
    """The order of an OpenAPI document's keys is no fact about an API (the SAM translator's depends on how
    often it copied the document): routes come by path, then method, so reports do not depend on it."""
    app, _ = model(SAM)
    for api in app.apis:
        keys = [(r.path, r.method) for r in api.routes]
        assert keys == sorted(keys), api.display
    assert any(len(api.routes) > 2 for api in app.apis)
