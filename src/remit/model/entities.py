"""Typed views of an application: what rules, the IAM engine and the attack graph reason about.

Each view wraps the :class:`~remit.model.resources.Resource` it was read from (``resource``), so a rule can
always point at the author's own line with ``view.at("Property", ...)``. Fields hold resolved
:data:`~remit.model.values.Value` s; ``None`` means the template does not set the property.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from remit.model.policy import Policy, PolicyDocument
from remit.model.resources import Resource, ResourceId
from remit.model.triggers import TRIGGERS, Invocation, TriggerKind, TriggerSpec
from remit.model.values import Unknown, Value, present_options, truthy
from remit.source import NodePath, PathKey


@dataclass(frozen=True)
class Entity:
    resource: Resource

    @property
    def id(self) -> ResourceId:
        return self.resource.id

    @property
    def logical_id(self) -> str:
        return self.resource.logical_id

    @property
    def display(self) -> str:
        return self.resource.display

    @property
    def node(self) -> NodePath:
        return self.resource.node

    def at(self, *path: PathKey) -> NodePath:
        return self.resource.at(*path)


# ------------------------------------------------------------------------------------------------
# compute


class CodeKind(StrEnum):
    LOCAL = "local"  # a directory or archive in the repository
    INLINE = "inline"  # ZipFile / InlineCode in the template
    S3 = "s3"  # an object in S3: not in the repository
    IMAGE = "image"  # a container image
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CodeLocation:
    kind: CodeKind
    display: str  # as written: "src/api/", "s3://bucket/key", "<inline>"
    path: Path | None = None  # absolute local path when kind is LOCAL
    inline: str | None = None  # the source text when kind is INLINE


@dataclass(frozen=True)
class Function(Entity):
    name: Value
    runtime: Value | None
    handler: Value | None
    package_type: str
    code: CodeLocation
    role: Value | None
    role_id: ResourceId | None
    environment: Mapping[str, Value]
    layers: tuple[Value, ...]
    reserved_concurrency: Value | None
    dead_letter_target: Value | None
    tracing: Value | None
    vpc: Mapping[str, Value] | None
    kms_key: Value | None
    log_group: Value | None  # LoggingConfig.LogGroup
    timeout: Value | None
    architectures: tuple[Value, ...] = ()


@dataclass(frozen=True)
class FunctionUrl(Entity):
    function_id: ResourceId | None
    target: Value
    auth_type: Value
    cors: Mapping[str, Value] | None
    invoke_mode: Value | None
    qualifier: Value | None


@dataclass(frozen=True)
class LambdaPermission(Entity):
    function_id: ResourceId | None
    function_ref: Value
    action: Value
    principal: Value
    source_arn: Value | None
    source_account: Value | None
    principal_org_id: Value | None
    function_url_auth_type: Value | None
    invoked_via_function_url: Value | None
    event_source_token: Value | None

    @property
    def for_function_url(self) -> bool:
        """The public permission a function URL with ``AuthType: NONE`` needs (reported with the URL)."""
        return self.function_url_auth_type is not None or self.invoked_via_function_url is not None


@dataclass(frozen=True)
class EventInvokeConfig(Entity):
    function_id: ResourceId | None
    on_failure: Value | None
    on_success: Value | None
    max_retries: Value | None


@dataclass(frozen=True)
class LayerVersion(Entity):
    name: Value
    content: CodeLocation
    runtimes: tuple[Value, ...]


# ------------------------------------------------------------------------------------------------
# entry points


@dataclass(frozen=True, slots=True)
class Trigger:
    """Something that invokes a function: an entry point for whoever controls the source."""

    kind: TriggerKind
    function_id: ResourceId
    node: NodePath
    detail: str  # "GET /orders", "s3:ObjectCreated:*", "rate(1 day)"
    source_id: ResourceId | None = None  # the bucket, queue, topic, rule, API, pool... when in the template
    source: Value | None = None  # the source as written (an ARN) when not
    carrier: ResourceId | None = None  # the resource that wires it (mapping, permission, rule, route)
    filters: Mapping[str, Value] = field(default_factory=dict)
    on_failure: Value | None = None  # event source mapping's DestinationConfig.OnFailure

    @property
    def spec(self) -> TriggerSpec:
        """What this kind of trigger is (:data:`remit.model.triggers.TRIGGERS`)."""
        return TRIGGERS[self.kind]

    @property
    def invocation(self) -> Invocation:
        return TRIGGERS[self.kind].invocation


# ------------------------------------------------------------------------------------------------
# APIs


class AuthKind(StrEnum):
    NONE = "none"
    IAM = "iam"
    COGNITO = "cognito"
    JWT = "jwt"
    LAMBDA = "lambda"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RouteAuth:
    kind: AuthKind
    authorizer: str | None = None
    api_key_required: bool = False

    @property
    def is_open(self) -> bool:
        """Anyone who can reach the endpoint can call the route."""
        return self.kind is AuthKind.NONE and not self.api_key_required

    def describe(self) -> str:
        parts = [self.kind.value if self.authorizer is None else f"{self.kind.value} ({self.authorizer})"]
        if self.api_key_required:
            parts.append("API key")
        return " + ".join(parts)


@dataclass(frozen=True, slots=True)
class Route:
    api_id: ResourceId
    method: str  # upper case; ANY for any method; "$default", "$connect"... for HTTP and WebSocket keys
    path: str
    auth: RouteAuth
    node: NodePath
    function_id: ResourceId | None = None
    integration: str = ""  # "lambda", "http", "mock", "aws", "" when unknown

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}".strip()


@dataclass(frozen=True, slots=True)
class Cors:
    allow_origins: tuple[Value, ...]
    allow_credentials: bool | None
    allow_methods: tuple[Value, ...]
    allow_headers: tuple[Value, ...]
    node: NodePath


@dataclass(frozen=True, slots=True)
class Stage:
    resource_id: ResourceId
    name: Value
    node: NodePath
    access_log_destination: Value | None
    tracing: Value | None
    throttle_rate: Value | None
    throttle_burst: Value | None
    variables: Mapping[str, Value]
    variables_node: NodePath
    log_node: NodePath


class ApiKind(StrEnum):
    REST = "rest"
    HTTP = "http"
    WEBSOCKET = "websocket"


@dataclass(frozen=True)
class Api(Entity):
    kind: ApiKind
    name: Value
    stages: tuple[Stage, ...]
    routes: tuple[Route, ...]
    cors: Cors | None
    policy: Policy | None  # REST resource policy
    endpoint_types: tuple[Value, ...]
    execute_api_endpoint_disabled: bool

    @property
    def private(self) -> bool:
        return any(t == "PRIVATE" for t in self.endpoint_types)


@dataclass(frozen=True)
class UsagePlan(Entity):
    api_stages: tuple[tuple[ResourceId | None, Value], ...]
    throttle_rate: Value | None
    throttle_burst: Value | None


# ------------------------------------------------------------------------------------------------
# IAM


@dataclass(frozen=True)
class IamPrincipal(Entity):
    name: Value
    policies: tuple[Policy, ...]
    boundary: Policy | None


NO_TRUST = Unknown("no trust policy")


@dataclass(frozen=True)
class Role(IamPrincipal):
    trust: PolicyDocument | Unknown = NO_TRUST


@dataclass(frozen=True)
class User(IamPrincipal):
    groups: tuple[ResourceId, ...] = ()
    has_login_profile: bool = False
    has_access_key: bool = False  # an AWS::IAM::AccessKey (aws_iam_access_key) is made for it in the app


@dataclass(frozen=True)
class Group(IamPrincipal):
    pass


@dataclass(frozen=True)
class InstanceProfile(Entity):
    roles: tuple[ResourceId, ...]


# ------------------------------------------------------------------------------------------------
# data stores


@dataclass(frozen=True)
class DataStore(Entity):
    name: Value
    policy: Policy | None  # the resource policy, when one applies
    kms_key: Value | None  # the customer managed key, when one is set

    kind: str = "data-store"
    # defined outside the scanned app: known only from a resource policy that names it (``resource`` is that
    # policy), so its own configuration (encryption, Block Public Access) is not the app's to judge
    external: bool = False


@dataclass(frozen=True)
class Bucket(DataStore):
    public_access_block: Mapping[str, Value] | None = None
    acl: Value | None = None
    encryption_algorithms: tuple[Value, ...] = ()
    ownership: Value | None = None
    kind: str = "s3-bucket"

    def blocks(self, *flags: str) -> bool:
        """One of ``flags`` (``BlockPublicAcls``, ``IgnorePublicAcls``, ``BlockPublicPolicy``,
        ``RestrictPublicBuckets``) is written as true on the bucket's ``PublicAccessBlockConfiguration``, in every
        branch of a condition: S3 then refuses or ignores that kind of public access."""
        pab = self.public_access_block or {}
        for flag in flags:
            value = pab.get(flag)
            if value is None:
                continue
            branches = [truthy(v) for v in present_options(value)]
            if branches and all(b is True for b in branches):
                return True
        return False


@dataclass(frozen=True)
class Table(DataStore):
    sse_enabled: Value | None = None
    stream_view: Value | None = None
    kind: str = "dynamodb-table"


@dataclass(frozen=True)
class Queue(DataStore):
    sqs_managed_sse: Value | None = None
    dead_letter_target: Value | None = None
    kind: str = "sqs-queue"


@dataclass(frozen=True)
class Topic(DataStore):
    kind: str = "sns-topic"


@dataclass(frozen=True)
class EventBus(DataStore):
    kind: str = "eventbridge-bus"


@dataclass(frozen=True)
class Secret(DataStore):
    rotation: bool = False
    generated: bool = False  # GenerateSecretString rather than a written SecretString
    kind: str = "secret"


@dataclass(frozen=True)
class KmsKey(DataStore):
    rotation: Value | None = None
    kind: str = "kms-key"


@dataclass(frozen=True)
class StateMachine(DataStore):
    definition: Value | None = None
    definition_node: NodePath | None = None
    role: Value | None = None
    role_id: ResourceId | None = None
    logging: Mapping[str, Value] | None = None
    tracing: Value | None = None
    kind: str = "state-machine"


@dataclass(frozen=True)
class LogGroup(Entity):
    name: Value
    retention_days: Value | None
    kms_key: Value | None


# ------------------------------------------------------------------------------------------------
# Cognito


@dataclass(frozen=True, slots=True)
class CustomAttribute:
    name: str
    mutable: bool
    node: NodePath
    developer_only: bool = False  # DeveloperOnlyAttribute: only administrators (dev:custom:...) can write it


@dataclass(frozen=True)
class UserPool(Entity):
    name: Value
    password_policy: Mapping[str, Value] | None
    mfa: Value | None
    custom_attributes: tuple[CustomAttribute, ...]
    admin_create_user_only: Value | None
    lambda_triggers: Mapping[str, Value]


@dataclass(frozen=True)
class UserPoolClient(Entity):
    pool_id: ResourceId | None
    write_attributes: tuple[Value, ...] | None  # None: not restricted (every writable attribute)
    generate_secret: Value | None


@dataclass(frozen=True)
class IdentityPool(Entity):
    name: Value
    allow_unauthenticated: Value | None
    authenticated_role: ResourceId | None = None
    unauthenticated_role: ResourceId | None = None
    unauthenticated_role_value: Value | None = None

