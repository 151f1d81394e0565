"""What each function actually uses: its SDK calls' IAM actions on the resources of the template they touch,
plus what the Lambda service does with the function's role (logs, polling its queue, tracing, VPC).

:func:`usage` resolves every :class:`~remit.code.sdk.required.RequiredAction` of a function's calls against the
template: an argument read from an environment variable that the template sets from ``!Ref`` / ``!GetAtt`` of
a resource names that resource, whose ARN is then written as the template would write it (``!GetAtt
Bucket.Arn`` -> ``Symbol``; objects as ``${Bucket.Arn}/*``). :class:`Usage` says whether the function's code
was fully understood (``complete``) and why not (``gaps``) — the least-privilege rules and ``remit policy``
read both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from remit.code.facts import Argument, CodeFacts, EnvRef, SdkCall
from remit.code.sdk.required import CMK, RequiredAction, actions_for, is_dynamic, literal_arn
from remit.model.application import Application
from remit.model.entities import DataStore, Function
from remit.model.resources import Resource, ResourceId
from remit.model.values import (
    Concat,
    Symbol,
    SymbolKind,
    Unknown,
    Value,
    present_options,
    render,
    resource_ref,
    text,
)

ANY = "*"

#: Libraries that call AWS with the function's role on their own (not through calls remit maps), by import
#: path as written (the longest prefix that matches wins: ``aws_lambda_powertools.utilities.parameters.get_secret``
#: before ``aws_lambda_powertools``) -> the IAM services they may call. Grants of those services are "not
#: assessed" for the function (RMT-PERM-001 leaves them alone); the rest of its grants still are. ``()``: the
#: import calls no AWS API with the role (Powertools' logger and metrics write to stdout, its tracer to the X-Ray
#: daemon, whose permissions are the platform's when tracing is active; moto is a test double). ``None``: the
#: library can call any service, so the function's usage is incomplete.
WRAPPERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("aws_lambda_powertools", ()),
    ("aws_lambda_powertools.utilities.parameters", ("ssm", "secretsmanager", "appconfig", "dynamodb")),
    *((f"aws_lambda_powertools.utilities.parameters.{name}", ("ssm",))
      for name in ("get_parameter", "get_parameters", "get_parameters_by_name", "set_parameter", "SSMProvider")),
    *((f"aws_lambda_powertools.utilities.parameters.{name}", ("secretsmanager",))
      for name in ("get_secret", "get_secrets_by_name", "set_secret", "SecretsProvider")),
    *((f"aws_lambda_powertools.utilities.parameters.{name}", ("appconfig",))
      for name in ("get_app_config", "AppConfigProvider")),
    ("aws_lambda_powertools.utilities.parameters.DynamoDBProvider", ("dynamodb",)),
    ("aws_lambda_powertools.utilities.idempotency", ("dynamodb",)),
    ("aws_lambda_powertools.utilities.feature_flags", ("appconfig",)),
    ("aws_lambda_powertools.utilities.streaming", ("s3",)),
    ("aws_lambda_powertools.utilities.data_masking", ("kms",)),
    ("pynamodb", ("dynamodb",)),
    ("s3fs", ("s3",)),
    ("smart_open", ("s3",)),
    ("dynamodb_encryption_sdk", ("dynamodb", "kms")),
    ("aws_encryption_sdk", ("kms",)),
    ("moto", ()),
    ("awswrangler", None),
    ("aiobotocore", None),
    ("botocore", None),
    ("boto", None),
    ("@aws-lambda-powertools", ()),
    ("@aws-lambda-powertools/parameters", ("ssm", "secretsmanager", "appconfig", "dynamodb")),
    ("@aws-lambda-powertools/parameters/ssm", ("ssm",)),
    ("@aws-lambda-powertools/parameters/secrets", ("secretsmanager",)),
    ("@aws-lambda-powertools/parameters/appconfig", ("appconfig",)),
    ("@aws-lambda-powertools/parameters/dynamodb", ("dynamodb",)),
    ("@aws-lambda-powertools/idempotency", ("dynamodb",)),
    ("dynamoose", ("dynamodb",)),
    ("@aws/dynamodb-data-mapper", ("dynamodb",)),
    ("@aws-crypto/client-node", ("kms",)),
    ("aws-xray-sdk", ()),
    ("aws-xray-sdk-core", ()),
)
_WRAPPERS = dict(WRAPPERS)


def wrapper_services(import_path: str) -> tuple[str, tuple[str, ...] | None] | None:
    """The library an import belongs to (the longest matching entry of :data:`WRAPPERS`) and the services it may
    call; None when it is no AWS wrapper."""
    path = import_path
    while path:
        if path in _WRAPPERS:
            return path, _WRAPPERS[path]
        cut = max(path.rfind("."), path.rfind("/"))
        path = path[:cut] if cut > 0 else ""
    return None


@dataclass(frozen=True, slots=True)
class Use:
    """One permission a function needs: an action on a resource (``*`` when the code does not say which).

    ``calls`` are the SDK calls that need it (empty for what the Lambda service needs: ``platform`` says
    what that is). ``entity`` is the template resource it touches, when known. ``known`` is False when the
    action is remit's guess (no IAM action of that name).
    """

    action: str
    resource: Value
    entity: ResourceId | None = None
    calls: tuple[SdkCall, ...] = ()
    platform: str = ""
    note: str = ""
    known: bool = True
    cmk: bool = False  # a KMS action needed because the target uses a customer managed key

    @property
    def prefix(self) -> str:
        return self.action.partition(":")[0].lower()


@dataclass(frozen=True, slots=True)
class Usage:
    """Everything one function needs, and whether remit understood all of its code."""

    function: ResourceId
    uses: tuple[Use, ...]
    complete: bool
    gaps: tuple[str, ...] = ()
    unknown_prefixes: frozenset[str] = frozenset()  # services with a call whose action remit only guessed
    # services whose grants are not judged because a library calls them with the role, and which library
    wrapped: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def actions(self) -> frozenset[str]:
        """The actions used, as IAM spells them (compare them case-insensitively)."""
        return frozenset(u.action for u in self.uses)

    @property
    def code_uses(self) -> tuple[Use, ...]:
        return tuple(u for u in self.uses if u.calls)


# ------------------------------------------------------------------------------------------------
# ARNs of template resources, written as the template would write them


def _symbol(lid: str, attribute: str = "") -> Symbol:
    return Symbol(SymbolKind.RESOURCE, lid, attribute)


_PSEUDO = {name: Symbol(SymbolKind.PSEUDO, name) for name in ("AWS::Partition", "AWS::Region", "AWS::AccountId")}


def _regional(service: str, tail: tuple[str | Symbol, ...]) -> Concat:
    return Concat(("arn:", _PSEUDO["AWS::Partition"], f":{service}:", _PSEUDO["AWS::Region"], ":",
                   _PSEUDO["AWS::AccountId"], *tail))


def entity_arn(app: Application, rid: ResourceId) -> Value | None:
    """The ARN of a template resource as a model value (``Ref`` where it returns the ARN, else ``GetAtt``)."""
    res = app.resource(rid)
    if res is None:
        return None
    lid = rid.logical_id
    by_ref = {"AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::StepFunctions::StateMachine"}
    by_arn = {"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::SQS::Queue",
              "AWS::Events::EventBus", "AWS::KMS::Key", "AWS::Lambda::Function", "AWS::Kinesis::Stream",
              "AWS::KinesisFirehose::DeliveryStream", "AWS::Logs::LogGroup"}
    if res.type in by_ref:
        return _symbol(lid)
    if res.type in by_arn:
        return _symbol(lid, "Arn")
    if res.type == "AWS::SSM::Parameter":
        name = text(res.prop("Name"))
        return _regional("ssm", (":parameter" if name and name.startswith("/") else ":parameter/", _symbol(lid)))
    return None


#: (IAM prefix, resource type) -> the CloudFormation types that resource can be.
_FITS = {
    ("s3", "bucket"): "AWS::S3::Bucket", ("s3", "object"): "AWS::S3::Bucket",
    ("dynamodb", "table"): "AWS::DynamoDB::Table", ("dynamodb", "index"): "AWS::DynamoDB::Table",
    ("sqs", "queue"): "AWS::SQS::Queue", ("sns", "topic"): "AWS::SNS::Topic",
    ("lambda", "function"): "AWS::Lambda::Function", ("secretsmanager", "Secret"): "AWS::SecretsManager::Secret",
    ("ssm", "parameter"): "AWS::SSM::Parameter", ("states", "statemachine"): "AWS::StepFunctions::StateMachine",
    ("events", "event-bus"): "AWS::Events::EventBus", ("kms", "key"): "AWS::KMS::Key",
    ("kinesis", "stream"): "AWS::Kinesis::Stream",
    ("firehose", "deliverystream"): "AWS::KinesisFirehose::DeliveryStream",
}


def _fits(res: Resource, prefix: str, rtype: str) -> bool:
    wanted = _FITS.get((prefix, rtype))
    if wanted is None:
        return False
    return res.type == wanted or (wanted == "AWS::DynamoDB::Table" and res.type == "AWS::DynamoDB::GlobalTable")


def _sub_resource(arn: Value, prefix: str, rtype: str, naming: dict[str, Argument]) -> Value:
    """An object of a bucket, an index of a table: the entity's ARN with the part the code names (or ``*``)."""
    if prefix == "s3" and rtype == "object":
        key = naming.get("Key")
        return Concat((*_parts(arn), "/" + (key if isinstance(key, str) and key else "*")))
    if prefix == "dynamodb" and rtype == "index":
        index_name = naming.get("IndexName")
        return Concat((*_parts(arn), "/index/" + (index_name if isinstance(index_name, str) else "*")))
    return arn


