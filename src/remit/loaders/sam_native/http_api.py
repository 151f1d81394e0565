"""``AWS::Serverless::HttpApi`` and the functions' ``HttpApi`` events, expanded as aws-sam-translator expands them.

The same three passes as :mod:`.rest_api` (plan before anything expands, events while the functions expand, then
each API), with the HTTP API's own rules: an event without ``Path`` and ``Method`` is the ``$default`` route; the
implicit API is ``ServerlessHttpApi`` with the ``$default`` stage; SAM writes its ``httpapi:createdBy`` tag into
the document and on the stage; events add their integrations to the author's own document too; an event needs no
permission of its own when the same function already serves the API's ``$default`` route; a route's path
parameters are declared on its method; ``Auth`` is :mod:`.http_auth`'s. The stated differences of :mod:`.rest_api`
hold (key order inside the document; no deployment here). ``Tags`` go into the document and on the stage after
the author's, SAM's own last, except where the translator may hold them in a Python 2.7 dict (a template with a
REST API or an HTTP default authorizer): refused there, as are custom domains and an event's
``RouteSettings``/``TimeoutInMillis``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from remit.loaders.sam_native.api_common import (
    ANY_METHOD,
    GREEDY,
    INTEGRATION,
    OPENAPI_3,
    api_id,
    functions_with_events,
    method_key,
    s3_location,
    stage_id,
    str_or_dict,
)
from remit.loaders.sam_native.common import FunctionContext, Refused, is_intrinsic, main_resource
from remit.loaders.sam_native.events_base import Prop, is_bool, is_dict, is_str, permission, read_event
from remit.loaders.sam_native.globals_ import merged
from remit.loaders.sam_native.http_auth import (
    apply_auth,
    authorizer_permissions,
    check_auth,
    check_event_auth,
    event_auth,
)

HTTP_API = "AWS::Serverless::HttpApi"
IMPLICIT = "ServerlessHttpApi"
_DEFAULT = "$default"
_TAG = "httpapi:createdBy"
_PARAMETER = re.compile(r"{(.*?)}")
_FUNCTION_ARN = re.compile(r"([A-Za-z0-9]+\.Arn)")
_STACK_NAME = {"Ref": "AWS::StackName"}



_API_PROPS: dict[str, Prop] = {
    "StageName": Prop(str_or_dict),
    "Name": Prop(lambda value: True),
    "Description": Prop(is_str),
    "DefinitionBody": Prop(is_dict),
    "DefinitionUri": Prop(str_or_dict),
    "StageVariables": Prop(is_dict),
    "AccessLogSettings": Prop(is_dict),
    "DefaultRouteSettings": Prop(is_dict),
    "RouteSettings": Prop(is_dict),
    "FailOnWarnings": Prop(is_bool),
    "Auth": Prop(is_dict),
    "DisableExecuteApiEndpoint": Prop(is_bool),
    "CorsConfiguration": Prop(lambda value: isinstance(value, (bool, dict)), intrinsics=False),
    "Tags": Prop(is_dict, intrinsics=False),
}
_EVENT_PROPS: dict[str, Prop] = {
    "Path": Prop(is_str, intrinsics=False),
    "Method": Prop(is_str, intrinsics=False),
    "ApiId": Prop(is_str),
    "PayloadFormatVersion": Prop(is_str),
    "Auth": Prop(is_dict, intrinsics=False),
}
_STAGE_ORDER = ("AccessLogSettings", "DefaultRouteSettings", "RouteSettings", "ApiId", "StageName", "Tags",
                "StageVariables", "AutoDeploy")


@dataclass(eq=False)
class HttpApiPlan:
    """The template's HTTP APIs while the expansion runs (mutable, one per template): each API's properties
    (``Globals.HttpApi`` merged), its OpenAPI document (SAM's skeleton or the author's, edited by the events)
    and whether SAM manages that document."""

    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    managed: set[str] = field(default_factory=set)
    implicit: bool = False


def _skeleton() -> dict[str, Any]:
    return {"openapi": "3.0.1", "info": {"version": "1.0", "title": dict(_STACK_NAME)}, "paths": {}}




def _valid_document(body: Any) -> bool:
    return (isinstance(body, dict) and bool(body) and isinstance(body.get("paths"), dict)
            and bool(body.get("openapi")) and OPENAPI_3.match(str(body["openapi"])) is not None)


def _py27_dicts(resources: Mapping[str, Any], globals_: Mapping[str, Any]) -> bool:
    """Whether the translator may turn the HTTP APIs' properties into its Python 2.7 dicts, whose order is not
    the author's: it does for a template with a REST API (a resource or an ``Api`` event) or a default
    authorizer on an HTTP API. Said more widely than the translator's own test, never less."""
    http_globals = globals_.get("HttpApi")
    if isinstance(http_globals, dict) and isinstance(http_globals.get("Auth"), dict) and \
            http_globals["Auth"].get("DefaultAuthorizer"):
        return True
    for resource in resources.values():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        props = resource.get("Properties")
        if kind == "AWS::Serverless::Api":
            return True
        if kind == HTTP_API and isinstance(props, dict) and isinstance(props.get("Auth"), dict) and \
                props["Auth"].get("DefaultAuthorizer"):
            return True
        events = props.get("Events") if isinstance(props, dict) else None
        if isinstance(events, dict) and any(isinstance(e, dict) and e.get("Type") == "Api" for e in events.values()):
            return True
    return False


