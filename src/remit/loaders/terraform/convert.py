"""Terraform resources -> the CloudFormation resources they amount to, each node marked at the .tf line.

Each resource instance becomes one CloudFormation resource whose logical id is its Terraform address. The
resources Terraform splits off a bucket, a role, an API stage or an event rule (``aws_s3_bucket_public_access_block``,
``aws_iam_role_policy_attachment``, ``aws_api_gateway_integration``, ``aws_cloudwatch_event_target``...)
are folded into the resource they configure, marked at their own lines, because that is how the model reads
CloudFormation. Types remit does not translate stay as ``Terraform::<type>`` resources without properties, so
references to them remain resource references.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable
from typing import Any

from remit.loaders.terraform.evaluate import Archive, Cfn, Join, JsonText, LDict, LList, Loc, LStr, Unk, is_plain
from remit.loaders.terraform.module import Instance, list_of
from remit.loaders.terraform.policy import to_policy

Mark = tuple[int, int]
UNKNOWN_KEY = "Fn::Unknown"

_CANNED_ACL = {
    "private": "Private", "public-read": "PublicRead", "public-read-write": "PublicReadWrite",
    "authenticated-read": "AuthenticatedRead", "log-delivery-write": "LogDeliveryWrite",
    "bucket-owner-read": "BucketOwnerRead", "bucket-owner-full-control": "BucketOwnerFullControl",
    "aws-exec-read": "AwsExecRead",
}

# Terraform attribute holding the physical name, for matching literal names and ARNs to resources
_NAME_ATTRS = {
    "aws_s3_bucket": "bucket", "aws_iam_role": "name", "aws_iam_user": "name", "aws_iam_group": "name",
    "aws_lambda_function": "function_name", "aws_sqs_queue": "name", "aws_sns_topic": "name",
    "aws_dynamodb_table": "name", "aws_secretsmanager_secret": "name", "aws_cloudwatch_event_bus": "name",
    "aws_cloudwatch_event_rule": "name", "aws_cloudwatch_log_group": "name", "aws_iam_policy": "name",
    "aws_api_gateway_rest_api": "name", "aws_apigatewayv2_api": "name", "aws_api_gateway_stage": "stage_name",
}


class Builder:
    """Collects the CloudFormation resources of one module tree with their marks and files."""

    def __init__(self, doc_file: str) -> None:
        self.doc_file = doc_file
        self.resources: dict[str, dict[str, Any]] = {}
        self.marks: dict[tuple[Any, ...], Mark] = {}
        self.files: dict[tuple[Any, ...], str] = {}
        self.unknowns: list[tuple[str, int, str]] = []
        self.notes: list[tuple[str, int | None, str, str]] = []
        self.tf_type: dict[str, str] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.archives: dict[str, Archive] = {}
        self.objects: dict[str, Instance] = {}  # aws_s3_object instances by address: what s3_key deploys
        self.method_keys: dict[str, str] = {}  # API Gateway method -> (api, resource, verb), to fold integrations in
        self.stage_keys: dict[str, str] = {}  # API Gateway stage -> (api, stage name), to fold method settings in

    # -- writing ----------------------------------------------------------------------------------
    def mark(self, path: tuple[Any, ...], loc: Loc | None) -> None:
        if loc is None:
            return
        self.marks.setdefault(path, (loc[1], 1))
        if loc[0] != self.doc_file:
            self.files.setdefault(path, loc[0])

    def new(self, inst: Instance, cfn_type: str) -> str:
        lid = inst.address
        self.resources[lid] = {"Type": cfn_type, "Properties": {}}
        self.tf_type[lid] = inst.type
        self.mark(("Resources", lid), inst.loc)
        self.mark(("Resources", lid, "Properties"), inst.loc)
        name_attr = _NAME_ATTRS.get(inst.type)
        if name_attr:
            name = inst.values().get(name_attr)
            if isinstance(name, str):
                self.names[(inst.type, str(name))] = lid
        return lid

    def props(self, lid: str) -> dict[str, Any]:
        props: dict[str, Any] = self.resources[lid]["Properties"]
        return props

    def put(self, lid: str, path: tuple[Any, ...], value: Any, loc: Loc | None, kind: str = "value") -> None:
        """Set ``Properties/<path>`` to the CloudFormation form of ``value`` (``kind`` "policy" or "json"
        parses JSON text into a structure), marking it and every located node inside."""
        if value is None:
            return
        if kind in ("policy", "json"):
            value = to_policy(value)
        base = ("Resources", lid, "Properties", *path)
        node: Any = self.props(lid)
        for i, key in enumerate(path[:-1]):
            empty: Any = [] if isinstance(path[i + 1], int) else {}
            node = _child(node, key, empty)
        converted = self.cfn(value, base, loc, kind)
        _child(node, path[-1], None, converted)
        self.mark(base, loc)

    def append(self, lid: str, path: tuple[Any, ...], value: Any, loc: Loc | None, kind: str = "value") -> int:
        node: Any = self.props(lid)
        for key in path[:-1]:
            node = node.setdefault(key, {})
        items = node.setdefault(path[-1], [])
        if not isinstance(items, list):
            items = node[path[-1]] = [items]
        index = len(items)
        items.append(None)
        self.put(lid, (*path, index), value, loc, kind)
        if items[index] is None:
            items.pop()
        return index

    def cfn(self, value: Any, path: tuple[Any, ...], loc: Loc | None, kind: str = "value") -> Any:
        if isinstance(value, LDict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                child_loc = value.locs.get(k) or loc
                out[k] = self.cfn(v, (*path, k), child_loc, kind)
                if k in value.locs:
                    self.mark((*path, k), value.locs[k])
            return out
        if isinstance(value, dict):
            return {str(k): self.cfn(v, (*path, str(k)), loc, kind) for k, v in value.items()}
        if isinstance(value, LList):
            items = []
            for i, v in enumerate(value):
                child_loc = (value.locs[i] if i < len(value.locs) else None) or loc
                items.append(self.cfn(v, (*path, i), child_loc, kind))
                if i < len(value.locs) and value.locs[i] is not None:
                    self.mark((*path, i), value.locs[i])
            return items
        if isinstance(value, list):
            return [self.cfn(v, (*path, i), loc, kind) for i, v in enumerate(value)]
        if isinstance(value, Cfn):
            return value.node
        if isinstance(value, Unk):
            if loc is not None:
                self.unknowns.append((loc[0], loc[1], value.reason))
            return {UNKNOWN_KEY: value.reason}
        if isinstance(value, Join):
            return {"Fn::Join": ["", [self.cfn(p, path, loc) for p in value.parts]]}
        if isinstance(value, JsonText):
            if kind == "json":
                return self.cfn(value.value, path, loc, kind)
            if is_plain(value.value):
                return json.dumps(value.value, separators=(",", ":"))
            return {"Fn::ToJsonString": self.cfn(value.value, path, loc)}
        if isinstance(value, Archive):
            return value.output
        if isinstance(value, LStr):
            return str(value)
        return value

    # -- reading references -------------------------------------------------------------------------
    def target(self, value: Any, *tf_types: str) -> str | None:
        """The logical id of the resource (of one of ``tf_types``) that ``value`` names."""
        for candidate in _candidates(value):
            if isinstance(candidate, str) and candidate in self.resources:
                if not tf_types or self.tf_type.get(candidate) in tf_types:
                    return candidate
            elif isinstance(candidate, str):
                for t in tf_types:
                    for name in _name_forms(candidate):
                        found = self.names.get((t, name))
                        if found:
                            return found
        return None


def _locs(**found: Loc | None) -> dict[str, Loc]:
    return {k: v for k, v in found.items() if v is not None}


def _child(node: Any, key: Any, empty: Any, value: Any = None) -> Any:
    """``node[key]``, created as ``empty`` when absent (or set to ``value`` when one is given)."""
    if isinstance(node, list) and isinstance(key, int):
        while len(node) <= key:
            node.append(None)
        if value is not None or node[key] is None or not isinstance(node[key], (dict, list)):
            node[key] = value if value is not None else empty
        return node[key]
    if isinstance(node, dict):
        if value is not None:
            node[key] = value
        elif not isinstance(node.get(key), (dict, list)):
            node[key] = empty
        return node[key]
    return {}  # a scalar on the way: nothing to write into


def _candidates(value: Any) -> Iterable[Any]:
    if isinstance(value, Cfn):
        node = value.node
        if "Ref" in node:
            yield node["Ref"]
        elif "Fn::GetAtt" in node:
            yield node["Fn::GetAtt"][0]
    elif isinstance(value, Join):
        for part in value.parts:
            yield from _candidates(part)
        yield "".join(p for p in value.parts if isinstance(p, str)) if all(isinstance(p, str) for p in value.parts) \
            else ""
    elif isinstance(value, str):
        yield str(value)
    elif isinstance(value, list) and len(value) == 1:
        yield from _candidates(value[0])


def _name_forms(value: str) -> Iterable[str]:
    yield value
    if value.startswith("arn:"):
        tail = value.split(":", 5)[-1]
        yield tail.rsplit("/", 1)[-1]
        yield tail.rsplit(":", 1)[-1]
    elif value.startswith("https://sqs."):
        yield value.rsplit("/", 1)[-1]


def _get(values: LDict, dotted: str) -> tuple[Any, Loc | None]:
    """``environment.variables`` -> the value and its location, stepping into the first of a block list."""
    node: Any = values
    loc: Loc | None = None
    for part in dotted.split("."):
        if isinstance(node, list):
            if not node:
                return None, loc
            loc = node.locs[0] if isinstance(node, LList) and node.locs else loc
            node = node[0]
        if not isinstance(node, dict) or part not in node:
            return None, loc
        if isinstance(node, LDict) and part in node.locs:
            loc = node.locs[part]
        node = node[part]
    return node, loc


def copy(b: Builder, lid: str, values: LDict, pairs: Iterable[tuple[str, str]], kind: str = "value") -> None:
    for src, dst in pairs:
        value, loc = _get(values, src)
        if value is not None:
            b.put(lid, tuple(dst.split(".")), value, loc, kind)


def _blocks(values: LDict, name: str) -> list[tuple[LDict, Loc | None]]:
    items = values.get(name)
    if not isinstance(items, list):
        return [(items, values.locs.get(name))] if isinstance(items, LDict) else []
    locs = items.locs if isinstance(items, LList) else [None] * len(items)
    return [(item, locs[i] if i < len(locs) else None) for i, item in enumerate(items) if isinstance(item, LDict)]


# -- one function per Terraform type -------------------------------------------------------------------
Handler = Callable[[Builder, Instance, LDict], None]
PRIMARY: dict[str, Handler] = {}
SECONDARY: dict[str, Handler] = {}  # resources folded into another one: run after every primary resource


def primary(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            PRIMARY[t] = fn
        return fn
    return register


def secondary(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            SECONDARY[t] = fn
        return fn
    return register


_S3_OBJECTS = frozenset({"aws_s3_object", "aws_s3_bucket_object"})


def _uploaded(b: Builder, v: LDict) -> Any:
    """What ``s3_bucket`` / ``s3_key`` deploy when an ``aws_s3_object`` of the configuration uploads it: the
    object's ``source`` (an ``archive_file`` output or a local path), else None."""
    key = v.get("s3_key")
    target = (key.node.get("Ref") or key.node.get("Fn::GetAtt", [None])[0]) if isinstance(key, Cfn) else None
    found = b.objects.get(target) if isinstance(target, str) else None
    if found is None and isinstance(key, str):  # the same key written twice
        found = next((o for o in b.objects.values() if o.values().get("key") == key), None)
    return None if found is None else found.values().get("source")