def _parts(value: Value) -> tuple[str | Symbol | Unknown, ...]:
    if isinstance(value, Concat):
        return value.parts
    if isinstance(value, (str, Symbol, Unknown)):
        return (value,)
    return (render(value),)


# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    resource: Value
    entity: ResourceId | None
    why: str = ""


def _named(app: Application, fn: Function, value: Argument) -> tuple[Value | None, ResourceId | None, str]:
    """What an argument names in the template: (value as the template sets it, the resource, why unknown)."""
    if isinstance(value, Unknown):
        return None, None, "the code computes it"
    if isinstance(value, EnvRef):
        if value.name not in fn.environment:
            return None, None, f"it comes from ${value.name}, which the template does not set"
        raw = fn.environment[value.name]
        opts = present_options(raw)
        if len(opts) != 1:
            return None, None, f"it comes from ${value.name}, which depends on a template condition"
        raw = opts[0]
        if isinstance(raw, Concat) and len(raw.parts) == 1:
            raw = raw.parts[0]  # !Sub "${Bucket}"
        lid = resource_ref(raw)
        if lid is not None:
            rid = ResourceId(fn.id.doc, lid)
            return raw, rid if app.resource(rid) is not None else None, ""
        literal = text(raw)
        if literal is not None:
            return literal, None, ""
        return None, None, f"it comes from ${value.name}, set to {render(raw)}"
    return value, _by_name(app, value), ""