def _check_api(props: Mapping[str, Any]) -> None:
    for key, value in props.items():
        prop = _API_PROPS.get(key)
        if prop is None:
            raise Refused(f"HttpApi: {key}")
        if value is None:
            raise Refused("HttpApi: a property without a value")
        if not (prop.check(value) or (prop.intrinsics and is_intrinsic(value))):
            raise Refused(f"HttpApi: {key} of type {type(value).__name__}")
    if "DefinitionBody" in props and "DefinitionUri" in props:
        raise Refused("HttpApi: both DefinitionBody and DefinitionUri")
    stage = props.get("StageName")
    if isinstance(stage, dict) and not is_intrinsic(stage):
        raise Refused("HttpApi: StageName")
    body = props.get("DefinitionBody")
    if _included(body):
        if props.get("Name") or props.get("Description"):
            raise Refused("HttpApi: Name or Description with an included DefinitionBody (the translator rejects it)")
    elif body is not None:
        if not _valid_document(body) or "tags" in body or "components" in body:
            raise Refused("HttpApi: DefinitionBody in a shape not reproduced")
        info = body.get("info")
        if not isinstance(info, dict) or (props.get("Name") and info.get("title") != _STACK_NAME) or (
                props.get("Description") and info.get("description")):
            raise Refused("HttpApi: DefinitionBody info in a shape not reproduced")
        if any(not isinstance(item, dict) or is_intrinsic(item) for item in body["paths"].values()):
            raise Refused("HttpApi: DefinitionBody paths in a shape not reproduced")
    if "Tags" in props and ("DefinitionUri" in props or _included(body)):
        raise Refused("HttpApi: Tags with a document outside the template (the translator rejects them)")
    uri = props.get("DefinitionUri")
    if uri is not None and s3_location(uri, ("Bucket", "Key", "Version")) is None:
        raise Refused("HttpApi: DefinitionUri in a shape not reproduced")
    if uri is not None and (props.get("Name") or props.get("Description")):
        raise Refused("HttpApi: Name or Description without a DefinitionBody (the translator rejects it)")


def _included(body: Any) -> bool:
    """A ``DefinitionBody`` that is an ``AWS::Include`` transform: passed on as written, never edited."""
    return isinstance(body, dict) and set(body) == {"Fn::Transform"}



def route_of(event: Mapping[str, Any]) -> tuple[str, str]:
    """``(path, method)`` of an ``HttpApi`` event as the translator completes it: neither given means the
    ``$default`` route of any method."""
    props = event.get("Properties") or {}
    if not isinstance(props, dict):
        raise Refused("HttpApi: Properties is not a mapping")
    path, method = props.get("Path", ""), props.get("Method", "")
    if not path and not method:
        return _DEFAULT, ANY_METHOD
    if not isinstance(path, str) or not isinstance(method, str) or not path or not method:
        raise Refused("HttpApi: Path or Method missing or not a string")
    return path, method


