"""``AWS::Serverless::Api`` and the functions' ``Api`` events, expanded as aws-sam-translator expands them.

The translator works in three passes, reproduced here in its order:

1. before any resource is expanded (its plugins), an explicit API without ``DefinitionBody``/``DefinitionUri``
   gets a skeleton OpenAPI document that SAM manages; the implicit ``ServerlessRestApi`` (stage ``Prod``) is
   added when a function has an ``Api`` event without ``RestApiId``; each event's path and method are added to
   the managed document of its API; ``Globals.Api`` is merged; a managed document of an API with a 3.x
   ``OpenApiVersion`` becomes an ``openapi`` document (:func:`plan_rest_apis`);
2. while the functions expand, each ``Api`` event makes its ``AWS::Lambda::Permission`` and writes its Lambda
   proxy integration into a managed document (:func:`api_event`);
3. then each API becomes its ``RestApi``, ``Deployment`` and ``Stage`` (:func:`expand_rest_api`), the implicit
   one after the explicit ones.

What differs from the translator, by design: the order of keys inside a generated OpenAPI document and the
digest that names the ``Deployment`` (its logical id suffix and ``Description``). The translator orders those
documents as Python 2.7 would have ordered its dicts after the copies its editors happen to make, and digests
that text; remit writes the document in the order it builds it and digests it the same way (the text of the
document, the ``OpenApiVersion``, the names of the functions behind the API), so the id still changes exactly
when the API does. The equivalence tests compare everything else key for key.

``Auth`` is :mod:`.rest_auth`'s. Anything else an API can say (CORS, models, gateway responses, custom domains,
usage plans, resource policies, binary media types, canary settings, an event's ``Auth``/``RequestModel``/
``RequestParameters``, conditions and deletion policies that SAM carries from a function to its API...) is
refused, and the translator expands the template."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from remit.loaders.sam_native.api_common import (
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
from remit.loaders.sam_native.common import (
    FunctionContext,
    Refused,
    clone,
    is_intrinsic,
    main_resource,
    refers_to_parameters,
)
from remit.loaders.sam_native.events_base import Prop, is_bool, is_dict, is_int, is_list, is_str, permission, read_event
from remit.loaders.sam_native.globals_ import merged
from remit.loaders.sam_native.rest_auth import (
    CALLER_CREDENTIALS,
    apply_auth,
    authorizer_permissions,
    check_auth,
    check_event_auth,
    editable,
    event_auth,
)
from remit.loaders.sam_native.rest_cors import apply_cors, cors_settings, openapi3_postprocess
from remit.loaders.sam_native.rest_domain import check_domain, domain_resources

API = "AWS::Serverless::Api"
IMPLICIT = "ServerlessRestApi"
_IMPLICIT_STAGE = "Prod"
_OPENAPI = re.compile(r"\A[2-3](\.\d)(\.\d)?$")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")



# the properties of an AWS::Serverless::Api reproduced here, with the type the translator checks
_API_PROPS: dict[str, Prop] = {
    "StageName": Prop(str_or_dict, required=True),
    "Name": Prop(str_or_dict),
    "Description": Prop(is_str),
    "DefinitionBody": Prop(is_dict),
    "DefinitionUri": Prop(str_or_dict),
    "CacheClusterEnabled": Prop(is_bool),
    "CacheClusterSize": Prop(is_str),
    "Variables": Prop(is_dict),
    "EndpointConfiguration": Prop(str_or_dict),
    "MethodSettings": Prop(is_list),
    "MinimumCompressionSize": Prop(is_int),
    "AccessLogSetting": Prop(is_dict),
    "TracingEnabled": Prop(is_bool),
    "OpenApiVersion": Prop(is_str),
    "FailOnWarnings": Prop(is_bool),
    "Mode": Prop(is_str),
    "ApiKeySourceType": Prop(is_str),
    "AlwaysDeploy": Prop(is_bool, intrinsics=False),
    "Policy": Prop(str_or_dict),
    "SecurityPolicy": Prop(is_str),
    "EndpointAccessMode": Prop(is_str),
    "Auth": Prop(is_dict),
    "Cors": Prop(str_or_dict),
    "DisableExecuteApiEndpoint": Prop(is_bool),
    "BinaryMediaTypes": Prop(is_list),
    "Models": Prop(is_dict, intrinsics=False),
    "Domain": Prop(is_dict, intrinsics=False),
}
# the RestApi's and the Stage's properties in the order the translator writes them
_REST_API_ORDER = ("Body", "BodyS3Location", "Description", "FailOnWarnings", "Name", "Parameters",
                   "EndpointConfiguration", "BinaryMediaTypes", "MinimumCompressionSize", "Mode", "ApiKeySourceType",
                   "Policy", "SecurityPolicy", "EndpointAccessMode")
_STAGE_FROM_API = {"AccessLogSetting": "AccessLogSetting", "CacheClusterEnabled": "CacheClusterEnabled",
                   "CacheClusterSize": "CacheClusterSize", "TracingEnabled": "TracingEnabled",
                   "Variables": "Variables", "MethodSettings": "MethodSettings"}
_STAGE_ORDER = ("AccessLogSetting", "CacheClusterEnabled", "CacheClusterSize", "DeploymentId", "RestApiId",
                "StageName", "TracingEnabled", "Variables", "MethodSettings")
_EVENT_PROPS: dict[str, Prop] = {
    "Path": Prop(is_str, required=True, intrinsics=False),
    "Method": Prop(is_str, required=True, intrinsics=False),
    "RestApiId": Prop(is_str),
    "Auth": Prop(is_dict, intrinsics=False),
}


@dataclass(eq=False)
class RestApiPlan:
    """The template's REST APIs while the expansion runs (mutable, one per template).

    ``properties`` are each API's properties with ``Globals.Api`` merged (the implicit API's included);
    ``managed`` the OpenAPI documents SAM writes, filled in as the events expand; ``stages`` the suffix of the
    permission an event on that API gets; ``function_names`` the names of the functions behind each API, which
    the deployment digest includes."""

    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    managed: dict[str, dict[str, Any]] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    function_names: dict[str, str] = field(default_factory=dict)
    implicit: bool = False


def _skeleton() -> dict[str, Any]:
    return {"swagger": "2.0", "info": {"version": "1.0", "title": {"Ref": "AWS::StackName"}}, "paths": {}}




def _check_api(props: Mapping[str, Any]) -> None:
    for key, value in props.items():
        prop = _API_PROPS.get(key)
        if prop is None:
            raise Refused(f"Api: {key}")
        if value is None:
            raise Refused("Api: a property without a value")
        if not (prop.check(value) or (prop.intrinsics and is_intrinsic(value))):
            raise Refused(f"Api: {key} of type {type(value).__name__}")
    for key, prop in _API_PROPS.items():
        if prop.required and key not in props:
            raise Refused(f"Api: {key} missing")
    version = props.get("OpenApiVersion")
    if version is not None and not (isinstance(version, str) and _OPENAPI.match(version)):
        raise Refused("Api: OpenApiVersion the translator rejects")
    if "DefinitionBody" in props and "DefinitionUri" in props:
        raise Refused("Api: both DefinitionBody and DefinitionUri")
    stage = props["StageName"]
    if stage == "" or (isinstance(stage, dict) and not is_intrinsic(stage)):
        raise Refused("Api: StageName")
    endpoint = props.get("EndpointConfiguration")
    if isinstance(endpoint, dict) and not is_intrinsic(endpoint):
        if not endpoint.get("Type") or set(endpoint) - {"Type", "VPCEndpointIds", "VpcEndpointIds", "IpAddressType"}:
            raise Refused("Api: EndpointConfiguration in a shape not reproduced")
        if "VPCEndpointIds" in endpoint and "VpcEndpointIds" in endpoint:
            raise Refused("Api: EndpointConfiguration with both VPCEndpointIds and VpcEndpointIds")
    body = props.get("DefinitionBody")
    if body is not None and (not body or (is_intrinsic(body) and set(body) != {"Fn::Transform"})
                             or (len(body) > 1 and "Fn::Transform" in body)):
        raise Refused("Api: DefinitionBody in a shape not reproduced")
    uri = props.get("DefinitionUri")
    if uri is not None and s3_location(uri, ("Version", "Bucket", "Key")) is None:
        raise Refused("Api: DefinitionUri in a shape not reproduced")



def plan_rest_apis(resources: Mapping[str, Any], sam: list[tuple[str, dict[str, Any]]],
                   globals_: Mapping[str, Any], parameters: Mapping[str, Any]) -> RestApiPlan:
    """What the translator's plugins do to the template's REST APIs before anything is expanded."""
    plan = RestApiPlan()
    api_globals = globals_.get("Api", {})
    for lid, res in sam:
        if res["Type"] != API:
            continue
        own = res["Properties"]
        _check_api(merged(api_globals, own))
        check_auth(merged(api_globals, own), parameters)
        if "DisableExecuteApiEndpoint" in merged(api_globals, own) and ("DefinitionBody" in own or
                                                                         "DefinitionUri" in own):
            raise Refused("Api: DisableExecuteApiEndpoint with the author's own document")
        for name in ("Cors", "Models", "BinaryMediaTypes"):
            if name in merged(api_globals, own) and (("DefinitionBody" in own and not editable(own["DefinitionBody"]))
                                                     or (name == "Models" and "DefinitionUri" in own)
                                                     or (name == "Cors" and "DefinitionUri" in own)):
                raise Refused(f"Api: {name} with the author's own document")
        _check_models_and_media(merged(api_globals, own), parameters)
        check_domain(merged(api_globals, own).get("Domain"), parameters)
        cors_settings(merged(api_globals, own).get("Cors"))
        if "DefinitionBody" not in own and "DefinitionUri" not in own:
            plan.managed[lid] = _skeleton()
        plan.properties[lid] = merged(api_globals, own)
    if IMPLICIT in resources:
        raise Refused(f"a resource named {IMPLICIT} (the translator's implicit API)")
    paths_added: set[tuple[str, str, str]] = set()
    for res, api_events in functions_with_events(sam, "Api", "Api"):
        function_name = res["Properties"].get("FunctionName")
        if function_name is not None and not isinstance(function_name, str):
            # the translator digests the name with parameters resolved; the digest is remit's own anyway
            function_name = json.dumps(function_name, sort_keys=True)
        for _name, event in api_events:
            props = event.get("Properties")
            if not isinstance(props, dict) or not props:
                raise Refused("Api: an event without Properties")
            path, method = props.get("Path"), props.get("Method")
            if not isinstance(path, str) or not isinstance(method, str):
                raise Refused("Api: Path or Method is not a string")
            if "RestApiId" in props:
                api = api_id(props["RestApiId"])
                if api is None or (api not in plan.properties and api != IMPLICIT):
                    raise Refused("Api: RestApiId is not a reference to an AWS::Serverless::Api of the template")
            else:
                api = IMPLICIT
            if api == IMPLICIT and not plan.implicit:
                plan.implicit = True
                plan.properties[IMPLICIT] = merged(api_globals, {"StageName": _IMPLICIT_STAGE})
                check_auth(plan.properties[IMPLICIT], parameters)
                check_domain(plan.properties[IMPLICIT].get("Domain"), parameters)
                cors_settings(plan.properties[IMPLICIT].get("Cors"))
                plan.managed[IMPLICIT] = _skeleton()
            key = (api, path, method_key(method))
            if key in paths_added:
                raise Refused("Api: the same path and method twice on one API (the translator rejects it)")
            paths_added.add(key)
            if api in plan.managed:
                plan.managed[api]["paths"].setdefault(path, {}).setdefault(method_key(method), {})
            if function_name:
                plan.function_names[api] = plan.function_names.get(api, "") + function_name
    for api, props in plan.properties.items():
        stage = props["StageName"]
        plan.stages[api] = stage if isinstance(stage, str) else "Stage"
        version = props.get("OpenApiVersion")
        if api in plan.managed and isinstance(version, str) and OPENAPI_3.match(version):
            body = plan.managed[api]
            body["openapi"] = version
            body.pop("swagger")
    return plan


def api_event(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """An ``Api`` event: the permission for API Gateway to call the function, and (for an API whose document SAM
    manages) the route's Lambda proxy integration written into that document."""
    plan = fn.rest_apis
    if plan is None:
        raise Refused("Api: event outside a planned template")
    props = read_event("Api", fn, name, event, _EVENT_PROPS)
    rest_api_id = props.get("RestApiId", {"Ref": IMPLICIT})
    api = api_id(rest_api_id)
    if api is None or api not in plan.properties:
        raise Refused("Api: RestApiId is not a reference to an AWS::Serverless::Api of the template")
    suffix = plan.stages[api]
    if not _ALPHANUMERIC.fullmatch(suffix):
        raise Refused("Api: a stage name that is not alphanumeric (the translator rejects the permission id)")
    if "Auth" in props:
        if api not in plan.managed:
            raise Refused("Api: an event's Auth on the author's own document")
        check_event_auth(props["Auth"], plan.properties[api].get("Auth"))
    path, method = props["Path"], props["Method"]
    route = GREEDY.sub("*", re.sub(r"^(.+)/$", r"\1", path))
    verb = "*" if method.lower() == "any" else method.upper()
    source_arn = {"Fn::Sub": [f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/"
                              f"${{__Stage__}}/{verb}{route}", {"__ApiId__": rest_api_id, "__Stage__": "*"}]}
    made = [permission(fn, f"{fn.logical_id}{name}Permission{suffix}", "apigateway.amazonaws.com", {},
                       source_arn=source_arn)]
    body = plan.managed.get(api)
    if body is not None:
        target = f"${{{fn.alias}}}" if fn.alias else f"${{{fn.logical_id}.Arn}}"
        uri = {"Fn::Sub": f"arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{target}/invocations"}
        item = body["paths"][path][method_key(method)]
        item[INTEGRATION] = {"type": "aws_proxy", "httpMethod": "POST", "uri": uri}
        api_auth = plan.properties[api].get("Auth")
        own = props.get("Auth")
        if (own or {}).get("Authorizer") == "AWS_IAM" or (
                not own and isinstance(api_auth, dict) and api_auth.get("DefaultAuthorizer") == "AWS_IAM"):
            item[INTEGRATION]["credentials"] = CALLER_CREDENTIALS  # the caller's own, as SAM sets by default
        item.setdefault("responses", {})
        if own:
            event_auth(body, item, own, api_auth)
    return made