def _by_name(app: Application, literal: str) -> ResourceId | None:
    """A store of the template whose physical name is this literal (or ends an ARN / URL that is)."""
    tail = literal.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    for store in app.stores:
        name = text(store.name)
        if name and name in (literal, tail) and store.resource.type != "AWS::KMS::Key":
            return store.id
    return None


def _target(app: Application, fn: Function, need: RequiredAction) -> _Target:
    prefix = need.action.partition(":")[0]
    if not need.resource_type:
        return _Target(ANY, None)
    naming = dict(need.naming)
    params = [p for p in naming if p not in ("Key", "IndexName")]
    if not params:
        return _Target(need.resource, None, "" if need.resource != ANY else "the call names no resource")
    resolved: dict[str, Argument] = {}
    for param, arg in naming.items():
        value, rid, why = _named(app, fn, arg)
        if param in params and rid is not None:
            res = app.resource(rid)
            arn = entity_arn(app, rid)
            if res is not None and arn is not None and _fits(res, prefix, need.resource_type):
                literal_parts = {k: (_literal(app, fn, v)) for k, v in naming.items()}
                return _Target(_sub_resource(arn, prefix, need.resource_type, literal_parts), rid)
        if isinstance(value, str):
            resolved[param] = value
        elif param in params:
            return _Target(ANY, None, f"{param}: {why}" if why else f"{param} is not known")
    arn_text = literal_arn(prefix, need.resource_type, resolved)
    first = resolved.get(params[0])
    return _Target(arn_text, _by_name(app, first) if isinstance(first, str) else None,
                   "" if arn_text != ANY else "the resource is not known")