def plan_http_apis(resources: Mapping[str, Any], sam: list[tuple[str, dict[str, Any]]],
                   globals_: Mapping[str, Any]) -> HttpApiPlan:
    """What the translator's plugins do to the template's HTTP APIs before anything is expanded."""
    plan = HttpApiPlan()
    api_globals = globals_.get("HttpApi", {})
    for lid, res in sam:
        if res["Type"] != HTTP_API:
            continue
        own = res["Properties"]
        props = merged(api_globals, own)
        _check_api(props)
        if "Tags" in props and _py27_dicts(resources, globals_):
            raise Refused("HttpApi: Tags where the translator may hold them in a Python 2.7 dict")
        if "DefinitionBody" in own:
            plan.bodies[lid] = own["DefinitionBody"]
        elif "DefinitionUri" not in own:
            plan.bodies[lid] = _skeleton()
            plan.managed.add(lid)
        check_auth(props, lid in plan.managed)
        for name in ("DisableExecuteApiEndpoint", "CorsConfiguration"):
            if name in props and lid not in plan.managed:
                raise Refused(f"HttpApi: {name} with the author's own document")
        plan.properties[lid] = props
    if IMPLICIT in resources:
        raise Refused(f"a resource named {IMPLICIT} (the translator's implicit API)")
    routes: set[tuple[str, str, str]] = set()
    for _, api_events in functions_with_events(sam, "HttpApi", "HttpApi"):
        for _name, event in api_events:
            path, method = route_of(event)
            props = event.get("Properties") or {}
            if "ApiId" in props:
                api = api_id(props["ApiId"])
                if api is None or (api not in plan.properties and api != IMPLICIT):
                    raise Refused("HttpApi: ApiId is not a reference to an AWS::Serverless::HttpApi of the template")
            else:
                api = IMPLICIT
            if api == IMPLICIT and not plan.implicit:
                plan.implicit = True
                plan.properties[IMPLICIT] = merged(api_globals, {})
                _check_api(plan.properties[IMPLICIT])
                check_auth(plan.properties[IMPLICIT], True)
                plan.bodies[IMPLICIT] = _skeleton()
                plan.managed.add(IMPLICIT)
            key = (api, path, method_key(method))
            if key in routes:
                raise Refused("HttpApi: the same route twice on one API")
            routes.add(key)
            body = plan.bodies.get(api)
            if _included(body):
                raise Refused("HttpApi: an event on an API whose DefinitionBody is included (the translator "
                              "rejects it)")
            if body is None:
                continue
            if api in plan.managed:
                body["paths"].setdefault(path, {}).setdefault(method_key(method), {})
            elif path in body["paths"]:
                raise Refused("HttpApi: an event on a route the author's document already has")
    return plan


def _default_route_serves(body: Mapping[str, Any] | None, function_id: str) -> bool:
    """Whether the document's ``$default`` route (any method) already calls this function (the translator then
    gives the event no permission of its own)."""
    if body is None:
        return False
    item = body["paths"].get(_DEFAULT)
    method = item.get(ANY_METHOD) if isinstance(item, dict) else None
    integration = method.get(INTEGRATION) if isinstance(method, dict) else None
    if not integration:
        return False
    if is_intrinsic(item) or is_intrinsic(method):
        raise Refused("HttpApi: a conditional $default route")
    uri = integration.get("uri") if isinstance(integration, dict) else None
    if not isinstance(uri, dict):
        return False
    if is_intrinsic(uri) and "Fn::Sub" not in uri:
        raise Refused("HttpApi: a conditional $default integration")
    found = _FUNCTION_ARN.findall(str(uri.get("Fn::Sub", "")))
    return bool(found) and found[0].split(".Arn")[0] == function_id


