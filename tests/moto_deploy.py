"""Deploy an application remit has modelled into moto, resource by resource, the way CloudFormation would.

moto's own CloudFormation cannot deploy the bundled example (its dependency resolution recurses on the
translated SAM template) and would not keep the ``aws:cloudformation:logical-id`` tags on most services, so
this helper plays CloudFormation's part for the parity test: it walks the resources of the model remit built
(the SAM template already translated, intrinsics resolved into symbols), resolves every symbol to the physical
name or ARN of what it created before, and makes the boto3 calls. A resource whose symbols are not all known
yet waits for the next pass; each step of a resource runs once, so a bucket is created before its
notifications (which need the function, whose role needs the bucket) are put.

What it cannot deploy is returned, with the reason, never silently dropped: the parity test lists it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit.model.application import Application
from remit.model.entities import AuthKind, CodeKind
from remit.model.resources import Resource
from remit.model.values import NO_VALUE, Choice, Concat, Symbol, SymbolKind, Unknown

ACCOUNT = "123456789012"
REGION = "us-east-1"
LOGICAL_ID_TAG = "aws:cloudformation:logical-id"
STACK_TAG = "aws:cloudformation:stack-name"


class Pending(Exception):
    """A symbol of a resource not created yet."""


@dataclass
class Deployment:
    stack: str
    parameters: Mapping[str, str]
    conditions: Mapping[str, bool]
    refs: dict[str, str] = field(default_factory=dict)
    atts: dict[tuple[str, str], str] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)  # logical id -> why it was not deployed
    code: dict[str, bytes] = field(default_factory=dict)  # function name -> the zip it was given

    # -- values -------------------------------------------------------------------------------------
    def value(self, v: Any) -> Any:
        """A resolved model value as what AWS would be given (NO_VALUE stays, for the caller to drop)."""
        if isinstance(v, Symbol):
            return self._symbol(v)
        if isinstance(v, Concat):
            return "".join(p if isinstance(p, str) else str(self.value(p)) for p in v.parts)
        if isinstance(v, Choice):
            return self.value(v.when_true if self.conditions.get(v.condition, False) else v.when_false)
        if isinstance(v, Unknown):
            raise Pending(f"unknown value: {v.reason}")
        if isinstance(v, dict):
            return {k: x for k, x in ((k, self.value(x)) for k, x in v.items()) if x is not NO_VALUE}
        if isinstance(v, list):
            return [x for x in (self.value(x) for x in v) if x is not NO_VALUE]
        return v

    def _symbol(self, s: Symbol) -> str:
        if s.kind is SymbolKind.PSEUDO:
            return {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws",
                    "AWS::StackName": self.stack, "AWS::URLSuffix": "amazonaws.com",
                    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{self.stack}/1"}[s.name]
        if s.kind is SymbolKind.PARAMETER:
            return self.parameters[s.name]
        if not s.attribute:
            if s.name in self.refs:
                return self.refs[s.name]
        elif (s.name, s.attribute) in self.atts:
            return self.atts[(s.name, s.attribute)]
        raise Pending(f"{s} not deployed yet")

    def prop(self, r: Resource, name: str, default: Any = None) -> Any:
        raw = r.properties.get(name)
        if raw is None:
            return default
        got = self.value(raw)
        return default if got is NO_VALUE else got

    def once(self, key: str, step: Callable[[], None]) -> None:
        if key not in self.done:
            step()
            self.done.add(key)

    def tags(self, r: Resource) -> dict[str, str]:
        return {LOGICAL_ID_TAG: r.logical_id, STACK_TAG: self.stack}

    def tag_list(self, r: Resource) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tags(r).items()]

    def name(self, r: Resource, prop: str, *, lower: bool = False, limit: int = 64) -> str:
        """The name the template gives, else one made the way CloudFormation makes them:
        ``STACK-LOGICALID-SUFFIX``, cut to the service's limit."""
        given = self.prop(r, prop) if prop else None
        if isinstance(given, str):
            return given
        suffix = hashlib.sha256(r.logical_id.encode()).hexdigest()[:12].upper()
        made = f"{self.stack}-{r.logical_id}"[:limit - len(suffix) - 1] + f"-{suffix}"
        return made.lower() if lower else made


