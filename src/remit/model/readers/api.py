"""API Gateway readers: REST APIs (OpenAPI bodies and Method resources, stages and deployments, the resource
policy, CORS), HTTP and WebSocket APIs (bodies, Route resources, stages, quick create) and usage plans.

A route points where its author wrote it: the OpenAPI operation, else the SAM function event that made it, else
the API."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from remit.model import openapi
from remit.model.entities import Api, ApiKind, AuthKind, Cors, Route, RouteAuth, Stage, UsagePlan
from remit.model.policy import Policy, PolicyKind, parse_document
from remit.model.readers import resource_policy
from remit.model.readers.context import Context
from remit.model.resources import Resource, ResourceId
from remit.model.values import Concat, Symbol, SymbolKind, Value, items, render, text, truthy
from remit.source import NodePath

REST_API = "AWS::ApiGateway::RestApi"
V2_API = "AWS::ApiGatewayV2::Api"


def rest_apis(ctx: Context) -> None:
    stages = _rest_stages(ctx)
    for res in ctx.of_type(REST_API):
        routes = list(openapi.routes(res, ctx.function_target, _route_node(ctx), rest=True))
        routes.extend(_rest_method_routes(ctx, res))
        routes.sort(key=_route_order)
        policy = resource_policy.inline(res, "Policy")
        if policy is None and res.prop("Body", "x-amazon-apigateway-policy") is not None:
            # SAM's Auth.ResourcePolicy (and authors) write it into the OpenAPI body
            policy = Policy(PolicyKind.RESOURCE, res.logical_id,
                            parse_document(res.prop("Body", "x-amazon-apigateway-policy"), res.at, "Body",
                                           "x-amazon-apigateway-policy"),
                            res.at("Body", "x-amazon-apigateway-policy"), res.id, (res.id,))
        types = items(res.prop("EndpointConfiguration", "Types"))
        ctx.acc.apis.append(
            Api(res, ApiKind.REST, res.prop("Name") or res.logical_id, tuple(stages.get(res.logical_id, ())),
                tuple(routes), _rest_cors(ctx, res), policy, types,
                truthy(res.prop("DisableExecuteApiEndpoint")) is True)
        )


def _route_order(route: Route) -> tuple[str, str]:
    """Routes by path, then method: the order of an OpenAPI document's keys is no fact about the API (SAM's
    translator writes them in an order that depends on how often it copied the document)."""
    return route.path, route.method


def v2_apis(ctx: Context) -> None:
    """HTTP and WebSocket APIs."""
    v2_stages = _v2_stages(ctx)
    v2_routes = _v2_route_resources(ctx)
    for res in ctx.of_type(V2_API):
        protocol = (res.text("ProtocolType") or "HTTP").upper()
        kind = ApiKind.WEBSOCKET if protocol == "WEBSOCKET" else ApiKind.HTTP
        routes = list(openapi.routes(res, ctx.function_target, _route_node(ctx), rest=False))
        routes.extend(v2_routes.get(res.logical_id, ()))
        stages = list(v2_stages.get(res.logical_id, ()))
        if res.prop("Target") is not None:  # quick create: a $default route and an auto-deployed stage
            routes.append(Route(res.id, "$default", "", RouteAuth(AuthKind.NONE), res.at("Target"),
                                ctx.function_target(res.prop("Target")), "lambda"))
            if not stages:
                stages.append(Stage(res.id, "$default", res.node, None, None, None, None, {}, res.node, res.node))
        routes.sort(key=_route_order)
        cors_raw = res.prop("CorsConfiguration")
        cors = _cors(cors_raw, res.at("CorsConfiguration")) if isinstance(cors_raw, dict) else None
        if cors is None:
            written = res.at("CorsConfiguration")  # SAM's HttpApi writes it into the body
            cors = openapi.http_api_cors(res.prop("Body"), written if ctx.doc.marks.has(written.path)
                                         else res.at("Body"))
        ctx.acc.apis.append(
            Api(res, kind, res.prop("Name") or res.logical_id, tuple(stages), tuple(routes), cors, None, (),
                truthy(res.prop("DisableExecuteApiEndpoint")) is True)
        )


def usage_plans(ctx: Context) -> None:
    for res in ctx.of_type("AWS::ApiGateway::UsagePlan"):
        stages = tuple(
            (ctx.target(s.get("ApiId"), REST_API), s.get("Stage"))
            for s in items(res.prop("ApiStages")) if isinstance(s, dict)
        )
        ctx.acc.usage_plans.append(UsagePlan(res, stages, res.prop("Throttle", "RateLimit"),
                                             res.prop("Throttle", "BurstLimit")))


def _route_node(ctx: Context) -> openapi.RouteNode:
    def route_node(api: Resource, function: ResourceId | None, method: str, path: str,
                   body_node: NodePath) -> NodePath:
        """Where the author wrote a route: the OpenAPI operation when they wrote one, else the SAM function
        event that made it, else the API itself."""
        if ctx.doc.marks.has(body_node.path):
            return body_node
        fn_res = ctx.res.get(function.logical_id) if function else None
        if fn_res is None:
            return body_node
        for name, event in ctx.sam_events(fn_res):
            eprops = event.get("Properties", {}) if isinstance(event, dict) else None
            if not isinstance(eprops, dict) or event.get("Type") not in ("Api", "HttpApi"):
                continue
            if not _event_targets(api, event.get("Type"), eprops):
                continue  # an event of the same path and method on another API
            same_path = str(eprops.get("Path", "")).rstrip("/") == path.rstrip("/")
            written_method = str(eprops.get("Method", "any")).lower()
            same_method = written_method in (method.lower(), "any") or (method == "ANY" and written_method == "any")
            if (same_path and same_method) or (event.get("Type") == "HttpApi" and "Path" not in eprops
                                               and path in ("", "$default")):
                return NodePath(ctx.doc.id, ("Resources", fn_res.origin.logical_id, "Properties", "Events", name))
        return body_node

    return route_node


def _event_targets(api: Resource, event_type: Any, eprops: Mapping[str, Any]) -> bool:
    """Whether a SAM ``Api``/``HttpApi`` event (as written) adds its route to ``api``: the API its
    ``RestApiId``/``ApiId`` names, else SAM's implicit ``ServerlessRestApi``/``ServerlessHttpApi``."""
    rest = event_type == "Api"
    if api.type != (REST_API if rest else V2_API):
        return False
    written = eprops.get("RestApiId" if rest else "ApiId")
    if written is None:
        return api.logical_id.startswith("ServerlessRestApi" if rest else "ServerlessHttpApi")
    named = written.get("Ref") if isinstance(written, dict) else written
    return not isinstance(named, str) or named == api.logical_id