def http_api_event(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """An ``HttpApi`` event: the permission for API Gateway to call the function (unless its ``$default`` route
    already does) and the route's Lambda proxy integration written into the API's document."""
    plan = fn.http_apis
    if plan is None:
        raise Refused("HttpApi: event outside a planned template")
    path, method = route_of(event)
    props = read_event("HttpApi", fn, name, event, _EVENT_PROPS)
    api_id_value = props.get("ApiId", {"Ref": IMPLICIT})
    api = api_id(api_id_value)
    if api is None or api not in plan.properties:
        raise Refused("HttpApi: ApiId is not a reference to an AWS::Serverless::HttpApi of the template")
    body = plan.bodies.get(api)
    api_auth = plan.properties[api].get("Auth")
    if "Auth" in props:
        if api not in plan.managed:
            raise Refused("HttpApi: an event's Auth on the author's own document")
        check_event_auth(props["Auth"], api_auth)
    function_id = fn.alias or fn.logical_id
    made: list[tuple[str, dict[str, Any]]] = []
    route = re.sub(r"^(.+)/$", r"\1", path)
    if route == _DEFAULT or not _default_route_serves(body, function_id):
        route = "" if route == _DEFAULT else GREEDY.sub("*", route)
        verb = "*" if method.lower() in ("any", ANY_METHOD) else method.upper()
        source_arn = {"Fn::Sub": [f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:"
                                  f"${{__ApiId__}}/${{__Stage__}}/{verb}{route}",
                                  {"__ApiId__": api_id_value, "__Stage__": "*"}]}
        made.append(permission(fn, f"{fn.logical_id}{name}Permission", "apigateway.amazonaws.com", {},
                               source_arn=source_arn))
    if body is not None:
        definition = _integrate(body, path, method_key(method), fn, props.get("PayloadFormatVersion"))
        if "Auth" in props:
            event_auth(definition, props["Auth"], api_auth)
    return made


def _integrate(body: dict[str, Any], path: str, method: str, fn: FunctionContext,
               payload_version: Any) -> dict[str, Any]:
    target = f"${{{fn.alias}}}" if fn.alias else f"${{{fn.logical_id}.Arn}}"
    uri = {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                      f"{target}/invocations"}
    item = body["paths"].setdefault(path, {})
    definition = item.setdefault(method, {})
    if not isinstance(definition, dict) or definition.get(INTEGRATION):
        raise Refused("HttpApi: a route that already has an integration")
    definition[INTEGRATION] = {"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "2.0",
                                "uri": uri}
    if path == _DEFAULT and method == ANY_METHOD:
        definition["isDefaultRoute"] = True
    definition.setdefault("responses", {})
    parameters = _PARAMETER.findall(path)
    if parameters:
        listed = definition.setdefault("parameters", [])
        listed.extend({"name": name, "in": "path", "required": True} for name in parameters)
    if payload_version:
        definition[INTEGRATION]["payloadFormatVersion"] = payload_version
    return definition


_CORS_SETTINGS = (("AllowOrigins", "allowOrigins"), ("AllowHeaders", "allowHeaders"),
                  ("AllowMethods", "allowMethods"), ("ExposeHeaders", "exposeHeaders"))


def _cors(body: dict[str, Any], config: Any) -> None:
    """``CorsConfiguration`` as the document's ``x-amazon-apigateway-cors`` (``true``: any origin)."""
    if not config:
        return
    if config is True:
        config = {"AllowOrigins": ["*"]}
    if not isinstance(config, dict) or is_intrinsic(config) or set(config) - {
            "AllowOrigins", "AllowHeaders", "AllowMethods", "ExposeHeaders", "MaxAge", "AllowCredentials"}:
        raise Refused("HttpApi: CorsConfiguration written in a shape not reproduced")
    if '"Ref"' in json.dumps(config) or '"Fn::' in json.dumps(config):
        raise Refused("HttpApi: CorsConfiguration with an intrinsic value (the translator may resolve it)")
    if config.get("AllowCredentials") is True and config.get("AllowOrigins") == ["*"]:
        raise Refused("HttpApi: CorsConfiguration AllowCredentials with any origin (the translator rejects it)")
    cors: dict[str, Any] = {key: config[name] for name, key in _CORS_SETTINGS if config.get(name)}
    if config.get("MaxAge") is not None:
        cors["maxAge"] = config["MaxAge"]
    if config.get("AllowCredentials") is True:
        cors["allowCredentials"] = True
    body["x-amazon-apigateway-cors"] = cors



def expand_http_api(lid: str, resource: Mapping[str, Any], plan: HttpApiPlan) -> Iterator[tuple[str, dict[str, Any]]]:
    """The ``AWS::ApiGatewayV2::Api`` and its ``Stage`` one HTTP API becomes, in the translator's order."""
    props = plan.properties[lid]
    body = plan.bodies.get(lid)
    tags: dict[str, Any] | None = None
    written: dict[str, Any] = {}
    if _included(body):
        written["Body"] = body
    elif body is not None:
        if lid in plan.managed:
            _cors(body, props.get("CorsConfiguration"))
            apply_auth(body, props.get("Auth"))
        tags = {**props.get("Tags", {}), _TAG: "SAM"}  # the author's, then SAM's own (which it overwrites)
        body["tags"] = [{"name": name, "x-amazon-apigateway-tag-value": value} for name, value in tags.items()]
        if props.get("DisableExecuteApiEndpoint") is not None:
            body["servers"] = [{"x-amazon-apigateway-endpoint-configuration": {
                "disableExecuteApiEndpoint": props["DisableExecuteApiEndpoint"]}}]
        if props.get("Name"):
            body["info"]["title"] = props["Name"]
        if props.get("Description"):
            body["info"]["description"] = props["Description"]
        if props.get("FailOnWarnings") and _DEFAULT in body["paths"]:
            body["paths"][f"/{_DEFAULT}"] = body["paths"].pop(_DEFAULT)
        written["Body"] = body
    else:
        written["BodyS3Location"] = s3_location(props["DefinitionUri"], ("Bucket", "Key", "Version"))
    if props.get("FailOnWarnings"):
        written["FailOnWarnings"] = props["FailOnWarnings"]
    yield lid, main_resource("AWS::ApiGatewayV2::Api", resource, written)
    yield from authorizer_permissions(lid, props.get("Auth"))
    stage_name = props.get("StageName") or _DEFAULT
    stage: dict[str, Any] = {name: props[name] for name in ("AccessLogSettings", "DefaultRouteSettings",
                                                           "RouteSettings", "StageVariables") if name in props}
    stage.update({"ApiId": {"Ref": lid}, "StageName": stage_name, "AutoDeploy": True})
    if tags is not None:
        stage["Tags"] = tags
    yield stage_id(lid, stage_name, _DEFAULT), {"Type": "AWS::ApiGatewayV2::Stage",
                                       "Properties": {name: stage[name] for name in _STAGE_ORDER if name in stage}}