def _policy(doc: Any) -> str:
    return json.dumps(doc if isinstance(doc, dict) and "Version" in doc else {"Version": "2012-10-17", **doc})


def _zip(directory: Path | None, inline: str | None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        if inline is not None:
            zf.writestr("index.py", inline)
        elif directory is not None:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(directory).as_posix())
    return buf.getvalue()


# -- one function per resource type ------------------------------------------------------------------------


class _Deployer:
    def __init__(self, app: Application, session: Any, dep: Deployment) -> None:
        self.app, self.dep = app, dep
        self.c: dict[str, Any] = {}
        self.session = session
        self.functions = {f.id: f for f in app.functions}

    def client(self, service: str) -> Any:
        if service not in self.c:
            self.c[service] = self.session.client(service, region_name=REGION)
        return self.c[service]

    # IAM
    def role(self, r: Resource) -> None:
        d, iam = self.dep, self.client("iam")
        name = d.name(r, "RoleName")
        trust = d.prop(r, "AssumeRolePolicyDocument")

        def create() -> None:
            arn = iam.create_role(RoleName=name, Path=d.prop(r, "Path", "/"), AssumeRolePolicyDocument=_policy(trust),
                                  Tags=d.tag_list(r))["Role"]["Arn"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = name, arn

        d.once(f"{r.logical_id}:create", create)
        for i, policy in enumerate(d.prop(r, "Policies", [])):
            d.once(f"{r.logical_id}:inline:{i}", lambda p=policy: iam.put_role_policy(
                RoleName=name, PolicyName=p["PolicyName"], PolicyDocument=_policy(p["PolicyDocument"])))
        for arn in d.prop(r, "ManagedPolicyArns", []):
            d.once(f"{r.logical_id}:managed:{arn}", lambda a=arn: iam.attach_role_policy(RoleName=name, PolicyArn=a))

    # Lambda
    def function(self, r: Resource) -> None:
        d, lam = self.dep, self.client("lambda")
        fn = self.functions[r.id]
        name = d.name(r, "FunctionName")
        code = _zip(fn.code.path if fn.code.kind is CodeKind.LOCAL else None, fn.code.inline)
        env = d.prop(r, "Environment")
        extra = {k: v for k, v in {
            "Environment": env, "MemorySize": int(d.prop(r, "MemorySize", 128)),
            "Timeout": int(d.prop(r, "Timeout", 3)), "TracingConfig": d.prop(r, "TracingConfig"),
            "Description": d.prop(r, "Description"), "Layers": d.prop(r, "Layers")}.items() if v is not None}
        role = d.prop(r, "Role")

        def create() -> None:
            arn = lam.create_function(FunctionName=name, Runtime=d.prop(r, "Runtime"), Role=role,
                                      Handler=d.prop(r, "Handler"), Code={"ZipFile": code},
                                      Tags=d.tags(r), **extra)["FunctionArn"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = name, arn
            d.code[name] = code

        d.once(f"{r.logical_id}:create", create)

    def permission(self, r: Resource) -> None:
        d = self.dep
        extra = {k: v for k, v in {
            "SourceArn": d.prop(r, "SourceArn"), "SourceAccount": d.prop(r, "SourceAccount"),
            "FunctionUrlAuthType": d.prop(r, "FunctionUrlAuthType"),
            "PrincipalOrgID": d.prop(r, "PrincipalOrgID")}.items() if v is not None}
        if str(d.prop(r, "InvokedViaFunctionUrl", "")).lower() == "true":
            extra["InvokedViaFunctionUrl"] = True
        d.once(r.logical_id, lambda: self.client("lambda").add_permission(
            FunctionName=d.prop(r, "FunctionName"), StatementId=d.name(r, ""), Action=d.prop(r, "Action"),
            Principal=d.prop(r, "Principal"), **extra))

    def url(self, r: Resource) -> None:
        d = self.dep
        cors = d.prop(r, "Cors")
        extra = {"Cors": cors} if cors else {}
        if d.prop(r, "Qualifier"):
            extra["Qualifier"] = d.prop(r, "Qualifier")
        d.once(r.logical_id, lambda: self.client("lambda").create_function_url_config(
            FunctionName=d.prop(r, "TargetFunctionArn"), AuthType=d.prop(r, "AuthType"), **extra))

    def event_source_mapping(self, r: Resource) -> None:
        d = self.dep
        d.once(r.logical_id, lambda: self.client("lambda").create_event_source_mapping(
            FunctionName=d.prop(r, "FunctionName"), EventSourceArn=d.prop(r, "EventSourceArn"),
            **({"BatchSize": int(d.prop(r, "BatchSize"))} if d.prop(r, "BatchSize") else {})))

    # S3
    def bucket(self, r: Resource) -> None:
        d, s3 = self.dep, self.client("s3")
        name = d.name(r, "BucketName", lower=True)

        def create() -> None:
            s3.create_bucket(Bucket=name)
            # S3 refuses ``aws:`` tags from a requester (CloudFormation adds them as the system): in moto's
            # backend directly, as CloudFormation would have
            from moto.s3.models import s3_backends

            s3_backends[ACCOUNT]["global"].put_bucket_tagging(name, d.tags(r))
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = name, f"arn:aws:s3:::{name}"

        d.once(f"{r.logical_id}:create", create)
        block = d.prop(r, "PublicAccessBlockConfiguration")
        if block:
            d.once(f"{r.logical_id}:pab", lambda: s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration={k: str(v).lower() == "true" for k, v in block.items()}))
        ownership = d.prop(r, "OwnershipControls")
        if ownership:
            d.once(f"{r.logical_id}:ownership", lambda: s3.put_bucket_ownership_controls(
                Bucket=name, OwnershipControls=ownership))
        acl = d.prop(r, "AccessControl")
        if acl:
            canned = {"PublicRead": "public-read", "PublicReadWrite": "public-read-write",
                      "AuthenticatedRead": "authenticated-read", "Private": "private"}[acl]
            d.once(f"{r.logical_id}:acl", lambda: s3.put_bucket_acl(Bucket=name, ACL=canned))
        notes = d.prop(r, "NotificationConfiguration")
        if notes:
            config = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": n["Function"], "Events": [n["Event"]]}
                                                       for n in notes.get("LambdaConfigurations", ())]}
            d.once(f"{r.logical_id}:notifications", lambda: s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration=config))

    def bucket_policy(self, r: Resource) -> None:
        d = self.dep
        d.once(r.logical_id, lambda: self.client("s3").put_bucket_policy(
            Bucket=d.prop(r, "Bucket"), Policy=_policy(d.prop(r, "PolicyDocument"))))

    # messaging
    def queue(self, r: Resource) -> None:
        d = self.dep
        name = d.name(r, "QueueName", limit=80)
        attrs = {k: str(v).lower() if isinstance(v, bool) or str(v) in ("True", "False") else str(v)
                 for k, v in {"SqsManagedSseEnabled": d.prop(r, "SqsManagedSseEnabled"),
                              "KmsMasterKeyId": d.prop(r, "KmsMasterKeyId"),
                              "VisibilityTimeout": d.prop(r, "VisibilityTimeout")}.items() if v is not None}

        def create() -> None:
            url = self.client("sqs").create_queue(QueueName=name, Attributes=attrs, tags=d.tags(r))["QueueUrl"]
            d.refs[r.logical_id] = url
            d.atts[(r.logical_id, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
            d.atts[(r.logical_id, "QueueName")] = name

        d.once(r.logical_id, create)

    def queue_policy(self, r: Resource) -> None:
        d = self.dep
        for url in d.prop(r, "Queues", []):
            d.once(f"{r.logical_id}:{url}", lambda u=url: self.client("sqs").set_queue_attributes(
                QueueUrl=u, Attributes={"Policy": _policy(d.prop(r, "PolicyDocument"))}))

    def topic(self, r: Resource) -> None:
        d = self.dep
        name = d.name(r, "TopicName", limit=256)

        def create() -> None:
            arn = self.client("sns").create_topic(Name=name, Tags=d.tag_list(r))["TopicArn"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "TopicName")] = arn, name
            d.atts[(r.logical_id, "TopicArn")] = arn

        d.once(r.logical_id, create)

    def topic_policy(self, r: Resource) -> None:
        d = self.dep
        for arn in d.prop(r, "Topics", []):
            d.once(f"{r.logical_id}:{arn}", lambda a=arn: self.client("sns").set_topic_attributes(
                TopicArn=a, AttributeName="Policy", AttributeValue=_policy(d.prop(r, "PolicyDocument"))))

    def event_bus(self, r: Resource) -> None:
        d = self.dep
        name = d.name(r, "Name")

        def create() -> None:
            arn = self.client("events").create_event_bus(Name=name, Tags=d.tag_list(r))["EventBusArn"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = name, arn
            d.atts[(r.logical_id, "Name")] = name

        d.once(r.logical_id, create)

    def event_bus_policy(self, r: Resource) -> None:
        d = self.dep
        bus, principal = d.prop(r, "EventBusName"), d.prop(r, "Principal")
        # the policy as AWS keeps it (moto would keep Principal "*" as arn:aws:iam::*:root)
        statement = {"Sid": d.prop(r, "StatementId"), "Effect": "Allow", "Action": d.prop(r, "Action"),
                     "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
                     "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}"}
        d.once(r.logical_id, lambda: self.client("events").put_permission(
            EventBusName=bus, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})))

    def rule(self, r: Resource) -> None:
        d, events = self.dep, self.client("events")
        name = d.name(r, "Name")
        bus = d.prop(r, "EventBusName") or "default"
        pattern = d.prop(r, "EventPattern")
        extra = {k: v for k, v in {"ScheduleExpression": d.prop(r, "ScheduleExpression"),
                                   "EventPattern": json.dumps(pattern) if pattern else None}.items() if v}

        def create() -> None:
            arn = events.put_rule(Name=name, EventBusName=bus, State="ENABLED", Tags=d.tag_list(r), **extra)["RuleArn"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = name, arn

        d.once(f"{r.logical_id}:create", create)
        targets = [{k: v for k, v in t.items() if k in ("Id", "Arn", "RoleArn")} for t in d.prop(r, "Targets", [])]
        d.once(f"{r.logical_id}:targets", lambda: events.put_targets(Rule=name, EventBusName=bus, Targets=targets))

    def secret(self, r: Resource) -> None:
        d = self.dep

        def create() -> None:
            arn = self.client("secretsmanager").create_secret(
                Name=d.name(r, "Name"), Description=d.prop(r, "Description", ""), SecretString="not a secret",
                Tags=d.tag_list(r))["ARN"]
            d.refs[r.logical_id] = arn

        d.once(r.logical_id, create)

    def secret_policy(self, r: Resource) -> None:
        d = self.dep
        d.once(r.logical_id, lambda: self.client("secretsmanager").put_resource_policy(
            SecretId=d.prop(r, "SecretId"), ResourcePolicy=_policy(d.prop(r, "ResourcePolicy"))))

    def key(self, r: Resource) -> None:
        d, kms = self.dep, self.client("kms")

        def create() -> None:
            meta = kms.create_key(Description=d.prop(r, "Description", ""), Policy=_policy(d.prop(r, "KeyPolicy")),
                                  Tags=[{"TagKey": k, "TagValue": v} for k, v in d.tags(r).items()],
                                  BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = meta["KeyId"], meta["Arn"]
            if str(d.prop(r, "EnableKeyRotation", "")).lower() == "true":
                kms.enable_key_rotation(KeyId=meta["KeyId"])

        d.once(r.logical_id, create)

    def table(self, r: Resource) -> None:
        d = self.dep
        name = d.name(r, "TableName", limit=255)
        stream = d.prop(r, "StreamSpecification")
        extra: dict[str, Any] = {"StreamSpecification": {"StreamEnabled": True, **stream}} if stream else {}
        sse = d.prop(r, "SSESpecification")
        if sse:
            extra["SSESpecification"] = {"Enabled": str(sse.get("SSEEnabled")).lower() == "true"}

        def create() -> None:
            table = self.client("dynamodb").create_table(
                TableName=name, AttributeDefinitions=d.prop(r, "AttributeDefinitions"),
                KeySchema=d.prop(r, "KeySchema"), BillingMode=d.prop(r, "BillingMode", "PAY_PER_REQUEST"),
                Tags=d.tag_list(r), **extra)["TableDescription"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = name, table["TableArn"]
            if table.get("LatestStreamArn"):
                d.atts[(r.logical_id, "StreamArn")] = table["LatestStreamArn"]

        d.once(r.logical_id, create)

    def log_group(self, r: Resource) -> None:
        d, logs = self.dep, self.client("logs")
        name = d.name(r, "LogGroupName", limit=512)

        def create() -> None:
            logs.create_log_group(logGroupName=name, tags=d.tags(r))
            if d.prop(r, "RetentionInDays"):
                logs.put_retention_policy(logGroupName=name, retentionInDays=int(d.prop(r, "RetentionInDays")))
            d.refs[r.logical_id] = name
            d.atts[(r.logical_id, "Arn")] = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"

        d.once(r.logical_id, create)

    def state_machine(self, r: Resource) -> None:
        d = self.dep
        name = d.name(r, "StateMachineName", limit=80)
        definition = d.prop(r, "DefinitionString") or json.dumps(d.prop(r, "Definition"))

        def create() -> None:
            arn = self.client("stepfunctions").create_state_machine(
                name=name, definition=definition, roleArn=d.prop(r, "RoleArn"),
                tags=[{"key": k, "value": v} for k, v in d.tags(r).items()])["stateMachineArn"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Name")] = arn, name

        d.once(r.logical_id, create)

    # Cognito
    def user_pool(self, r: Resource) -> None:
        d = self.dep
        extra = {k: v for k, v in {"Policies": d.prop(r, "Policies"), "MfaConfiguration": d.prop(r, "MfaConfiguration"),
                                   "Schema": d.prop(r, "Schema"),
                                   "AdminCreateUserConfig": d.prop(r, "AdminCreateUserConfig"),
                                   "LambdaConfig": d.prop(r, "LambdaConfig")}.items() if v is not None}
        for attr in extra.get("Schema", ()):
            attr.update({k: str(v).lower() == "true" for k, v in attr.items() if k in ("Mutable", "Required")})
        policy = extra.get("Policies", {}).get("PasswordPolicy")
        if policy:
            policy.update({k: int(v) if k == "MinimumLength" else str(v).lower() == "true" for k, v in policy.items()})

        def create() -> None:
            pool = self.client("cognito-idp").create_user_pool(PoolName=d.name(r, "UserPoolName"),
                                                               UserPoolTags=d.tags(r), **extra)["UserPool"]
            d.refs[r.logical_id], d.atts[(r.logical_id, "Arn")] = pool["Id"], pool["Arn"]
            d.atts[(r.logical_id, "ProviderName")] = f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"

        d.once(r.logical_id, create)

    def user_pool_client(self, r: Resource) -> None:
        d = self.dep
        extra = {k: v for k, v in {"ExplicitAuthFlows": d.prop(r, "ExplicitAuthFlows"),
                                   "WriteAttributes": d.prop(r, "WriteAttributes"),
                                   "AllowedOAuthFlows": d.prop(r, "AllowedOAuthFlows"),
                                   "CallbackURLs": d.prop(r, "CallbackURLs")}.items() if v is not None}

        def create() -> None:
            client = self.client("cognito-idp").create_user_pool_client(
                UserPoolId=d.prop(r, "UserPoolId"), ClientName=d.name(r, "ClientName"),
                GenerateSecret=str(d.prop(r, "GenerateSecret", "")).lower() == "true", **extra)["UserPoolClient"]
            d.refs[r.logical_id] = client["ClientId"]

        d.once(r.logical_id, create)

    def identity_pool(self, r: Resource) -> None:
        d = self.dep
        providers = d.prop(r, "CognitoIdentityProviders")

        def create() -> None:
            pool = self.client("cognito-identity").create_identity_pool(
                IdentityPoolName=d.name(r, "IdentityPoolName").replace("-", "_"),
                AllowUnauthenticatedIdentities=str(d.prop(r, "AllowUnauthenticatedIdentities")).lower() == "true",
                IdentityPoolTags=d.tags(r),
                **({"CognitoIdentityProviders": providers} if providers else {}))
            d.refs[r.logical_id] = pool["IdentityPoolId"]

        d.once(r.logical_id, create)

    def identity_pool_roles(self, r: Resource) -> None:
        d = self.dep
        d.once(r.logical_id, lambda: self.client("cognito-identity").set_identity_pool_roles(
            IdentityPoolId=d.prop(r, "IdentityPoolId"), Roles=d.prop(r, "Roles")))

    # API Gateway REST: the routes as the model read them (from the OpenAPI body SAM wrote)
    def rest_api(self, r: Resource) -> None:
        d, gw = self.dep, self.client("apigateway")
        api = next(a for a in self.app.apis if a.id == r.id)
        policy = d.prop(r, "Policy")

        def create() -> None:
            made = gw.create_rest_api(name=d.name(r, "Name"), tags=d.tags(r),
                                      **({"policy": _policy(policy)} if policy else {}))
            d.refs[r.logical_id] = made["id"]
            d.atts[(r.logical_id, "RootResourceId")] = made["rootResourceId"]

        d.once(f"{r.logical_id}:create", create)
        api_id = d.refs[r.logical_id]
        for route in api.routes:
            if route.function_id is None:
                continue
            fn_arn = d.atts.get((route.function_id.logical_id, "Arn"))
            if fn_arn is None:
                raise Pending(f"function {route.function_id.logical_id}")
            d.once(f"{r.logical_id}:route:{route.key}", lambda rt=route, arn=fn_arn: self._route(api_id, rt, arn))
        d.done.add(f"{r.logical_id}:routes")  # a deployment needs every method in place

    def _route(self, api_id: str, route: Any, fn_arn: str) -> None:
        gw = self.client("apigateway")
        by_path = {x["path"]: x["id"] for x in gw.get_resources(restApiId=api_id)["items"]}
        path = ""
        for part in route.path.strip("/").split("/"):
            parent = by_path[path or "/"]
            path = f"{path}/{part}"
            if path not in by_path:
                by_path[path] = gw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]
        kind = {AuthKind.NONE: "NONE", AuthKind.IAM: "AWS_IAM"}.get(route.auth.kind)
        if kind is None:
            raise Pending(f"route authorization {route.auth.kind.value} is not deployed by this helper")
        verb = route.method
        gw.put_method(restApiId=api_id, resourceId=by_path[path or "/"], httpMethod=verb, authorizationType=kind,
                      apiKeyRequired=route.auth.api_key_required)
        gw.put_integration(restApiId=api_id, resourceId=by_path[path or "/"], httpMethod=verb, type="AWS_PROXY",
                           integrationHttpMethod="POST",
                           uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn_arn}/invocations")

    def deployment(self, r: Resource) -> None:
        d = self.dep
        api = r.properties.get("RestApiId")
        if isinstance(api, Symbol) and f"{api.name}:routes" not in d.done:
            raise Pending(f"the methods of {api.name}")

        def create() -> None:
            made = self.client("apigateway").create_deployment(restApiId=d.prop(r, "RestApiId"))
            d.refs[r.logical_id] = made["id"]

        d.once(r.logical_id, create)

    def stage(self, r: Resource) -> None:
        d, gw = self.dep, self.client("apigateway")
        api_id, name = d.prop(r, "RestApiId"), d.prop(r, "StageName")
        variables = d.prop(r, "Variables")

        def create() -> None:
            gw.create_stage(restApiId=api_id, stageName=name, deploymentId=d.prop(r, "DeploymentId"),
                            tracingEnabled=str(d.prop(r, "TracingEnabled", "")).lower() == "true",
                            **({"variables": variables} if variables else {}), tags=d.tags(r))
            d.refs[r.logical_id] = name

        d.once(f"{r.logical_id}:create", create)
        log = d.prop(r, "AccessLogSetting")
        if log:
            d.once(f"{r.logical_id}:log", lambda: gw.update_stage(restApiId=api_id, stageName=name, patchOperations=[
                {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": log["DestinationArn"]},
                {"op": "replace", "path": "/accessLogSettings/format", "value": log.get("Format", "")}]))

    def usage_plan(self, r: Resource) -> None:
        d = self.dep
        throttle = d.prop(r, "Throttle")

        def create() -> None:
            made = self.client("apigateway").create_usage_plan(
                name=d.name(r, "UsagePlanName"),
                apiStages=[{"apiId": s["ApiId"], "stage": s["Stage"]} for s in d.prop(r, "ApiStages", [])],
                **({"throttle": {"rateLimit": float(throttle["RateLimit"]), "burstLimit": int(throttle["BurstLimit"])}}
                   if throttle else {}))
            d.refs[r.logical_id] = made["id"]

        d.once(r.logical_id, create)

    def api_key(self, r: Resource) -> None:
        d = self.dep

        def create() -> None:
            made = self.client("apigateway").create_api_key(
                name=d.name(r, "Name"), enabled=True,
                stageKeys=[{"restApiId": s["RestApiId"], "stageName": s["StageName"]}
                           for s in d.prop(r, "StageKeys", [])])
            d.refs[r.logical_id] = made["id"]

        d.once(r.logical_id, create)

    def usage_plan_key(self, r: Resource) -> None:
        d = self.dep
        d.once(r.logical_id, lambda: self.client("apigateway").create_usage_plan_key(
            usagePlanId=d.prop(r, "UsagePlanId"), keyId=d.prop(r, "KeyId"), keyType="API_KEY"))


_HANDLERS: Mapping[str, Callable[[_Deployer, Resource], None]] = {
    "AWS::IAM::Role": _Deployer.role, "AWS::Lambda::Function": _Deployer.function,
    "AWS::Lambda::Permission": _Deployer.permission, "AWS::Lambda::Url": _Deployer.url,
    "AWS::Lambda::EventSourceMapping": _Deployer.event_source_mapping, "AWS::S3::Bucket": _Deployer.bucket,
    "AWS::S3::BucketPolicy": _Deployer.bucket_policy, "AWS::SQS::Queue": _Deployer.queue,
    "AWS::SQS::QueuePolicy": _Deployer.queue_policy, "AWS::SNS::Topic": _Deployer.topic,
    "AWS::SNS::TopicPolicy": _Deployer.topic_policy, "AWS::Events::EventBus": _Deployer.event_bus,
    "AWS::Events::EventBusPolicy": _Deployer.event_bus_policy, "AWS::Events::Rule": _Deployer.rule,
    "AWS::SecretsManager::Secret": _Deployer.secret, "AWS::SecretsManager::ResourcePolicy": _Deployer.secret_policy,
    "AWS::KMS::Key": _Deployer.key, "AWS::DynamoDB::Table": _Deployer.table, "AWS::Logs::LogGroup": _Deployer.log_group,
    "AWS::StepFunctions::StateMachine": _Deployer.state_machine, "AWS::Cognito::UserPool": _Deployer.user_pool,
    "AWS::Cognito::UserPoolClient": _Deployer.user_pool_client, "AWS::Cognito::IdentityPool": _Deployer.identity_pool,
    "AWS::Cognito::IdentityPoolRoleAttachment": _Deployer.identity_pool_roles,
    "AWS::ApiGateway::RestApi": _Deployer.rest_api, "AWS::ApiGateway::Deployment": _Deployer.deployment,
    "AWS::ApiGateway::Stage": _Deployer.stage, "AWS::ApiGateway::UsagePlan": _Deployer.usage_plan,
    "AWS::ApiGateway::ApiKey": _Deployer.api_key, "AWS::ApiGateway::UsagePlanKey": _Deployer.usage_plan_key,
}


def deploy(app: Application, session: Any, *, stack: str = "orders", parameters: Mapping[str, str] | None = None,
           conditions: Mapping[str, bool] | None = None) -> Deployment:
    """Create every resource of ``app`` in the account of ``session`` (moto); returns what was made and what
    was skipped, with why."""
    dep = Deployment(stack, parameters or {}, conditions or {})
    deployer = _Deployer(app, session, dep)
    waiting: dict[str, Resource] = {}
    for r in app.resources:
        if r.type not in _HANDLERS:
            dep.skipped[r.logical_id] = f"{r.type}: this helper does not deploy it"
        elif r.condition is not None and not dep.conditions.get(r.condition, False):
            dep.skipped[r.logical_id] = f"condition {r.condition} is false"
        else:
            waiting[r.logical_id] = r
    while waiting:
        before = (len(waiting), len(dep.done))
        why: dict[str, str] = {}
        for lid, r in list(waiting.items()):
            try:
                _HANDLERS[r.type](deployer, r)
            except Pending as exc:
                why[lid] = str(exc)
            except NotImplementedError as exc:  # a call moto does not emulate
                dep.skipped[lid] = f"moto: {exc}"
                del waiting[lid]
            else:
                del waiting[lid]
        if (len(waiting), len(dep.done)) == before:  # no step of any resource could run: the rest never will
            dep.skipped.update(why)
            break
    return dep