def _lambda_code(b: Builder, lid: str, v: LDict) -> None:
    filename, loc = _get(v, "filename")
    if filename is None and v.get("s3_bucket") is not None:
        uploaded = _uploaded(b, v)
        if uploaded is not None:
            filename, loc = uploaded, _get(v, "s3_key")[1] or loc
    if isinstance(filename, str) and not isinstance(filename, Archive):
        archive = b.archives.get(posixpath.normpath(str(filename)))
        if archive is not None:
            filename = archive
    if isinstance(filename, Archive) and filename.inline:
        _inline_archive(b, lid, v, filename, loc)
    elif isinstance(filename, Archive):
        code = filename.source if filename.is_dir else (posixpath.dirname(filename.source) or ".")
        b.put(lid, ("Code",), code, loc)
    elif filename is not None:
        b.put(lid, ("Code",), filename, loc)
    elif v.get("s3_bucket") is not None:
        copy(b, lid, v, (("s3_bucket", "Code.S3Bucket"), ("s3_key", "Code.S3Key")))
    elif v.get("image_uri") is not None:
        copy(b, lid, v, (("image_uri", "Code.ImageUri"),))


def _inline_archive(b: Builder, lid: str, v: LDict, archive: Archive, loc: Loc | None) -> None:
    """An archive of ``source { content }`` blocks: the handler's file becomes the function's inline code
    (``ZipFile``), marked so its lines are the author's (a heredoc's own lines, or the lines of the file
    ``file()`` / ``templatefile()`` read); an archive without the handler's file is an explicit unknown."""
    handler = v.get("handler")
    module = handler.rpartition(".")[0] if isinstance(handler, str) else ""
    for name, content in archive.inline:
        if module and posixpath.splitext(posixpath.normpath(name))[0] == posixpath.normpath(module):
            # the inline code's first line is the line after the mark, as in a template's `ZipFile: |`
            where = (content.loc[0], content.loc[1] - 1) if isinstance(content, LStr) else loc
            b.put(lid, ("Code", "ZipFile"), str(content), where)
            return
    shown = ", ".join(name for name, _ in archive.inline)
    b.put(lid, ("Code",), Unk(f"the handler {handler} is not among the archive's source blocks ({shown})"), loc)