def _endpoint(value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(Parameters, EndpointConfiguration)`` of the RestApi for the API's ``EndpointConfiguration``."""
    if isinstance(value, dict) and value.get("Type"):
        config: dict[str, Any] = {"Types": [value["Type"]]}
        vpc = value.get("VPCEndpointIds") or value.get("VpcEndpointIds")
        if "VPCEndpointIds" in value or "VpcEndpointIds" in value:
            config["VpcEndpointIds"] = vpc
        if "IpAddressType" in value:
            config["IpAddressType"] = value["IpAddressType"]
        return {"endpointConfigurationTypes": value["Type"]}, config
    return {"endpointConfigurationTypes": value}, {"Types": [value]}


def _postprocessed(body: dict[str, Any], version: Any) -> dict[str, Any]:
    """The author's OpenAPI document as the translator passes it on; refused where it would rewrite it (an
    OpenAPI 3 document with Swagger-2 sections or CORS ``options`` methods)."""
    if body.get("swagger") is not None:
        return body
    if body.get("openapi") is not None and version is None:
        version = body["openapi"]
    if version and OPENAPI_3.match(str(version)):
        if body.get("securityDefinitions") or body.get("definitions"):
            raise Refused("Api: an OpenAPI 3 DefinitionBody with Swagger 2 sections (the translator moves them)")
        paths = body.get("paths")
        if paths and (not isinstance(paths, dict) or any(not isinstance(item, dict) or item.get("options")
                                                         for item in paths.values())):
            raise Refused("Api: an OpenAPI 3 DefinitionBody with options methods or odd paths")
    return body


def _check_models_and_media(props: Mapping[str, Any], parameters: Mapping[str, Any]) -> None:
    models = props.get("Models")
    if models and not all(isinstance(name, str) and isinstance(schema, dict) and not is_intrinsic(schema)
                          and schema.get("type") for name, schema in models.items()):
        raise Refused("Api: Models the translator rejects (a schema without a type)")
    media = props.get("BinaryMediaTypes")
    if media is not None and refers_to_parameters(media, parameters):
        raise Refused("Api: BinaryMediaTypes refers to a parameter (the translator resolves it)")


def _slashed(value: Any) -> Any:
    """Binary media types as the document holds them: ``~1`` (the template's escape of ``/``) made ``/``."""
    if isinstance(value, dict):
        return {key.replace("~1", "/"): _slashed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_slashed(item) for item in value]
    return value.replace("~1", "/") if isinstance(value, str) else value


def _disable_default_endpoint(body: dict[str, Any], value: Any) -> None:
    """``DisableExecuteApiEndpoint`` in the document: at its top for Swagger 2, in its server for OpenAPI 3."""
    setting = {"x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": value}}
    if "openapi" in body:
        body["servers"] = [setting]
    else:
        body.update(setting)