def _rest_stages(ctx: Context) -> dict[str, list[Stage]]:
    out: dict[str, list[Stage]] = defaultdict(list)
    for res in ctx.of_type("AWS::ApiGateway::Stage"):
        api = ctx.target(res.prop("RestApiId"), REST_API)
        if api is None:
            continue
        out[api.logical_id].append(_rest_stage(res, res.prop("StageName"), ()))
    for res in ctx.of_type("AWS::ApiGateway::Deployment"):
        api = ctx.target(res.prop("RestApiId"), REST_API)
        # SAM's deployments name a placeholder stage ("Stage"); its real stage is a Stage resource
        if api is None or res.prop("StageName") is None or res.origin.logical_id != res.logical_id:
            continue
        out[api.logical_id].append(_rest_stage(res, res.prop("StageName"), ("StageDescription",)))
    return out


def _rest_stage(res: Resource, name: Value, base: tuple[str, ...]) -> Stage:
    rate: Value | None = None
    burst: Value | None = None
    for setting in items(res.prop(*base, "MethodSettings")):
        if not isinstance(setting, dict):
            continue
        if text(setting.get("HttpMethod")) in ("*", None) and text(setting.get("ResourcePath")) in ("/*", None):
            rate = setting.get("ThrottlingRateLimit", rate)
            burst = setting.get("ThrottlingBurstLimit", burst)
    if base:  # a Deployment's StageDescription also takes top-level throttling
        rate = res.prop(*base, "ThrottlingRateLimit") or rate
        burst = res.prop(*base, "ThrottlingBurstLimit") or burst
    variables = res.prop(*base, "Variables")
    return Stage(res.id, name, res.at(*base) if base else res.node,
                 res.prop(*base, "AccessLogSetting", "DestinationArn"), res.prop(*base, "TracingEnabled"),
                 rate, burst, variables if isinstance(variables, dict) else {}, res.at(*base, "Variables"),
                 res.at(*base, "AccessLogSetting"))


def _v2_stages(ctx: Context) -> dict[str, list[Stage]]:
    out: dict[str, list[Stage]] = defaultdict(list)
    for res in ctx.of_type("AWS::ApiGatewayV2::Stage"):
        api = ctx.target(res.prop("ApiId"), V2_API)
        if api is None:
            continue
        variables = res.prop("StageVariables")
        out[api.logical_id].append(
            Stage(res.id, res.prop("StageName"), res.node, res.prop("AccessLogSettings", "DestinationArn"), None,
                  res.prop("DefaultRouteSettings", "ThrottlingRateLimit"),
                  res.prop("DefaultRouteSettings", "ThrottlingBurstLimit"),
                  variables if isinstance(variables, dict) else {}, res.at("StageVariables"),
                  res.at("AccessLogSettings"))
        )
    return out


_REST_AUTH = {"NONE": AuthKind.NONE, "AWS_IAM": AuthKind.IAM, "COGNITO_USER_POOLS": AuthKind.COGNITO,
              "CUSTOM": AuthKind.LAMBDA}