@primary("aws_lambda_function")
def _function(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Lambda::Function")
    copy(b, lid, v, (("function_name", "FunctionName"), ("handler", "Handler"), ("runtime", "Runtime"),
                     ("timeout", "Timeout"), ("memory_size", "MemorySize"), ("role", "Role"),
                     ("description", "Description"), ("layers", "Layers"), ("kms_key_arn", "KmsKeyArn"),
                     ("architectures", "Architectures"), ("package_type", "PackageType"),
                     ("environment.variables", "Environment.Variables"), ("tracing_config.mode", "TracingConfig.Mode"),
                     ("dead_letter_config.target_arn", "DeadLetterConfig.TargetArn"),
                     ("vpc_config.subnet_ids", "VpcConfig.SubnetIds"),
                     ("vpc_config.security_group_ids", "VpcConfig.SecurityGroupIds"),
                     ("logging_config.log_group", "LoggingConfig.LogGroup"),
                     ("logging_config.log_format", "LoggingConfig.LogFormat")))
    reserved, loc = _get(v, "reserved_concurrent_executions")
    if reserved is not None and reserved != -1:
        b.put(lid, ("ReservedConcurrentExecutions",), reserved, loc)
    if v.get("package_type") == "Image" and "image_uri" in v:
        copy(b, lid, v, (("image_uri", "Code.ImageUri"),))
    else:
        _lambda_code(b, lid, v)


@primary("aws_lambda_layer_version")
def _layer(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Lambda::LayerVersion")
    copy(b, lid, v, (("layer_name", "LayerName"), ("compatible_runtimes", "CompatibleRuntimes")))
    filename, loc = _get(v, "filename")
    if isinstance(filename, Archive):
        b.put(lid, ("Content",), filename.source if filename.is_dir else posixpath.dirname(filename.source), loc)
    elif filename is not None:
        b.put(lid, ("Content",), filename, loc)


@primary("aws_lambda_function_url")
def _function_url(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Lambda::Url")
    copy(b, lid, v, (("function_name", "TargetFunctionArn"), ("authorization_type", "AuthType"),
                     ("invoke_mode", "InvokeMode"), ("qualifier", "Qualifier"),
                     ("cors.allow_origins", "Cors.AllowOrigins"), ("cors.allow_credentials", "Cors.AllowCredentials"),
                     ("cors.allow_methods", "Cors.AllowMethods"), ("cors.allow_headers", "Cors.AllowHeaders"),
                     ("cors.expose_headers", "Cors.ExposeHeaders"), ("cors.max_age", "Cors.MaxAge")))


@primary("aws_lambda_permission")
def _permission(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Lambda::Permission")
    copy(b, lid, v, (("action", "Action"), ("function_name", "FunctionName"), ("principal", "Principal"),
                     ("source_arn", "SourceArn"), ("source_account", "SourceAccount"),
                     ("principal_org_id", "PrincipalOrgID"), ("function_url_auth_type", "FunctionUrlAuthType"),
                     ("event_source_token", "EventSourceToken")))


@primary("aws_lambda_event_source_mapping")
def _mapping(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Lambda::EventSourceMapping")
    copy(b, lid, v, (("event_source_arn", "EventSourceArn"), ("function_name", "FunctionName"),
                     ("batch_size", "BatchSize"), ("starting_position", "StartingPosition"), ("enabled", "Enabled"),
                     ("destination_config.on_failure.destination_arn", "DestinationConfig.OnFailure.Destination")))
    for i, (flt, loc) in enumerate(_blocks(_first_block(v, "filter_criteria"), "filter")):
        b.put(lid, ("FilterCriteria", "Filters", i, "Pattern"), flt.get("pattern"), loc)
    if v.get("self_managed_event_source") is not None:
        b.put(lid, ("SelfManagedEventSource",), {"Endpoints": "self-managed"}, None)


@primary("aws_lambda_function_event_invoke_config")
def _invoke_config(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Lambda::EventInvokeConfig")
    copy(b, lid, v, (("function_name", "FunctionName"), ("maximum_retry_attempts", "MaximumRetryAttempts"),
                     ("destination_config.on_failure.destination", "DestinationConfig.OnFailure.Destination"),
                     ("destination_config.on_success.destination", "DestinationConfig.OnSuccess.Destination")))


# -- IAM -------------------------------------------------------------------------------------------------
@primary("aws_iam_role")
def _role(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::Role")
    copy(b, lid, v, (("name", "RoleName"), ("path", "Path"), ("permissions_boundary", "PermissionsBoundary"),
                     ("managed_policy_arns", "ManagedPolicyArns")))
    copy(b, lid, v, (("assume_role_policy", "AssumeRolePolicyDocument"),), kind="policy")
    for block, loc in _blocks(v, "inline_policy"):
        if block.get("policy") is None:
            continue
        i = b.append(lid, ("Policies",), LDict({"PolicyName": block.get("name") or f"{lid}-inline"},
                                               locs=_locs(PolicyName=block.locs.get("name") or loc)), loc)
        b.put(lid, ("Policies", i, "PolicyDocument"), block.get("policy"), block.locs.get("policy") or loc, "policy")


@primary("aws_iam_user")
def _user(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::User")
    copy(b, lid, v, (("name", "UserName"), ("path", "Path"), ("permissions_boundary", "PermissionsBoundary")))


@primary("aws_iam_group")
def _group(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::Group")
    copy(b, lid, v, (("name", "GroupName"), ("path", "Path")))


@primary("aws_iam_policy")
def _managed_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::ManagedPolicy")
    copy(b, lid, v, (("name", "ManagedPolicyName"), ("path", "Path"), ("description", "Description")))
    copy(b, lid, v, (("policy", "PolicyDocument"),), kind="policy")


@primary("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
def _single_policy(b: Builder, inst: Instance, v: LDict) -> None:
    owner = {"aws_iam_role_policy": ("role", "AWS::IAM::RolePolicy", "RoleName"),
             "aws_iam_user_policy": ("user", "AWS::IAM::UserPolicy", "UserName"),
             "aws_iam_group_policy": ("group", "AWS::IAM::GroupPolicy", "GroupName")}[inst.type]
    lid = b.new(inst, owner[1])
    copy(b, lid, v, ((owner[0], owner[2]), ("name", "PolicyName")))
    if "name" not in v:
        b.put(lid, ("PolicyName",), inst.address, inst.loc)
    copy(b, lid, v, (("policy", "PolicyDocument"),), kind="policy")


@primary("aws_iam_instance_profile")
def _instance_profile(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::InstanceProfile")
    value, loc = _get(v, "role")
    if value is not None:
        b.put(lid, ("Roles",), LList([value], [loc]), loc)


@primary("aws_iam_group_membership")
def _group_membership(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::UserToGroupAddition")
    copy(b, lid, v, (("group", "GroupName"), ("users", "Users")))


@secondary("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",
           "aws_iam_policy_attachment")
def _attachment(b: Builder, inst: Instance, v: LDict) -> None:
    arn, loc = _get(v, "policy_arn")
    owners: list[tuple[Any, str]] = []
    if inst.type == "aws_iam_policy_attachment":
        for key, t in (("roles", "aws_iam_role"), ("users", "aws_iam_user"), ("groups", "aws_iam_group")):
            owners.extend((item, t) for item in list_of(v.get(key)))
    else:
        key = inst.type.split("_")[2]
        owners.append((v.get(key), f"aws_iam_{key}"))
    attached = False
    for owner, t in owners:
        lid = b.target(owner, t)
        if lid is not None and arn is not None:
            b.append(lid, ("ManagedPolicyArns",), arn, loc)
            attached = True
    if not attached:
        _opaque(b, inst, "the role, user or group it attaches to is not in the scanned configuration")


@secondary("aws_iam_user_group_membership")
def _user_groups(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("user"), "aws_iam_user")
    if lid is None:
        _opaque(b, inst, "the user is not in the scanned configuration")
        return
    groups, loc = _get(v, "groups")
    for g in list_of(groups):
        b.append(lid, ("Groups",), g, loc)


@secondary("aws_iam_user_login_profile")
def _login_profile(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("user"), "aws_iam_user")
    if lid is None:
        _opaque(b, inst, "the user is not in the scanned configuration")
        return
    b.put(lid, ("LoginProfile",), LDict({"Password": Unk("set by Terraform at apply")}), inst.loc)


@primary("aws_iam_access_key")
def _access_key(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::IAM::AccessKey")
    copy(b, lid, v, (("user", "UserName"), ("status", "Status")))


# -- S3 ---------------------------------------------------------------------------------------------------
@primary("aws_s3_bucket")
def _bucket(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::S3::Bucket")
    copy(b, lid, v, (("bucket", "BucketName"),))
    acl, loc = _get(v, "acl")
    if acl is not None:
        b.put(lid, ("AccessControl",), _CANNED_ACL.get(acl, acl) if isinstance(acl, str) else acl, loc)
    for rule, loc in _blocks(_first_block(v, "server_side_encryption_configuration"), "rule"):
        _sse_rule(b, lid, rule, loc)
    copy(b, lid, v, (("logging.target_bucket", "LoggingConfiguration.DestinationBucketName"),
                     ("logging.target_prefix", "LoggingConfiguration.LogFilePrefix")))
    enabled, loc = _get(v, "versioning.enabled")
    if isinstance(enabled, bool):
        b.put(lid, ("VersioningConfiguration", "Status"), "Enabled" if enabled else "Suspended", loc)
    policy, loc = _get(v, "policy")
    if policy is not None:
        _bucket_policy_resource(b, f"{lid}.policy", lid, policy, loc, inst)


def _first_block(v: LDict, name: str) -> LDict:
    found = _blocks(v, name)
    return found[0][0] if found else LDict()


def _sse_rule(b: Builder, lid: str, rule: LDict, loc: Loc | None) -> None:
    default, dloc = _get(rule, "apply_server_side_encryption_by_default")
    entry = LDict()
    if isinstance(default, list) and default:
        d = default[0]
        inner = LDict()
        if isinstance(d, LDict):
            if "sse_algorithm" in d:
                inner["SSEAlgorithm"] = d["sse_algorithm"]
                inner.locs["SSEAlgorithm"] = d.locs.get("sse_algorithm") or dloc or loc  # type: ignore[assignment]  # a mark or the block's
            if "kms_master_key_id" in d:
                inner["KMSMasterKeyID"] = d["kms_master_key_id"]
                inner.locs["KMSMasterKeyID"] = d.locs.get("kms_master_key_id") or dloc or loc  # type: ignore[assignment]  # same
        entry["ServerSideEncryptionByDefault"] = inner
        if dloc:
            entry.locs["ServerSideEncryptionByDefault"] = dloc
    if "bucket_key_enabled" in rule:
        entry["BucketKeyEnabled"] = rule["bucket_key_enabled"]
    b.append(lid, ("BucketEncryption", "ServerSideEncryptionConfiguration"), entry, loc)


def _bucket_policy_resource(b: Builder, lid: str, bucket_lid: str, policy: Any, loc: Loc | None,
                            inst: Instance) -> None:
    b.resources[lid] = {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": bucket_lid}}}
    b.tf_type[lid] = "aws_s3_bucket_policy"
    b.mark(("Resources", lid), loc or inst.loc)
    b.put(lid, ("PolicyDocument",), policy, loc, "policy")


def _bucket_of(b: Builder, inst: Instance, v: LDict) -> str | None:
    lid = b.target(v.get("bucket"), "aws_s3_bucket")
    if lid is None:
        _opaque(b, inst, "its bucket is not in the scanned configuration")
    return lid


@primary("aws_s3_bucket_policy")
def _bucket_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::S3::BucketPolicy")
    copy(b, lid, v, (("bucket", "Bucket"),))
    copy(b, lid, v, (("policy", "PolicyDocument"),), kind="policy")


@secondary("aws_s3_bucket_public_access_block")
def _pab(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is None:
        return
    b.mark(("Resources", lid, "Properties", "PublicAccessBlockConfiguration"), inst.loc)
    block = b.props(lid).setdefault("PublicAccessBlockConfiguration", {})
    # an argument left out is false, as the provider sends it
    for src, dst in (("block_public_acls", "BlockPublicAcls"), ("block_public_policy", "BlockPublicPolicy"),
                     ("ignore_public_acls", "IgnorePublicAcls"), ("restrict_public_buckets", "RestrictPublicBuckets")):
        value, loc = _get(v, src)
        block[dst] = False
        if value is not None:
            b.put(lid, ("PublicAccessBlockConfiguration", dst), value, loc)


@secondary("aws_s3_bucket_acl")
def _bucket_acl(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is None:
        return
    acl, loc = _get(v, "acl")
    if acl is not None:
        b.put(lid, ("AccessControl",), _CANNED_ACL.get(acl, acl) if isinstance(acl, str) else acl, loc)
    elif v.get("access_control_policy") is not None:
        b.put(lid, ("AccessControl",), Unk("an access_control_policy grant list"), inst.loc)


@secondary("aws_s3_bucket_ownership_controls")
def _ownership(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is not None:
        value, loc = _get(v, "rule.object_ownership")
        b.put(lid, ("OwnershipControls", "Rules"), LList([LDict({"ObjectOwnership": value}, locs={
            "ObjectOwnership": loc} if loc else {})], [loc]), loc or inst.loc)


@secondary("aws_s3_bucket_server_side_encryption_configuration")
def _bucket_sse(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is not None:
        for rule, loc in _blocks(v, "rule"):
            _sse_rule(b, lid, rule, loc)


@secondary("aws_s3_bucket_versioning")
def _versioning(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is not None:
        copy(b, lid, v, (("versioning_configuration.status", "VersioningConfiguration.Status"),))


@secondary("aws_s3_bucket_logging")
def _logging(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is not None:
        copy(b, lid, v, (("target_bucket", "LoggingConfiguration.DestinationBucketName"),
                         ("target_prefix", "LoggingConfiguration.LogFilePrefix")))


@secondary("aws_s3_bucket_notification")
def _notification(b: Builder, inst: Instance, v: LDict) -> None:
    lid = _bucket_of(b, inst, v)
    if lid is None:
        return
    for kind, dest, dst in (("lambda_function", "lambda_function_arn", "LambdaConfigurations"),
                            ("queue", "queue_arn", "QueueConfigurations"), ("topic", "topic_arn",
                                                                            "TopicConfigurations")):
        for block, loc in _blocks(v, kind):
            rules = LList()
            for name, key in (("prefix", "filter_prefix"), ("suffix", "filter_suffix")):
                if block.get(key) is not None:
                    rules.append(LDict({"Name": name, "Value": block[key]}))
                    rules.locs.append(block.locs.get(key))
            target_key = {"LambdaConfigurations": "Function", "QueueConfigurations": "Queue",
                          "TopicConfigurations": "Topic"}[dst]
            for event in list_of(block.get("events")):
                entry = LDict({"Event": event, target_key: block.get(dest)},
                              locs={"Event": block.locs.get("events") or loc})  # type: ignore[dict-item]  # a mark or the block's
                if rules:
                    entry["Filter"] = LDict({"S3Key": LDict({"Rules": rules})})
                b.append(lid, ("NotificationConfiguration", dst), entry, loc)


# -- messaging and data --------------------------------------------------------------------------------
@primary("aws_sqs_queue")
def _queue(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SQS::Queue")
    copy(b, lid, v, (("name", "QueueName"), ("kms_master_key_id", "KmsMasterKeyId"),
                     ("sqs_managed_sse_enabled", "SqsManagedSseEnabled"), ("fifo_queue", "FifoQueue"),
                     ("visibility_timeout_seconds", "VisibilityTimeout")))
    copy(b, lid, v, (("redrive_policy", "RedrivePolicy"),), kind="json")
    policy, loc = _get(v, "policy")
    if policy is not None:
        plid = f"{lid}.policy"
        b.resources[plid] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": lid}]}}
        b.mark(("Resources", plid), loc)
        b.put(plid, ("PolicyDocument",), policy, loc, "policy")


@primary("aws_sqs_queue_policy")
def _queue_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SQS::QueuePolicy")
    url, loc = _get(v, "queue_url")
    if url is not None:
        b.put(lid, ("Queues",), LList([url], [loc]), loc)
    copy(b, lid, v, (("policy", "PolicyDocument"),), kind="policy")


@primary("aws_sns_topic")
def _topic(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SNS::Topic")
    copy(b, lid, v, (("name", "TopicName"), ("kms_master_key_id", "KmsMasterKeyId")))
    policy, loc = _get(v, "policy")
    if policy is not None:
        plid = f"{lid}.policy"
        b.resources[plid] = {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": lid}]}}
        b.mark(("Resources", plid), loc)
        b.put(plid, ("PolicyDocument",), policy, loc, "policy")


@primary("aws_sns_topic_policy")
def _topic_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SNS::TopicPolicy")
    arn, loc = _get(v, "arn")
    if arn is not None:
        b.put(lid, ("Topics",), LList([arn], [loc]), loc)
    copy(b, lid, v, (("policy", "PolicyDocument"),), kind="policy")


@primary("aws_sns_topic_subscription")
def _subscription(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SNS::Subscription")
    copy(b, lid, v, (("topic_arn", "TopicArn"), ("protocol", "Protocol"), ("endpoint", "Endpoint")))
    copy(b, lid, v, (("filter_policy", "FilterPolicy"),), kind="json")


@primary("aws_dynamodb_table")
def _table(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::DynamoDB::Table")
    copy(b, lid, v, (("name", "TableName"), ("billing_mode", "BillingMode"),
                     ("server_side_encryption.enabled", "SSESpecification.SSEEnabled"),
                     ("server_side_encryption.kms_key_arn", "SSESpecification.KMSMasterKeyId")))
    view, loc = _get(v, "stream_view_type")
    if v.get("stream_enabled") is True or view is not None:
        b.put(lid, ("StreamSpecification", "StreamViewType"), view or "NEW_AND_OLD_IMAGES", loc)
    keys = LList()
    for attr, key_type in (("hash_key", "HASH"), ("range_key", "RANGE")):
        value, kloc = _get(v, attr)
        if value is not None:
            keys.append(LDict({"AttributeName": value, "KeyType": key_type}))
            keys.locs.append(kloc)
    if keys:
        b.put(lid, ("KeySchema",), keys, inst.loc)


@secondary("aws_dynamodb_resource_policy")
def _table_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("resource_arn"), "aws_dynamodb_table")
    if lid is None:
        _opaque(b, inst, "its table is not in the scanned configuration")
        return
    policy, loc = _get(v, "policy")
    b.put(lid, ("ResourcePolicy", "PolicyDocument"), policy, loc, "policy")


@primary("aws_secretsmanager_secret")
def _secret(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SecretsManager::Secret")
    copy(b, lid, v, (("name", "Name"), ("description", "Description"), ("kms_key_id", "KmsKeyId")))
    policy, loc = _get(v, "policy")
    if policy is not None:
        plid = f"{lid}.policy"
        b.resources[plid] = {"Type": "AWS::SecretsManager::ResourcePolicy", "Properties": {"SecretId": {"Ref": lid}}}
        b.mark(("Resources", plid), loc)
        b.put(plid, ("ResourcePolicy",), policy, loc, "policy")


@primary("aws_secretsmanager_secret_policy")
def _secret_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SecretsManager::ResourcePolicy")
    copy(b, lid, v, (("secret_arn", "SecretId"),))
    copy(b, lid, v, (("policy", "ResourcePolicy"),), kind="policy")


@primary("aws_secretsmanager_secret_rotation")
def _rotation(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::SecretsManager::RotationSchedule")
    copy(b, lid, v, (("secret_id", "SecretId"), ("rotation_lambda_arn", "RotationLambdaARN")))


@secondary("aws_secretsmanager_secret_version")
def _secret_version(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("secret_id"), "aws_secretsmanager_secret")
    value, loc = _get(v, "secret_string")
    if lid is not None and value is not None:
        b.put(lid, ("SecretString",), value, loc)
    elif lid is None:
        _opaque(b, inst, "its secret is not in the scanned configuration")


@primary("aws_kms_key")
def _key(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::KMS::Key")
    copy(b, lid, v, (("description", "Description"), ("enable_key_rotation", "EnableKeyRotation")))
    copy(b, lid, v, (("policy", "KeyPolicy"),), kind="policy")


@secondary("aws_kms_key_policy")
def _key_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("key_id"), "aws_kms_key")
    if lid is None:
        _opaque(b, inst, "its key is not in the scanned configuration")
        return
    policy, loc = _get(v, "policy")
    b.put(lid, ("KeyPolicy",), policy, loc, "policy")


@primary("aws_kms_alias")
def _alias(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::KMS::Alias")
    copy(b, lid, v, (("name", "AliasName"), ("target_key_id", "TargetKeyId")))


@primary("aws_cloudwatch_log_group")
def _log_group(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Logs::LogGroup")
    copy(b, lid, v, (("name", "LogGroupName"), ("retention_in_days", "RetentionInDays"), ("kms_key_id", "KmsKeyId")))


@primary("aws_cloudwatch_log_subscription_filter")
def _log_subscription(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Logs::SubscriptionFilter")
    copy(b, lid, v, (("log_group_name", "LogGroupName"), ("destination_arn", "DestinationArn"),
                     ("filter_pattern", "FilterPattern")))


# -- EventBridge, Step Functions ------------------------------------------------------------------------
@primary("aws_cloudwatch_event_bus")
def _bus(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Events::EventBus")
    copy(b, lid, v, (("name", "Name"), ("kms_key_identifier", "KmsKeyIdentifier")))


@secondary("aws_cloudwatch_event_bus_policy")
def _bus_policy(b: Builder, inst: Instance, v: LDict) -> None:
    policy, loc = _get(v, "policy")
    lid = b.target(v.get("event_bus_name"), "aws_cloudwatch_event_bus")
    if lid is not None:
        b.put(lid, ("Policy",), policy, loc, "policy")
        return
    doc = to_policy(policy)
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    for i, st in enumerate(list_of(statements)):
        plid = f"{inst.address}[{i}]" if i else inst.address
        b.resources[plid] = {"Type": "AWS::Events::EventBusPolicy", "Properties": {}}
        b.mark(("Resources", plid), inst.loc)
        b.put(plid, ("EventBusName",), v.get("event_bus_name") or "default", loc)
        b.put(plid, ("Statement",), st, statements.locs[i] if isinstance(statements, LList) else loc)


@primary("aws_cloudwatch_event_permission")
def _bus_permission(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Events::EventBusPolicy")
    copy(b, lid, v, (("principal", "Principal"), ("statement_id", "StatementId"), ("action", "Action"),
                     ("event_bus_name", "EventBusName"), ("condition.key", "Condition.Key"),
                     ("condition.type", "Condition.Type"), ("condition.value", "Condition.Value")))


@primary("aws_cloudwatch_event_rule")
def _rule(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Events::Rule")
    copy(b, lid, v, (("name", "Name"), ("schedule_expression", "ScheduleExpression"),
                     ("event_bus_name", "EventBusName"), ("state", "State"), ("description", "Description")))
    copy(b, lid, v, (("event_pattern", "EventPattern"),), kind="json")


@secondary("aws_cloudwatch_event_target")
def _target(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("rule"), "aws_cloudwatch_event_rule")
    if lid is None:
        _opaque(b, inst, "its rule is not in the scanned configuration")
        return
    entry = LDict({"Id": v.get("target_id") or inst.name, "Arn": v.get("arn")},
                  locs={"Arn": v.locs.get("arn") or inst.loc})
    if v.get("role_arn") is not None:
        entry["RoleArn"] = v["role_arn"]
    b.append(lid, ("Targets",), entry, inst.loc)


@primary("aws_sfn_state_machine")
def _state_machine(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::StepFunctions::StateMachine")
    copy(b, lid, v, (("name", "StateMachineName"), ("role_arn", "RoleArn"), ("type", "StateMachineType"),
                     ("logging_configuration.level", "LoggingConfiguration.Level"),
                     ("logging_configuration.include_execution_data", "LoggingConfiguration.IncludeExecutionData"),
                     ("tracing_configuration.enabled", "TracingConfiguration.Enabled")))
    dest, loc = _get(v, "logging_configuration.log_destination")
    if dest is not None:
        b.put(lid, ("LoggingConfiguration", "Destinations"),
              LList([LDict({"CloudWatchLogsLogGroup": LDict({"LogGroupArn": dest})})], [loc]), loc)
    definition, loc = _get(v, "definition")
    structured = to_policy(definition) if definition is not None else None
    if isinstance(structured, dict):
        b.put(lid, ("Definition",), structured, loc, "json")
    elif definition is not None:
        b.put(lid, ("DefinitionString",), definition, loc)


# -- Cognito ---------------------------------------------------------------------------------------------
@primary("aws_cognito_user_pool")
def _user_pool(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Cognito::UserPool")
    copy(b, lid, v, (("name", "UserPoolName"), ("mfa_configuration", "MfaConfiguration"),
                     ("password_policy.minimum_length", "Policies.PasswordPolicy.MinimumLength"),
                     ("password_policy.require_numbers", "Policies.PasswordPolicy.RequireNumbers"),
                     ("password_policy.require_symbols", "Policies.PasswordPolicy.RequireSymbols"),
                     ("password_policy.require_uppercase", "Policies.PasswordPolicy.RequireUppercase"),
                     ("password_policy.require_lowercase", "Policies.PasswordPolicy.RequireLowercase"),
                     ("admin_create_user_config.allow_admin_create_user_only",
                      "AdminCreateUserConfig.AllowAdminCreateUserOnly")))
    if "mfa_configuration" not in v:
        b.put(lid, ("MfaConfiguration",), "OFF", None)  # the provider's default
    for block, loc in _blocks(v, "schema"):
        entry = LDict()
        for src, dst in (("name", "Name"), ("attribute_data_type", "AttributeDataType"), ("mutable", "Mutable"),
                         ("required", "Required"), ("developer_only_attribute", "DeveloperOnlyAttribute")):
            if src in block:
                entry[dst] = block[src]
                if src in block.locs:
                    entry.locs[dst] = block.locs[src]
        b.append(lid, ("Schema",), entry, loc)
    for block, loc in _blocks(v, "lambda_config"):
        for key, value in block.items():
            name = "".join(p[:1].upper() + p[1:] for p in key.split("_"))
            b.put(lid, ("LambdaConfig", name), value, block.locs.get(key) or loc)


@primary("aws_cognito_user_pool_client")
def _pool_client(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Cognito::UserPoolClient")
    copy(b, lid, v, (("user_pool_id", "UserPoolId"), ("generate_secret", "GenerateSecret"),
                     ("write_attributes", "WriteAttributes"), ("read_attributes", "ReadAttributes"),
                     ("explicit_auth_flows", "ExplicitAuthFlows"), ("allowed_oauth_flows", "AllowedOAuthFlows"),
                     ("callback_urls", "CallbackURLs"), ("name", "ClientName")))


@primary("aws_cognito_identity_pool")
def _identity_pool(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Cognito::IdentityPool")
    copy(b, lid, v, (("identity_pool_name", "IdentityPoolName"),
                     ("allow_unauthenticated_identities", "AllowUnauthenticatedIdentities")))
    if "allow_unauthenticated_identities" not in v:
        b.put(lid, ("AllowUnauthenticatedIdentities",), False, None)
    for block, loc in _blocks(v, "cognito_identity_providers"):
        b.append(lid, ("CognitoIdentityProviders",),
                 LDict({"ClientId": block.get("client_id"), "ProviderName": block.get("provider_name")},
                       locs=_locs(ClientId=block.locs.get("client_id") or loc)), loc)


@primary("aws_cognito_identity_pool_roles_attachment")
def _pool_roles(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::Cognito::IdentityPoolRoleAttachment")
    copy(b, lid, v, (("identity_pool_id", "IdentityPoolId"), ("roles", "Roles")))


# -- API Gateway -----------------------------------------------------------------------------------------
@primary("aws_api_gateway_rest_api")
def _rest_api(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::RestApi")
    copy(b, lid, v, (("name", "Name"), ("endpoint_configuration.types", "EndpointConfiguration.Types"),
                     ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint")))
    copy(b, lid, v, (("body", "Body"),), kind="json")
    copy(b, lid, v, (("policy", "Policy"),), kind="policy")


@secondary("aws_api_gateway_rest_api_policy")
def _rest_api_policy(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.target(v.get("rest_api_id"), "aws_api_gateway_rest_api")
    if lid is None:
        _opaque(b, inst, "its API is not in the scanned configuration")
        return
    policy, loc = _get(v, "policy")
    b.put(lid, ("Policy",), policy, loc, "policy")


@primary("aws_api_gateway_resource")
def _api_resource(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::Resource")
    copy(b, lid, v, (("rest_api_id", "RestApiId"), ("parent_id", "ParentId"), ("path_part", "PathPart")))


@primary("aws_api_gateway_method")
def _method(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::Method")
    copy(b, lid, v, (("rest_api_id", "RestApiId"), ("resource_id", "ResourceId"), ("http_method", "HttpMethod"),
                     ("authorization", "AuthorizationType"), ("authorizer_id", "AuthorizerId"),
                     ("api_key_required", "ApiKeyRequired")))


def _match_key(*values: Any) -> str:
    return json.dumps([_canon(v) for v in values], sort_keys=True, default=str)


def _canon(value: Any) -> Any:
    if isinstance(value, Cfn):
        node = value.node
        return node.get("Ref") or (node.get("Fn::GetAtt") or [None])[0] or str(node)
    if isinstance(value, Join):
        return [_canon(p) for p in value.parts]
    return value


@secondary("aws_api_gateway_integration")
def _integration(b: Builder, inst: Instance, v: LDict) -> None:
    want = _match_key(v.get("rest_api_id"), v.get("resource_id"), v.get("http_method"))
    for lid, res in b.resources.items():
        if res["Type"] != "AWS::ApiGateway::Method":
            continue
        if b.method_keys.get(lid) == want:
            copy(b, lid, v, (("type", "Integration.Type"), ("uri", "Integration.Uri"),
                             ("integration_http_method", "Integration.IntegrationHttpMethod")))
            return
    _opaque(b, inst, "no aws_api_gateway_method with the same API, resource and method")


@primary("aws_api_gateway_authorizer")
def _authorizer(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::Authorizer")
    copy(b, lid, v, (("name", "Name"), ("rest_api_id", "RestApiId"), ("type", "Type"),
                     ("authorizer_uri", "AuthorizerUri"), ("provider_arns", "ProviderARNs"),
                     ("identity_source", "IdentitySource")))
    if "type" not in v:
        b.put(lid, ("Type",), "TOKEN", None)


@primary("aws_api_gateway_deployment")
def _deployment(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::Deployment")
    copy(b, lid, v, (("rest_api_id", "RestApiId"), ("stage_name", "StageName")))


@primary("aws_api_gateway_stage")
def _stage(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::Stage")
    copy(b, lid, v, (("rest_api_id", "RestApiId"), ("stage_name", "StageName"), ("deployment_id", "DeploymentId"),
                     ("access_log_settings.destination_arn", "AccessLogSetting.DestinationArn"),
                     ("access_log_settings.format", "AccessLogSetting.Format"),
                     ("xray_tracing_enabled", "TracingEnabled"), ("variables", "Variables")))


@secondary("aws_api_gateway_method_settings")
def _method_settings(b: Builder, inst: Instance, v: LDict) -> None:
    api = _canon(v.get("rest_api_id"))
    stage_name = v.get("stage_name")
    target = None
    for lid, res in b.resources.items():
        if res["Type"] != "AWS::ApiGateway::Stage":
            continue
        if b.stage_keys.get(lid) == _match_key(api, _canon(stage_name)) or _canon(stage_name) == lid:
            target = lid
            break
    if target is None:
        _opaque(b, inst, "its stage is not in the scanned configuration")
        return
    path = v.get("method_path") if isinstance(v.get("method_path"), str) else "*/*"
    resource, _, method = str(path).rpartition("/")
    settings, loc = _get(v, "settings")
    s = settings[0] if isinstance(settings, list) and settings else LDict()
    entry = LDict({"ResourcePath": "/" + resource.lstrip("/") if resource != "*" else "/*", "HttpMethod": method})
    for src, dst in (("metrics_enabled", "MetricsEnabled"), ("logging_level", "LoggingLevel"),
                     ("data_trace_enabled", "DataTraceEnabled"), ("throttling_burst_limit", "ThrottlingBurstLimit"),
                     ("throttling_rate_limit", "ThrottlingRateLimit"), ("caching_enabled", "CachingEnabled")):
        if isinstance(s, dict) and src in s:
            entry[dst] = s[src]
            if isinstance(s, LDict) and src in s.locs:
                entry.locs[dst] = s.locs[src]
    b.append(target, ("MethodSettings",), entry, loc or inst.loc)


@primary("aws_api_gateway_usage_plan")
def _usage_plan(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGateway::UsagePlan")
    copy(b, lid, v, (("name", "UsagePlanName"), ("throttle_settings.burst_limit", "Throttle.BurstLimit"),
                     ("throttle_settings.rate_limit", "Throttle.RateLimit")))
    for block, loc in _blocks(v, "api_stages"):
        b.append(lid, ("ApiStages",), LDict({"ApiId": block.get("api_id"), "Stage": block.get("stage")}), loc)


@primary("aws_apigatewayv2_api")
def _http_api(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGatewayV2::Api")
    copy(b, lid, v, (("name", "Name"), ("protocol_type", "ProtocolType"), ("target", "Target"),
                     ("route_key", "RouteKey"), ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                     ("cors_configuration.allow_origins", "CorsConfiguration.AllowOrigins"),
                     ("cors_configuration.allow_methods", "CorsConfiguration.AllowMethods"),
                     ("cors_configuration.allow_headers", "CorsConfiguration.AllowHeaders"),
                     ("cors_configuration.allow_credentials", "CorsConfiguration.AllowCredentials"),
                     ("cors_configuration.expose_headers", "CorsConfiguration.ExposeHeaders"),
                     ("cors_configuration.max_age", "CorsConfiguration.MaxAge")))
    copy(b, lid, v, (("body", "Body"),), kind="json")


@primary("aws_apigatewayv2_route")
def _route(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGatewayV2::Route")
    copy(b, lid, v, (("api_id", "ApiId"), ("route_key", "RouteKey"), ("target", "Target"),
                     ("authorization_type", "AuthorizationType"), ("authorizer_id", "AuthorizerId"),
                     ("api_key_required", "ApiKeyRequired")))


@primary("aws_apigatewayv2_integration")
def _v2_integration(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGatewayV2::Integration")
    copy(b, lid, v, (("api_id", "ApiId"), ("integration_type", "IntegrationType"),
                     ("integration_uri", "IntegrationUri"), ("integration_method", "IntegrationMethod"),
                     ("payload_format_version", "PayloadFormatVersion")))


@primary("aws_apigatewayv2_stage")
def _v2_stage(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGatewayV2::Stage")
    copy(b, lid, v, (("api_id", "ApiId"), ("name", "StageName"), ("auto_deploy", "AutoDeploy"),
                     ("access_log_settings.destination_arn", "AccessLogSettings.DestinationArn"),
                     ("access_log_settings.format", "AccessLogSettings.Format"),
                     ("default_route_settings.throttling_burst_limit", "DefaultRouteSettings.ThrottlingBurstLimit"),
                     ("default_route_settings.throttling_rate_limit", "DefaultRouteSettings.ThrottlingRateLimit"),
                     ("stage_variables", "StageVariables")))


@primary("aws_apigatewayv2_authorizer")
def _v2_authorizer(b: Builder, inst: Instance, v: LDict) -> None:
    lid = b.new(inst, "AWS::ApiGatewayV2::Authorizer")
    copy(b, lid, v, (("api_id", "ApiId"), ("authorizer_type", "AuthorizerType"), ("name", "Name"),
                     ("jwt_configuration.audience", "JwtConfiguration.Audience"),
                     ("jwt_configuration.issuer", "JwtConfiguration.Issuer"), ("authorizer_uri", "AuthorizerUri"),
                     ("identity_sources", "IdentitySource")))


def _opaque(b: Builder, inst: Instance, why: str) -> None:
    if inst.address not in b.resources:
        b.new(inst, f"Terraform::{inst.type}")
    b.notes.append((inst.file, inst.line, "terraform-not-linked", f"{inst.address}: {why}; not analysed"))


def build(instances: list[Instance], data: list[Instance], doc_file: str) -> Builder:
    """Translate every instance; problems become notes, never exceptions."""
    b = Builder(doc_file)
    for d in [*data, *(i for i in instances if i.type == "archive_file")]:
        if d.type == "archive_file":
            archive = d.attr("output_path")
            if isinstance(archive, Archive) and archive.output:
                b.archives[posixpath.normpath(archive.output)] = archive
    b.objects = {i.address: i for i in instances if i.type in _S3_OBJECTS}
    later: list[Instance] = []
    for inst in instances:
        if inst.type in SECONDARY:
            later.append(inst)
            continue
        handler = PRIMARY.get(inst.type)
        try:
            values = inst.values()
            if handler is None:
                b.new(inst, f"Terraform::{inst.type}")
                continue
            handler(b, inst, values)
            if inst.type == "aws_api_gateway_method":
                b.method_keys[inst.address] = _match_key(values.get("rest_api_id"), values.get("resource_id"),
                                                         values.get("http_method"))
            if inst.type == "aws_api_gateway_stage":
                b.stage_keys[inst.address] = _match_key(_canon(values.get("rest_api_id")),
                                                        _canon(values.get("stage_name")))
        except Exception as exc:  # noqa: BLE001 - one resource remit cannot translate must not lose the rest
            b.notes.append((inst.file, inst.line, "terraform-error",
                            f"{inst.address} could not be translated: {type(exc).__name__}: {exc}"))
    for inst in later:
        try:
            SECONDARY[inst.type](b, inst, inst.values())
        except Exception as exc:  # noqa: BLE001 - as above
            b.notes.append((inst.file, inst.line, "terraform-error",
                            f"{inst.address} could not be translated: {type(exc).__name__}: {exc}"))
    return b
