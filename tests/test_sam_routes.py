"""Routes made by SAM events when the translator edits API documents in place (remit.loaders.sam): every route
reaches the model, a rejected event leaves no trace in the retranslation, and routes merged into an author's
OpenAPI document keep the author's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from remit.api import load_documents
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.options import ScanOptions

ROUTES = 80  # more than IN_PLACE_MIN_PATHS: the documents are edited in place


def _function(events: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Function",
            "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "InlineCode": "x", "Events": events}}


def _app(tmp_path: Path, resources: dict[str, Any]) -> tuple[Application, list[str]]:
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}
    (tmp_path / "template.json").write_text(json.dumps(template, indent=1), encoding="utf-8")
    root, docs, diags = load_documents([tmp_path], ScanOptions())
    app, more = build(docs, root, expander(root))
    return app, [f"{d.code}: {d.message}" for d in (*diags, *more)]


def _routes(app: Application) -> dict[tuple[str, str, str], str]:
    """(API logical id, kind, route key) -> the function the route invokes."""
    return {(api.resource.logical_id, api.kind.value, route.key): route.function_id.logical_id
            for api in app.apis for route in api.routes if route.function_id is not None}


def test_every_event_route_reaches_the_model(tmp_path: Path) -> None:
    resources: dict[str, Any] = {
        "Explicit": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod", "Auth": {
            "ApiKeyRequired": True}}},
    }
    for i in range(ROUTES):
        resources[f"Fn{i}"] = _function({
            "Rest": {"Type": "Api", "Properties": {"Path": f"/r{i}/{{id}}", "Method": "get"}},
            "Http": {"Type": "HttpApi", "Properties": {"Path": f"/h{i}", "Method": "post"}},
            "Keyed": {"Type": "Api", "Properties": {"Path": f"/k{i}", "Method": "put",
                                                    "RestApiId": {"Ref": "Explicit"}}},
        })
    app, diags = _app(tmp_path, resources)
    assert diags == []
    expected = {}
    for i in range(ROUTES):
        expected[("ServerlessRestApi", "rest", f"GET /r{i}/{{id}}")] = f"Fn{i}"
        expected[("ServerlessHttpApi", "http", f"POST /h{i}")] = f"Fn{i}"
        expected[("Explicit", "rest", f"PUT /k{i}")] = f"Fn{i}"
    assert _routes(app) == expected
    keyed = [r for a in app.apis if a.resource.logical_id == "Explicit" for r in a.routes]
    assert len(keyed) == ROUTES
    assert all(r.auth.api_key_required for r in keyed)


def test_a_rejected_event_leaves_no_route_behind(tmp_path: Path) -> None:
    resources = {f"Fn{i}": _function({"Get": {"Type": "Api", "Properties": {"Path": f"/r{i}", "Method": "get"}}})
                 for i in range(ROUTES)}
    # the same method and path twice: the translator rejects the second function after editing the document
    resources["Twice"] = _function({
        "One": {"Type": "Api", "Properties": {"Path": "/twice", "Method": "get"}},
        "Two": {"Type": "Api", "Properties": {"Path": "/twice", "Method": "get"}},
    })
    app, diags = _app(tmp_path, resources)
    assert any(d.startswith("sam-invalid-resource: Twice was not analysed") for d in diags), diags
    routes = _routes(app)
    assert routes == {("ServerlessRestApi", "rest", f"GET /r{i}"): f"Fn{i}" for i in range(ROUTES)}
    assert app.function(next(f.id for f in app.functions if f.resource.logical_id == "Fn0")) is not None
    assert not any(f.resource.logical_id == "Twice" for f in app.functions)


def test_routes_merged_into_an_authors_document(tmp_path: Path) -> None:
    body = {"swagger": "2.0", "info": {"title": "t", "version": "1"},
            "paths": {"/written": {"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST",
                "uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                   "${Fn0.Arn}/invocations"}}}}}}
    resources: dict[str, Any] = {
        "Written": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "prod", "DefinitionBody": body, "MergeDefinitions": True}},
        **{f"Fn{i}": _function({"Get": {"Type": "Api", "Properties": {
            "Path": f"/r{i}", "Method": "get", "RestApiId": {"Ref": "Written"}}}}) for i in range(ROUTES)},
    }
    app, diags = _app(tmp_path, resources)
    assert diags == []
    expected = {("Written", "rest", f"GET /r{i}"): f"Fn{i}" for i in range(ROUTES)}
    expected[("Written", "rest", "GET /written")] = "Fn0"
    assert _routes(app) == expected
