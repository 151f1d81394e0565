"""Data store readers: buckets, DynamoDB tables, secrets, KMS keys, log groups and state machines, each with its
resource policy (written on it, or as a policy resource of its own)."""

from __future__ import annotations

import contextlib

from remit import untrusted
from remit.model.entities import Bucket, KmsKey, LogGroup, Secret, StateMachine, Table
from remit.model.policy import Policy, PolicyKind, parse_document
from remit.model.readers import resource_policy
from remit.model.readers.context import Context
from remit.model.values import Value, items

SECRET = "AWS::SecretsManager::Secret"


def buckets(ctx: Context) -> None:
    policies, unlinked = resource_policy.linked(ctx, "AWS::S3::Bucket",
                                                ("AWS::S3::BucketPolicy", "Bucket", "PolicyDocument", False))
    for res, name, policy in unlinked:
        ctx.acc.buckets.append(Bucket(res, name, policy, None, external=True))
    for res in ctx.of_type("AWS::S3::Bucket"):
        rules = items(res.prop("BucketEncryption", "ServerSideEncryptionConfiguration"))
        algorithms: list[Value] = []
        key: Value | None = None
        for rule in rules:
            if isinstance(rule, dict) and isinstance(rule.get("ServerSideEncryptionByDefault"), dict):
                default = rule["ServerSideEncryptionByDefault"]
                assert isinstance(default, dict)
                algorithms.append(default.get("SSEAlgorithm"))
                key = default.get("KMSMasterKeyID", key)
        pab = res.prop("PublicAccessBlockConfiguration")
        ownership = None
        for rule in items(res.prop("OwnershipControls", "Rules")):
            if isinstance(rule, dict):
                ownership = rule.get("ObjectOwnership")
        ctx.acc.buckets.append(
            Bucket(res, res.prop("BucketName") or res.logical_id, policies.get(res.logical_id), key,
                   public_access_block=pab if isinstance(pab, dict) else None, acl=res.prop("AccessControl"),
                   encryption_algorithms=tuple(algorithms), ownership=ownership)
        )


def tables(ctx: Context) -> None:
    for rtype in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        for res in ctx.of_type(rtype):
            policy = resource_policy.inline(res, "ResourcePolicy")
            if policy is not None:
                policy = Policy(PolicyKind.RESOURCE, policy.name,
                                parse_document(res.prop("ResourcePolicy", "PolicyDocument"), res.at,
                                               "ResourcePolicy", "PolicyDocument"),
                                policy.node, res.id, (res.id,))
            ctx.acc.tables.append(
                Table(res, res.prop("TableName") or res.logical_id, policy,
                      res.prop("SSESpecification", "KMSMasterKeyId"),
                      sse_enabled=res.prop("SSESpecification", "SSEEnabled"),
                      stream_view=res.prop("StreamSpecification", "StreamViewType"))
            )


def secrets(ctx: Context) -> None:
    policies, unlinked = resource_policy.linked(ctx, SECRET, ("AWS::SecretsManager::ResourcePolicy", "SecretId",
                                                              "ResourcePolicy", False))
    for res, name, policy in unlinked:
        ctx.acc.secrets.append(Secret(res, name, policy, None, external=True))
    rotated = {t.logical_id for t in (ctx.target(r.prop("SecretId"), SECRET)
                                     for r in ctx.of_type("AWS::SecretsManager::RotationSchedule")) if t}
    for res in ctx.of_type(SECRET):
        ctx.acc.secrets.append(
            Secret(res, res.prop("Name") or res.logical_id, policies.get(res.logical_id), res.prop("KmsKeyId"),
                   rotation=res.logical_id in rotated, generated=res.prop("GenerateSecretString") is not None)
        )


def keys(ctx: Context) -> None:
    for res in ctx.of_type("AWS::KMS::Key"):
        policy = resource_policy.inline(res, "KeyPolicy")
        ctx.acc.keys.append(KmsKey(res, res.prop("Description") or res.logical_id, policy, None,
                                   rotation=res.prop("EnableKeyRotation")))


def log_groups(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Logs::LogGroup"):
        ctx.acc.log_groups.append(LogGroup(res, res.prop("LogGroupName"), res.prop("RetentionInDays"),
                                           res.prop("KmsKeyId")))


def state_machines(ctx: Context) -> None:
    for res in ctx.of_type("AWS::StepFunctions::StateMachine"):
        definition = res.prop("Definition")
        node = res.at("Definition")
        if definition is None and res.prop("DefinitionString") is not None:
            definition = res.prop("DefinitionString")
            node = res.at("DefinitionString")
            if isinstance(definition, str):
                with contextlib.suppress(ValueError):
                    definition = untrusted.json_loads(definition)
        logging = res.prop("LoggingConfiguration")
        role = res.prop("RoleArn")
        ctx.acc.state_machines.append(
            StateMachine(res, res.prop("StateMachineName") or res.logical_id, None,
                         res.prop("EncryptionConfiguration", "KmsKeyId"), definition=definition,
                         definition_node=node, role=role, role_id=ctx.target(role, "AWS::IAM::Role"),
                         logging=logging if isinstance(logging, dict) else None,
                         tracing=res.prop("TracingConfiguration", "Enabled"))
        )