def _literal(app: Application, fn: Function, arg: Argument) -> Argument:
    value, _, _ = _named(app, fn, arg)
    return value if isinstance(value, str) else Unknown("not known")


def _cmk(app: Application, rid: ResourceId | None) -> Value | None:
    """The customer managed key a store is encrypted with, as a value a policy can name."""
    store = app.entity(rid)
    if not isinstance(store, DataStore) or store.kms_key is None:
        return None
    key = store.kms_key
    lid = resource_ref(key)
    if lid is not None:
        arn = entity_arn(app, ResourceId(store.id.doc, lid))
        return arn if arn is not None else key
    literal = text(key)
    if literal is None or literal.startswith("alias/aws/") or literal in ("", "AES256"):
        return None
    if literal.startswith("alias/"):
        return ANY  # the key behind an alias is what policies name
    return literal


# ------------------------------------------------------------------------------------------------


def usage(app: Application, facts: CodeFacts, fn: Function) -> Usage:
    """What ``fn`` needs, from its analysed code (``facts``, the code stage's) and its configuration."""
    gaps: list[str] = []
    unknown_prefixes: set[str] = set()
    wrapped: dict[str, tuple[str, ...]] = {}
    code = facts.of(fn.id)
    calls: tuple[SdkCall, ...] = ()
    if code is None:
        gaps.append("its code was not analysed")
    else:
        if isinstance(code.handler, Unknown):
            gaps.append(f"its handler was not found ({code.handler.reason})")
        calls = code.sdk_calls
        unmapped: set[str] = set()
        for found in filter(None, map(wrapper_services, code.import_paths | code.imports)):
            library, services = found
            if services is None:
                unmapped.add(library)
            elif services:
                unknown_prefixes.update(services)  # only these services' grants are not assessed
                wrapped[library] = services
        if unmapped:
            gaps.append(f"it imports {', '.join(sorted(unmapped))}, which call AWS with the role in ways remit "
                        "does not map")
    if fn.layers:
        gaps.append("it uses layers, whose code (and extensions) remit does not analyse")
    raw: list[Use] = []
    for call in calls:
        if is_dynamic(call):
            what = "a service" if call.service == "*" else f"an operation of {call.service}"
            gaps.append(f"{call.method} at {call.location} calls {what} the code computes")
            continue
        touched: ResourceId | None = None  # what the call itself touches (its key is the one CMK actions need)
        for need in actions_for(call):
            if not need.known:
                unknown_prefixes.add(need.action.partition(":")[0].lower())
            if need.when == CMK:
                key = _cmk(app, touched)
                if key is None:
                    continue
                raw.append(Use(need.action, key, None, (call,), note=need.note, cmk=True))
                continue
            target = _target(app, fn, need)
            touched = touched or target.entity
            raw.append(Use(need.action, target.resource, target.entity, (call,), note=need.note or target.why,
                           known=need.known))
    raw.extend(_platform(app, fn))
    return Usage(fn.id, _merge(raw), complete=not gaps, gaps=tuple(gaps), unknown_prefixes=frozenset(unknown_prefixes),
                 wrapped=tuple(sorted(wrapped.items())))


def _merge(uses: Iterable[Use]) -> tuple[Use, ...]:
    merged: dict[tuple[str, str], Use] = {}
    for use in uses:
        key = (use.action.lower(), render(use.resource))
        old = merged.get(key)
        if old is None:
            merged[key] = use
        else:
            note = "; ".join(dict.fromkeys(n for n in (old.note, use.note) if n))
            merged[key] = Use(old.action, old.resource, old.entity or use.entity, old.calls + use.calls,
                              old.platform or use.platform, note, old.known and use.known, old.cmk and use.cmk)
    return tuple(merged.values())