def expand_rest_api(lid: str, resource: Mapping[str, Any], plan: RestApiPlan) -> Iterator[tuple[str, dict[str, Any]]]:
    """The ``RestApi``, ``Deployment`` and ``Stage`` one API becomes, in the translator's order."""
    props = plan.properties[lid]
    written: dict[str, Any] = {}
    endpoint = props.get("EndpointConfiguration")
    if endpoint:
        written["Parameters"], written["EndpointConfiguration"] = _endpoint(endpoint)
    if "MinimumCompressionSize" in props:
        written["MinimumCompressionSize"] = props["MinimumCompressionSize"]
    if props.get("FailOnWarnings"):
        written["FailOnWarnings"] = props["FailOnWarnings"]
    version = props.get("OpenApiVersion")
    body: dict[str, Any] | None = plan.managed.get(lid)
    if body is None and any(props.get(name) for name in ("Auth", "Cors", "Models", "BinaryMediaTypes")) and (
            "DefinitionBody" in props):
        body = props["DefinitionBody"]  # an author's Swagger 2 document SAM edits in place (checked editable)
    if props.get("BinaryMediaTypes"):
        written["BinaryMediaTypes"] = props["BinaryMediaTypes"]
    if body is not None:
        # the translator's steps in its order; each of Auth and Models ends with the OpenAPI 3 pass, as does the API
        apply_cors(body, cors_settings(props.get("Cors")))
        apply_auth(body, props.get("Auth"))
        if props.get("Auth"):
            openapi3_postprocess(body)
        if props.get("BinaryMediaTypes"):
            body["x-amazon-apigateway-binary-media-types"] = _slashed(props["BinaryMediaTypes"])
        if props.get("Models"):
            definitions = body.get("definitions") or {}
            definitions.update((name.lower(), schema) for name, schema in props["Models"].items())
            body["definitions"] = definitions
            openapi3_postprocess(body)
        if props.get("DisableExecuteApiEndpoint") is not None:
            _disable_default_endpoint(body, props["DisableExecuteApiEndpoint"])
        openapi3_postprocess(body)
    if body is None and "DefinitionBody" in props:
        body = _postprocessed(props["DefinitionBody"], version)
    if "DefinitionUri" in props:
        written["BodyS3Location"] = s3_location(props["DefinitionUri"], ("Version", "Bucket", "Key"))
    elif body:
        written["Body"] = body
    for name in ("Name", "Description", "Mode", "ApiKeySourceType", "Policy", "SecurityPolicy",
                 "EndpointAccessMode"):
        if props.get(name):
            written[name] = props[name]
    rest_api = {name: written[name] for name in _REST_API_ORDER if name in written}
    yield lid, main_resource("AWS::ApiGateway::RestApi", resource, rest_api)

    deployment: dict[str, Any] = {"RestApiId": {"Ref": lid}}
    if not version:
        deployment["StageName"] = "Stage"
    deployment_id = f"{lid}Deployment"
    described = written.get("Body") or written.get("BodyS3Location")
    if described:
        digest = deployment_digest(described, version, plan.function_names.get(lid, ""))
        deployment_id += digest[:10]
        deployment = {"Description": f"RestApi deployment id: {digest}", **deployment}
    stage_props: dict[str, Any] = {"DeploymentId": {"Ref": deployment_id}, "RestApiId": {"Ref": lid},
                                   "StageName": props["StageName"]}
    stage_props.update((name, props[name]) for name in _STAGE_FROM_API if props.get(name) is not None)
    yield deployment_id, {"Type": "AWS::ApiGateway::Deployment", "Properties": deployment}
    yield stage_id(lid, props["StageName"]), {
        "Type": "AWS::ApiGateway::Stage",
        "Properties": {name: stage_props[name] for name in _STAGE_ORDER if name in stage_props}}
    yield from authorizer_permissions(lid, props.get("Auth"))
    yield from domain_resources(lid, stage_id(lid, props["StageName"]), props.get("Domain"))


def deployment_digest(described: Mapping[str, Any], version: Any, function_names: str) -> str:
    """The SHA-1 that names a deployment: of the API's document as Python writes it, its ``OpenApiVersion`` and
    the names of the functions behind it, joined as SAM joins them."""
    parts = [repr(clone(described))]
    if version:
        parts.append(str(version))
    if function_names:
        parts.append(function_names)
    return hashlib.sha1("||".join(parts).encode("utf8")).hexdigest()