_V2_AUTH = {"NONE": AuthKind.NONE, "AWS_IAM": AuthKind.IAM, "JWT": AuthKind.JWT, "CUSTOM": AuthKind.LAMBDA}


def _rest_method_routes(ctx: Context, api: Resource) -> list[Route]:
    """Routes written as AWS::ApiGateway::Method resources."""
    paths: dict[str, str] = {}
    resources = {r.logical_id: r for r in ctx.of_type("AWS::ApiGateway::Resource")}

    def path_of(value: Value | None, depth: int = 0) -> str:
        if depth > 50:
            return "/..."
        lid = value.name if isinstance(value, Symbol) and value.kind is SymbolKind.RESOURCE else None
        if lid is None or lid not in resources:
            return ""  # the root resource (GetAtt Api.RootResourceId) or unknown
        if lid not in paths:
            node = resources[lid]
            paths[lid] = f"{path_of(node.prop('ParentId'), depth + 1)}/{node.text('PathPart') or '{?}'}"
        return paths[lid]

    authorizers = {r.logical_id: r for r in ctx.of_type("AWS::ApiGateway::Authorizer")}
    routes: list[Route] = []
    for res in ctx.of_type("AWS::ApiGateway::Method"):
        if ctx.target(res.prop("RestApiId"), REST_API) != api.id:
            continue
        method = (res.text("HttpMethod") or "ANY").upper()
        auth_type = (res.text("AuthorizationType") or "NONE").upper()
        authorizer_id = ctx.target(res.prop("AuthorizerId"), "AWS::ApiGateway::Authorizer")
        authorizer = authorizers.get(authorizer_id.logical_id) if authorizer_id else None
        kind = _REST_AUTH.get(auth_type, AuthKind.UNKNOWN)
        if authorizer is not None and (authorizer.text("Type") or "").upper() == "COGNITO_USER_POOLS":
            kind = AuthKind.COGNITO
        api_key = truthy(res.prop("ApiKeyRequired")) is True
        integration_type = (res.text("Integration", "Type") or "").lower()
        routes.append(
            Route(api.id, method, path_of(res.prop("ResourceId")) or "/",
                  RouteAuth(kind, authorizer.logical_id if authorizer else None, api_key), res.node,
                  ctx.function_target(res.prop("Integration", "Uri")),
                  "lambda" if "lambda" in render(res.prop("Integration", "Uri") or "") else integration_type)
        )
    return routes


def _v2_route_resources(ctx: Context) -> dict[str, list[Route]]:
    integrations = {r.logical_id: r for r in ctx.of_type("AWS::ApiGatewayV2::Integration")}
    out: dict[str, list[Route]] = defaultdict(list)
    for res in ctx.of_type("AWS::ApiGatewayV2::Route"):
        api = ctx.target(res.prop("ApiId"), V2_API)
        if api is None:
            continue
        key = res.text("RouteKey") or "$default"
        method, _, path = key.partition(" ")
        auth_type = (res.text("AuthorizationType") or "NONE").upper()
        kind = _V2_AUTH.get(auth_type, AuthKind.UNKNOWN)
        authorizer_id = ctx.target(res.prop("AuthorizerId"), "AWS::ApiGatewayV2::Authorizer")
        function = None
        target = res.prop("Target")
        for sym in (p for p in (target.parts if isinstance(target, Concat) else ()) if isinstance(p, Symbol)):
            integration = integrations.get(sym.name)
            if integration is not None:
                function = ctx.function_target(integration.prop("IntegrationUri"))
        out[api.logical_id].append(
            Route(api, method.upper() if path else method, path,
                  RouteAuth(kind, authorizer_id.logical_id if authorizer_id else None,
                            truthy(res.prop("ApiKeyRequired")) is True),
                  res.node, function, "lambda" if function else "")
        )
    return out


def _rest_cors(ctx: Context, res: Resource) -> Cors | None:
    """CORS from the preflight integrations, located at what the author wrote: SAM's ``Cors`` (or
    ``Globals.Api.Cors``), else the first preflight operation of their OpenAPI, else the API."""
    cors = openapi.rest_cors(res.prop("Body"), res.node)
    if cors is None:
        return None
    written = res.at("Cors")
    if ctx.doc.marks.has(written.path):
        return dataclasses.replace(cors, node=written)
    body = res.prop("Body")
    paths = body.get("paths") if isinstance(body, dict) else None
    for path, ops in paths.items() if isinstance(paths, dict) else ():
        if isinstance(ops, dict) and "options" in ops:
            node = res.at("Body", "paths", path, "options")
            if ctx.doc.marks.has(node.path):
                return dataclasses.replace(cors, node=node)
    return cors


def _cors(raw: Mapping[str, Value], node: NodePath) -> Cors:
    credentials = truthy(raw.get("AllowCredentials")) if raw.get("AllowCredentials") is not None else None
    return Cors(items(raw.get("AllowOrigins")), credentials, items(raw.get("AllowMethods")),
                items(raw.get("AllowHeaders")), node)
