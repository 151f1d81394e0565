"""From one SDK call to the IAM actions it needs (:class:`RequiredAction`), without looking at the template.

The rule (measured over botocore: 94 % of operations) is ``<IAM prefix>:<Operation>``; the reviewed table
``remit/data/sdk_overrides.json`` holds the exceptions (``HeadObject`` is authorised as ``s3:GetObject``,
``Invoke`` as ``lambda:InvokeFunction``, PartiQL by the statement's verb...), the calls that need no
permission, and the KMS actions a call needs when its target is encrypted with a customer managed key. An
operation that neither rule maps is kept with ``known=False``: remit guesses the action and says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from remit.code.facts import Argument, SdkCall
from remit.code.sdk import index
from remit.model.values import Unknown

DYNAMIC = "*"
"""``SdkCall.operation`` (and ``service``) when the code computes it: ``getattr(client, name)(...)``."""

CMK = "cmk"
"""``RequiredAction.when``: needed only when the target is encrypted with a customer managed KMS key."""


def is_dynamic(call: SdkCall) -> bool:
    """The code calls an operation (or a service) remit cannot name."""
    return DYNAMIC in (call.operation, call.service)


@dataclass(frozen=True, slots=True)
class RequiredAction:
    """One IAM action a call needs, and on what.

    ``resource_type`` is the IAM resource type the action is authorised on (``object``, ``table``; empty for
    an action that takes no resource, granted on ``*``). ``resource`` is an ARN pattern built from literal
    arguments (``arn:aws:s3:::acme-exports/*``) or ``*`` when the code does not say. ``naming`` keeps the
    arguments that name the resource, so the least-privilege analysis can resolve environment variables
    against the template. ``when`` is empty for an action always needed, :data:`CMK` for a KMS action needed
    only when the target uses a customer managed key. ``known`` is False when no IAM action has this name and
    remit guessed ``<prefix>:<Operation>``.
    """

    action: str
    resource_type: str = ""
    resource: str = "*"
    naming: tuple[tuple[str, Argument], ...] = ()
    when: str = ""
    note: str = ""
    known: bool = True


# ------------------------------------------------------------------------------------------------
# which arguments name which resource type, and the ARN they make when they are literals

#: (IAM prefix, resource type) -> the request parameters that name it, in the order the ARN uses them.
NAMING: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("s3", "bucket"): ("Bucket",),
    ("s3", "object"): ("Bucket", "Key"),
    ("dynamodb", "table"): ("TableName",),
    ("dynamodb", "index"): ("TableName", "IndexName"),
    ("dynamodb", "stream"): ("StreamArn",),
    ("sqs", "queue"): ("QueueUrl", "QueueName"),
    ("sns", "topic"): ("TopicArn", "TargetArn"),
    ("lambda", "function"): ("FunctionName",),
    ("secretsmanager", "Secret"): ("SecretId", "Name"),
    ("ssm", "parameter"): ("Name", "Names", "Path"),
    ("states", "statemachine"): ("stateMachineArn",),
    ("states", "execution"): ("executionArn",),
    ("events", "event-bus"): ("EventBusName",),
    ("kms", "key"): ("KeyId",),
    ("kinesis", "stream"): ("StreamName", "StreamARN"),
    ("firehose", "deliverystream"): ("DeliveryStreamName",),
}

_QUEUE_URL = re.compile(r"https://(?:sqs\.)?([a-z0-9-]+)\.(?:queue\.)?amazonaws\.com[^/]*/(\d{12})/([^/?#]+)")


def literal_arn(prefix: str, rtype: str, args: Mapping[str, Argument]) -> str:
    """The ARN pattern literal arguments name for a resource type, or ``*`` when they do not."""

    def lit(*names: str) -> str | None:
        for name in names:
            value = args.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    if prefix == "s3":
        bucket = lit("Bucket")
        if bucket is None or bucket.startswith("arn:"):
            return bucket or "*"
        if rtype == "bucket":
            return f"arn:aws:s3:::{bucket}"
        return f"arn:aws:s3:::{bucket}/{lit('Key') or '*'}"
    if prefix == "dynamodb":
        table = lit("TableName")
        if table is None:
            return "*"
        base = table if table.startswith("arn:") else f"arn:aws:dynamodb:*:*:table/{table}"
        return f"{base}/index/{lit('IndexName') or '*'}" if rtype == "index" else base
    if prefix == "sqs":
        url = lit("QueueUrl")
        if url is not None:
            m = _QUEUE_URL.match(url)
            return f"arn:aws:sqs:{m.group(1)}:{m.group(2)}:{m.group(3)}" if m else "*"
        name = lit("QueueName")
        return f"arn:aws:sqs:*:*:{name}" if name else "*"
    if prefix == "lambda":
        name = lit("FunctionName")
        if name is None:
            return "*"
        if name.startswith("arn:"):
            return name
        return f"arn:aws:lambda:*:*:function:{name}"
    if prefix == "secretsmanager":
        name = lit("SecretId", "Name")
        if name is None:
            return "*"
        return name if name.startswith("arn:") else f"arn:aws:secretsmanager:*:*:secret:{name}-??????"
    if prefix == "ssm":
        name = lit("Name", "Path")
        if name is None:
            return "*"
        return name if name.startswith("arn:") else f"arn:aws:ssm:*:*:parameter/{name.lstrip('/')}"
    if prefix == "events":
        name = lit("EventBusName")
        if name is None:
            return "*"
        return name if name.startswith("arn:") else f"arn:aws:events:*:*:event-bus/{name}"
    if prefix == "kms":
        key = lit("KeyId")
        if key is None or key.startswith("alias/"):
            return "*"  # an alias authorises nothing by itself: the key behind it is what policies name
        return key if key.startswith("arn:") else f"arn:aws:kms:*:*:key/{key}"
    if prefix == "kinesis":
        name = lit("StreamARN", "StreamName")
        if name is None:
            return "*"
        return name if name.startswith("arn:") else f"arn:aws:kinesis:*:*:stream/{name}"
    if prefix == "firehose":
        name = lit("DeliveryStreamName")
        return f"arn:aws:firehose:*:*:deliverystream/{name}" if name else "*"
    # sns topic, states: the argument is the ARN itself
    for param in NAMING.get((prefix, rtype), ()):
        value = lit(param)
        if value is not None and value.startswith("arn:"):
            return value
    return "*"


def resource_type(prefix: str, action: str, args: Mapping[str, Argument]) -> str:
    """The resource type an action is checked against for this call ("" for none remit can name)."""
    types: list[str] = index.data()["restypes"].get(prefix, {}).get(action.partition(":")[2], [])
    if "index" in types and "IndexName" in args:
        return "index"
    for rtype in types:
        if (prefix, rtype) in NAMING:
            return rtype
    return ""


# ------------------------------------------------------------------------------------------------


def prefix_of(service: str) -> str:
    """The IAM service prefix a botocore service signs with."""
    found = index.iam_prefix(service)
    if found is not None:
        return found
    table: Mapping[str, str] = index.overrides()["prefixes"]
    return table.get(service, service)


def _canonical(service: str, operation: str) -> tuple[str, bool]:
    """``<prefix>:<Action>`` for an operation with a same-named action (IAM's spelling), and whether IAM has it."""
    prefix = prefix_of(service)
    entry = index.service(service)
    if entry is None:
        return f"{prefix}:{operation}", False
    case: Mapping[str, str] = entry.get("case", {})
    if index.iam_prefix(service) is None:
        # the model names no IAM prefix; the table gives one (iot-data -> iot): ask the action catalog
        from remit.code.sdk.catalog import spelling  # noqa: PLC0415 - a cycle at load time (the package imports this module)

        found = spelling(f"{prefix}:{operation}")
        return (found, True) if found is not None else (f"{prefix}:{operation}", False)
    known = operation not in entry.get("unmapped", ())
    return f"{prefix}:{case.get(operation, operation)}", known


def _texts(args: Mapping[str, Argument], name: str) -> tuple[str, ...]:
    value = args.get(name)
    if isinstance(value, str) and value:
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return ()


def base_actions(service: str, operation: str, args: Mapping[str, Argument]) -> tuple[tuple[str, ...], str, bool]:
    """(actions, note, known) for the call itself, before resources: the override table first, then the
    same-named action. ``()`` with a note for a call that needs no permission."""
    spec: Mapping[str, Any] | None = index.overrides()["operations"].get(service, {}).get(operation)
    if spec is not None:
        note = str(spec.get("note", ""))
        if "by_verb" in spec:
            table: Mapping[str, list[str]] = spec["by_verb"]
            verbs = [v.upper() for v in _texts(args, "Statement#verb")]
            chosen = [a for v in verbs for a in table.get(v, [])]
            if not chosen:
                chosen = [a for acts in table.values() for a in acts]
                note = note or "the statement's verb is not known: every PartiQL action it may need"
            return tuple(dict.fromkeys(chosen)), note, True
        if "by_item" in spec:
            items: Mapping[str, str] = spec["by_item"]
            kinds = _texts(args, "TransactItems#kinds")
            chosen = [items[k] for k in kinds if k in items]
            if not chosen:
                chosen = list(items.values())
                note = note or "the transaction's item kinds are not known: every action it may need"
            return tuple(dict.fromkeys(chosen)), note, True
        return tuple(spec.get("actions", ())), note, True
    http: Mapping[str, str] | None = index.overrides()["verb_services"].get(service)
    if http is not None:
        first = re.match(r"[A-Z][a-z]*", operation)
        verb = http.get(first.group(0)) if first else None
        if verb is not None:
            return (f"{prefix_of(service)}:{verb}",), "authorised by HTTP verb on the resource path", True
    action, known = _canonical(service, operation)
    return (action,), "" if known else "no IAM action of this name: remit guessed it", known


def actions_for(call: SdkCall) -> tuple[RequiredAction, ...]:
    if is_dynamic(call) or not call.operation:
        return ()
    args = dict(call.arguments)
    actions, note, known = base_actions(call.service, call.operation, args)
    out: list[RequiredAction] = []
    for action in actions:
        prefix = action.partition(":")[0]
        out.append(_required(prefix, action, args, note=note, known=known))
    spec = index.overrides()["operations"].get(call.service, {}).get(call.operation, {})
    source_actions: list[str] = spec.get("source_actions", [])
    if source_actions:
        source = {"Bucket": args.get("CopySource.Bucket", Unknown("copy source")),
                  "Key": args.get("CopySource.Key", Unknown("copy source"))}
        for action in source_actions:
            out.append(_required(action.partition(":")[0], action, source, note="on the copy source", known=True))
    forward: list[str] = index.overrides()["forward"].get(call.service, {}).get(call.operation, [])
    if actions:
        target = out[0]
        for action in forward:
            out.append(RequiredAction(action, "key", "*", target.naming, when=CMK,
                                      note="when the target is encrypted with a customer managed key"))
    return tuple(out)


def _required(prefix: str, action: str, args: Mapping[str, Argument], *, note: str, known: bool) -> RequiredAction:
    rtype = resource_type(prefix, action, args)
    params = NAMING.get((prefix, rtype), ())
    naming = tuple((p, args[p]) for p in params if p in args)
    resource = literal_arn(prefix, rtype, dict(naming)) if rtype else "*"
    return RequiredAction(action, rtype, resource, naming, note=note, known=known)