# ------------------------------------------------------------------------------------------------
# what the Lambda service does with the function's role

_POLLER_ACCESS = ("secretsmanager:GetSecretValue", "kms:Decrypt", "ec2:CreateNetworkInterface",
                  "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                  "ec2:DescribeSubnets", "ec2:DescribeVpcs")
_VPC = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")
_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
_SEND = {"AWS::SQS::Queue": "sqs:SendMessage", "AWS::SNS::Topic": "sns:Publish",
         "AWS::Lambda::Function": "lambda:InvokeFunction", "AWS::Events::EventBus": "events:PutEvents"}
_SEND_BY_ARN = {":sqs:": "sqs:SendMessage", ":sns:": "sns:Publish", ":lambda:": "lambda:InvokeFunction",
                ":events:": "events:PutEvents"}


def _platform(app: Application, fn: Function) -> Iterator[Use]:
    log_group: Value = _regional("logs", (":log-group:/aws/lambda/", _symbol(fn.logical_id), ":*"))
    custom = fn.log_group
    if custom is not None:
        lid = resource_ref(custom)
        named = text(custom)
        if lid is not None:
            log_group = Concat((*_parts(_symbol(lid, "Arn")),))
        elif named is not None:
            log_group = _regional("logs", (f":log-group:{named}:*",))
    for action in _LOGS:
        yield Use(action, log_group, platform="Lambda writes the function's logs")
    if text(fn.tracing) == "Active":
        for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                       "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"):
            yield Use(action, ANY, platform="active tracing sends traces to X-Ray")
    if fn.vpc is not None:
        for action in _VPC:
            yield Use(action, ANY, platform="Lambda attaches the function to its VPC")
    for trigger in app.triggers_of(fn):
        actions = trigger.spec.polls
        if not actions:
            continue
        source: Value = ANY
        if trigger.source_id is not None:
            source = entity_arn(app, trigger.source_id) or ANY
            if trigger.spec.source_attribute:
                source = _symbol(trigger.source_id.logical_id, trigger.spec.source_attribute)
        elif trigger.source is not None:
            source = trigger.source
        for action in actions:
            yield Use(action, source, trigger.source_id, platform=f"Lambda polls the {trigger.kind.value} trigger")
        if trigger.spec.polled_in_vpc:
            for action in _POLLER_ACCESS:
                yield Use(action, ANY, platform=f"Lambda reaches the {trigger.kind.value} trigger in its VPC with "
                                                "its secret")
        key = _cmk(app, trigger.source_id)
        if key is not None:
            yield Use("kms:Decrypt", key, platform=f"Lambda reads the encrypted {trigger.kind.value} trigger",
                      cmk=True)
        if trigger.on_failure is not None:
            yield from _send(app, fn, trigger.on_failure, "Lambda sends failed batches to the on-failure destination")
    if fn.dead_letter_target is not None:
        yield from _send(app, fn, fn.dead_letter_target, "Lambda sends failed events to the dead-letter queue")
    for config in app.invoke_configs_of(fn):
        for dest in (config.on_failure, config.on_success):
            if dest is not None:
                yield from _send(app, fn, dest, "Lambda sends asynchronous results to the destination")


def _send(app: Application, fn: Function, target: Value, why: str) -> Iterator[Use]:
    lid = resource_ref(target)
    if lid is not None:
        rid = ResourceId(fn.id.doc, lid)
        res = app.resource(rid)
        if res is not None and res.type in _SEND:
            yield Use(_SEND[res.type], entity_arn(app, rid) or target, rid, platform=why)
            key = _cmk(app, rid)
            if key is not None and res.type in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
                yield Use("kms:GenerateDataKey", key, platform=why, cmk=True)
        return
    literal = text(target) or ""
    for marker, action in _SEND_BY_ARN.items():
        if marker in literal:
            yield Use(action, literal, platform=why)
            return
