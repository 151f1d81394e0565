"""Documents -> :class:`~remit.model.application.Application`.

One builder for every format that arrives as CloudFormation (CloudFormation itself, SAM after expansion, and
later CDK output): it resolves intrinsics, reads each resource type it knows into its typed view, and wires
resources together (a bucket and its policy, a function and its role, its triggers, its URL...). Resource
types it does not know stay available as plain resources.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit import untrusted
from remit.diagnostics import Diagnostic, Level
from remit.documents import PLACEHOLDER_BUCKET, DocKind, Document, Expanded, is_local
from remit.model import openapi
from remit.model.application import Application, DocumentInfo, TemplateOutput
from remit.model.entities import (
    Api,
    ApiKind,
    AuthKind,
    Bucket,
    CodeKind,
    CodeLocation,
    Cors,
    CustomAttribute,
    EventBus,
    EventInvokeConfig,
    Function,
    FunctionUrl,
    Group,
    IdentityPool,
    InstanceProfile,
    KmsKey,
    LambdaPermission,
    LayerVersion,
    LogGroup,
    Queue,
    Role,
    Route,
    RouteAuth,
    Secret,
    Stage,
    StateMachine,
    Table,
    Topic,
    Trigger,
    UsagePlan,
    User,
    UserPool,
    UserPoolClient,
)
from remit.model.intrinsics import Resolver
from remit.model.policy import (
    Policy,
    PolicyDocument,
    PolicyKind,
    Statement,
    aws_managed_document,
    aws_managed_name,
    parse_document,
)
from remit.model.resources import Origin, Resource, ResourceId
from remit.model.triggers import TriggerKind
from remit.model.units import deployment_units, nested_stacks
from remit.model.values import (
    Concat,
    Symbol,
    SymbolKind,
    Unknown,
    Value,
    items,
    present_options,
    render,
    text,
    truthy,
)
from remit.source import NodePath

STANDARD_COGNITO_ATTRIBUTES = frozenset(
    {
        "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale",
        "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture",
        "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo",
    }
)


def build(documents: Sequence[Document], root: Path, expander: Callable[[Document], Expanded], *,
          one_account: bool = False) -> tuple[Application, tuple[Diagnostic, ...]]:
    """Build one application from every document. Problems become diagnostics; this never raises for input.

    ``expander`` turns a SAM document into CloudFormation: the loaders' SAM step, which ``remit.api`` passes
    (translations made beside the scan, or :func:`remit.loaders.sam.expand`); the model imports no loader.
    ``one_account``: every document is deployed into one account (one deployment unit,
    :mod:`remit.model.units`)."""
    acc = _Accumulator()
    diags: list[Diagnostic] = []
    infos: list[DocumentInfo] = []
    nested, nested_diags = nested_stacks(documents, root)
    diags.extend(nested_diags)
    units = deployment_units(documents, one_account=one_account, nested=nested)
    for doc in documents:
        meta = doc.data.get("Metadata")
        template: Mapping[str, Any] = doc.data
        origins: Mapping[str, Origin] = {}
        local_paths: Mapping[str, Mapping[str, str]] = {}
        if doc.kind is DocKind.SAM:
            done = expander(doc)
            diags.extend(done.diagnostics)
            template, origins, local_paths = done.template, done.origins, done.local_paths
        builder = _DocBuilder(doc, template, origins, local_paths, acc, root)
        builder.run()
        diags.extend(builder.diagnostics)
        infos.append(DocumentInfo(doc.id, doc.kind.value, doc.path, doc.marks, meta if isinstance(meta, dict) else {},
                                  units[doc.id], _outputs(doc.id, template, builder.resolver)))
    return acc.application(root, tuple(infos)), tuple(diags)


def _outputs(doc: str, template: Mapping[str, Any], resolver: Resolver) -> tuple[TemplateOutput, ...]:
    """The template's ``Outputs`` with their values resolved; malformed entries are left out."""
    outputs = template.get("Outputs")
    if not isinstance(outputs, dict):
        return ()
    return tuple(TemplateOutput(str(name), resolver.resolve(entry["Value"]), NodePath(doc, ("Outputs", str(name))),
                                entry.get("Sensitive") is True)
                 for name, entry in outputs.items() if isinstance(entry, dict) and "Value" in entry)


@dataclass
class _Accumulator:
    resources: list[Resource] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    function_urls: list[FunctionUrl] = field(default_factory=list)
    permissions: list[LambdaPermission] = field(default_factory=list)
    invoke_configs: list[EventInvokeConfig] = field(default_factory=list)
    layers: list[LayerVersion] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    usage_plans: list[UsagePlan] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    instance_profiles: list[InstanceProfile] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    buses: list[EventBus] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    keys: list[KmsKey] = field(default_factory=list)
    state_machines: list[StateMachine] = field(default_factory=list)
    log_groups: list[LogGroup] = field(default_factory=list)
    user_pools: list[UserPool] = field(default_factory=list)
    user_pool_clients: list[UserPoolClient] = field(default_factory=list)
    identity_pools: list[IdentityPool] = field(default_factory=list)

    def application(self, root: Path, documents: tuple[DocumentInfo, ...]) -> Application:
        fields: dict[str, Any] = {name: tuple(value) for name, value in vars(self).items()}
        return Application(root=root, documents=documents, **fields)


# resource types whose physical name property lets a literal ARN or name be matched to the resource
_NAME_PROPS = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Events::EventBus": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Logs::LogGroup": "LogGroupName",
}


class _DocBuilder:
    def __init__(
        self,
        doc: Document,
        template: Mapping[str, Any],
        origins: Mapping[str, Origin],
        local_paths: Mapping[str, Mapping[str, str]],
        acc: _Accumulator,
        root: Path,
    ) -> None:
        self.doc = doc
        self.template = template
        self.origins = origins
        self.local_paths = local_paths
        self.acc = acc
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.resolver = Resolver(template)
        self.res: dict[str, Resource] = {}
        self.by_type: dict[str, list[Resource]] = defaultdict(list)
        self.by_name: dict[tuple[str, str], str] = {}
        # identity policies found on other resources, per principal logical id
        self.extra_policies: dict[str, list[Policy]] = defaultdict(list)
        self.boundaries: dict[str, Policy] = {}

    # ------------------------------------------------------------------------------------------
    def run(self) -> None:
        raw = self.template.get("Resources")
        if not isinstance(raw, dict):
            return
        for key, body in raw.items():
            lid = str(key)
            if lid.startswith("Fn::ForEach::"):
                self._diag(Level.WARNING, "foreach-not-expanded",
                           f"{lid} (AWS::LanguageExtensions) is not expanded: the resources it makes are not "
                           "analysed", ("Resources", lid))
                continue
            if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
                self._diag(Level.WARNING, "bad-resource", f"resource {lid} has no Type: skipped", ("Resources", lid))
                continue
            props_raw = body.get("Properties", {})
            if props_raw is None:
                props_raw = {}
            origin = self.origins.get(lid) or Origin(self.doc.id, lid, marks=self.doc.marks)
            props = self.resolver.resolve(props_raw) if isinstance(props_raw, dict) else {}
            if not isinstance(props, dict):
                props = {}
            if not isinstance(props_raw, dict):
                self._diag(Level.WARNING, "bad-resource", f"resource {lid} has Properties that are not a mapping",
                           ("Resources", lid))
            meta = body.get("Metadata") if isinstance(body.get("Metadata"), dict) else {}
            cond = body.get("Condition") if isinstance(body.get("Condition"), str) else None
            resource = Resource(ResourceId(self.doc.id, lid), body["Type"], props, origin, meta or {}, cond)
            self.res[lid] = resource
            self.by_type[resource.type].append(resource)
            name_prop = _NAME_PROPS.get(resource.type)
            if name_prop:
                name = _name_key(resource.prop(name_prop))
                if name:
                    self.by_name[(resource.type, name)] = lid
        for problem in self.resolver.problems:
            self._diag(Level.WARNING, "intrinsic", problem)
        self.acc.resources.extend(self.res.values())
        steps: tuple[Callable[[], None], ...] = (
            self._iam_attachments,
            self._roles_users_groups,
            self._functions,
            self._function_urls,
            self._permissions,
            self._invoke_configs,
            self._layers,
            self._log_groups,
            self._buckets,
            self._tables,
            self._queues,
            self._topics,
            self._buses,
            self._secrets,
            self._keys,
            self._state_machines,
            self._cognito,
            self._apis,
            self._usage_plans,
            self._triggers,
        )
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - one unreadable part must not lose the rest of the model
                self._diag(Level.ERROR, "model-error",
                           f"could not read part of the template ({step.__name__.strip('_')}): "
                           f"{type(exc).__name__}: {exc}")

    def _diag(self, level: Level, code: str, message: str, path: tuple[Any, ...] | None = None) -> None:
        line = self.doc.marks.position(path).line if path else None
        self.diagnostics.append(Diagnostic(self.doc.id, level, code, message, line))

    # -- reference helpers --------------------------------------------------------------------
    def rid(self, lid: str) -> ResourceId:
        return ResourceId(self.doc.id, lid)

    def target(self, value: Value | None, *types: str) -> ResourceId | None:
        """The resource of one of ``types`` that ``value`` points at: a Ref/GetAtt, an ARN or URL built from
        one, or a literal name/ARN matching a resource's physical name."""
        if value is None:
            return None
        for option in present_options(value):
            candidates: list[str] = []
            if isinstance(option, Symbol) and option.kind is SymbolKind.RESOURCE:
                candidates.append(option.name)
            elif isinstance(option, Concat):
                candidates.extend(p.name for p in option.parts
                                  if isinstance(p, Symbol) and p.kind is SymbolKind.RESOURCE)
            key = None if candidates else _name_key(option)
            if key is not None:
                # a name, ARN or URL (literal, or built from parameters and pseudo parameters) equal to a
                # resource's physical name written the same way: `!Sub "${AWS::StackName}-uploads"` on both sides
                for rtype in types:
                    for candidate in _name_candidates(key):
                        lid = self.by_name.get((rtype, candidate))
                        if lid:
                            candidates.append(lid)
            for lid in candidates:
                res = self.res.get(lid)
                if res is None:
                    continue
                if res.type in types:
                    return res.id
                # an alias or version stands for its function
                if "AWS::Lambda::Function" in types and res.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                    found = self.target(res.prop("FunctionName"), "AWS::Lambda::Function")
                    if found:
                        return found
        return None

    def function_target(self, value: Value | None) -> ResourceId | None:
        return self.target(value, "AWS::Lambda::Function")

    # -- IAM ----------------------------------------------------------------------------------
    def _principal_targets(self, res: Resource, prop: str, rtype: str) -> list[str]:
        out = []
        for item in items(res.prop(prop)):
            found = self.target(item, rtype)
            if found:
                out.append(found.logical_id)
        return out

    def _iam_attachments(self) -> None:
        """Policies written as their own resources, attached to roles, users and groups."""
        kinds = {"Roles": "AWS::IAM::Role", "Users": "AWS::IAM::User", "Groups": "AWS::IAM::Group"}
        for rtype, kind in (("AWS::IAM::Policy", PolicyKind.INLINE), ("AWS::IAM::ManagedPolicy",
                                                                           PolicyKind.CUSTOMER_MANAGED)):
            for res in self.by_type.get(rtype, ()):
                name = res.text("PolicyName") or res.text("ManagedPolicyName") or res.logical_id
                attached: list[str] = []
                for prop, ptype in kinds.items():
                    attached.extend(self._principal_targets(res, prop, ptype))
                policy = Policy(kind, name, parse_document(res.prop("PolicyDocument"), res.at, "PolicyDocument"),
                                res.at("PolicyDocument"), res.id, tuple(self.rid(a) for a in attached))
                self.acc.policies.append(policy)
                for lid in attached:
                    self.extra_policies[lid].append(policy)
        singles = (("AWS::IAM::RolePolicy", "RoleName", "AWS::IAM::Role"),
                   ("AWS::IAM::UserPolicy", "UserName", "AWS::IAM::User"),
                   ("AWS::IAM::GroupPolicy", "GroupName", "AWS::IAM::Group"))
        for rtype, prop, ptype in singles:
            for res in self.by_type.get(rtype, ()):
                owner = self.target(res.prop(prop), ptype)
                policy = Policy(PolicyKind.INLINE, res.text("PolicyName") or res.logical_id,
                                parse_document(res.prop("PolicyDocument"), res.at, "PolicyDocument"),
                                res.at("PolicyDocument"), res.id, (owner,) if owner else ())
                self.acc.policies.append(policy)
                if owner:
                    self.extra_policies[owner.logical_id].append(policy)

    def _own_policies(self, res: Resource) -> list[Policy]:
        policies: list[Policy] = []
        for i, item in enumerate(items(res.prop("Policies"))):
            if not isinstance(item, dict):
                continue
            name = text(item.get("PolicyName")) or f"{res.logical_id}Policy{i}"
            doc = parse_document(item.get("PolicyDocument"), res.at, "Policies", i, "PolicyDocument")
            policy = Policy(PolicyKind.INLINE, name, doc, res.at("Policies", i), res.id, (res.id,))
            policies.append(policy)
        for i, arn in enumerate(items(res.prop("ManagedPolicyArns"))):
            policies.append(self._managed(arn, res, res.at("ManagedPolicyArns", i), (res.id,)))
        return policies

    def _managed(self, arn: Value, carrier: Resource, node: NodePath, attached: tuple[ResourceId, ...],
                 kind: PolicyKind | None = None) -> Policy:
        aws_name = aws_managed_name(arn)
        if aws_name is not None:
            return Policy(kind or PolicyKind.AWS_MANAGED, aws_name, aws_managed_document(aws_name, node), node,
                          carrier.id, attached, text(arn) or render(arn))
        target = self.target(arn, "AWS::IAM::ManagedPolicy")
        if target is not None:
            managed = self.res[target.logical_id]
            return Policy(kind or PolicyKind.CUSTOMER_MANAGED, managed.text("ManagedPolicyName") or target.logical_id,
                          parse_document(managed.prop("PolicyDocument"), managed.at, "PolicyDocument"),
                          node, carrier.id, attached)
        return Policy(kind or PolicyKind.CUSTOMER_MANAGED, render(arn),
                      Unknown(f"managed policy {render(arn)} is not defined in the template"), node, carrier.id,
                      attached, text(arn))

    def _roles_users_groups(self) -> None:
        for res in self.by_type.get("AWS::IAM::Role", ()):
            own = self._own_policies(res)
            self.acc.policies.extend(own)
            boundary = self._boundary(res)
            trust = parse_document(res.prop("AssumeRolePolicyDocument"), res.at, "AssumeRolePolicyDocument")
            self.acc.roles.append(Role(res, res.prop("RoleName") or res.logical_id,
                                       (*own, *self.extra_policies.get(res.logical_id, ())), boundary, trust))
        for res in self.by_type.get("AWS::IAM::Group", ()):
            own = self._own_policies(res)
            self.acc.policies.extend(own)
            self.acc.groups.append(Group(res, res.prop("GroupName") or res.logical_id,
                                         (*own, *self.extra_policies.get(res.logical_id, ())), None))
        additions: dict[str, list[ResourceId]] = defaultdict(list)
        for res in self.by_type.get("AWS::IAM::UserToGroupAddition", ()):
            group = self.target(res.prop("GroupName"), "AWS::IAM::Group")
            for user in items(res.prop("Users")):
                uid = self.target(user, "AWS::IAM::User")
                if uid and group:
                    additions[uid.logical_id].append(group)
        keyed = {uid.logical_id for key in self.by_type.get("AWS::IAM::AccessKey", ())
                 if (uid := self.target(key.prop("UserName"), "AWS::IAM::User")) is not None}
        for res in self.by_type.get("AWS::IAM::User", ()):
            own = self._own_policies(res)
            self.acc.policies.extend(own)
            groups = [g for g in (self.target(v, "AWS::IAM::Group") for v in items(res.prop("Groups"))) if g]
            self.acc.users.append(User(res, res.prop("UserName") or res.logical_id,
                                       (*own, *self.extra_policies.get(res.logical_id, ())), self._boundary(res),
                                       (*groups, *additions.get(res.logical_id, ())),
                                       res.prop("LoginProfile") is not None, res.logical_id in keyed))
        for res in self.by_type.get("AWS::IAM::InstanceProfile", ()):
            roles = tuple(r for r in (self.target(v, "AWS::IAM::Role") for v in items(res.prop("Roles"))) if r)
            self.acc.instance_profiles.append(InstanceProfile(res, roles))

    def _boundary(self, res: Resource) -> Policy | None:
        arn = res.prop("PermissionsBoundary")
        if arn is None:
            return None
        return self._managed(arn, res, res.at("PermissionsBoundary"), (res.id,), PolicyKind.BOUNDARY)

    # -- compute -----------------------------------------------------------------------------
    def _code(self, res: Resource, code: Value | None, local_keys: tuple[str, ...]) -> CodeLocation:
        """Where a function's or layer's code is. SAM's local paths were swapped for placeholders before
        translation; the placeholder's key says whose path it was (the resource's own, or Globals')."""
        written: str | None = None
        if isinstance(code, dict) and code.get("S3Bucket") == PLACEHOLDER_BUCKET:
            owner = "Globals" if code.get("S3Key") == "globals" else res.origin.logical_id
            local = self.local_paths.get(owner, {})
            written = next((local[k] for k in local_keys if k in local), None)
        elif isinstance(code, str) and is_local(code):
            written = code  # ``aws cloudformation package`` style: a local path in Code
        if written is not None:
            return CodeLocation(CodeKind.LOCAL, written, (self.doc.path.parent / written).resolve())
        if isinstance(code, dict):
            inline = code.get("ZipFile")
            if inline is not None:
                return CodeLocation(CodeKind.INLINE, "<inline>", inline=text(inline) or render(inline))
            if code.get("ImageUri") is not None:
                return CodeLocation(CodeKind.IMAGE, render(code["ImageUri"]))
            if code.get("S3Bucket") is not None:
                return CodeLocation(CodeKind.S3, f"s3://{render(code['S3Bucket'])}/{render(code.get('S3Key'))}")
        if code is None:
            return CodeLocation(CodeKind.UNKNOWN, "<not set>")
        return CodeLocation(CodeKind.UNKNOWN, render(code))

    def _functions(self) -> None:
        for res in self.by_type.get("AWS::Lambda::Function", ()):
            env = res.prop("Environment", "Variables")
            role = res.prop("Role")
            vpc = res.prop("VpcConfig")
            self.acc.functions.append(
                Function(
                    resource=res,
                    name=res.prop("FunctionName") or res.logical_id,
                    runtime=res.prop("Runtime"),
                    handler=res.prop("Handler"),
                    package_type=res.text("PackageType") or "Zip",
                    code=self._code(res, res.prop("Code"), ("CodeUri", "ImageUri")),
                    role=role,
                    role_id=self.target(role, "AWS::IAM::Role"),
                    environment=env if isinstance(env, dict) else {},
                    layers=items(res.prop("Layers")),
                    reserved_concurrency=res.prop("ReservedConcurrentExecutions"),
                    dead_letter_target=res.prop("DeadLetterConfig", "TargetArn"),
                    tracing=res.prop("TracingConfig", "Mode"),
                    vpc=vpc if isinstance(vpc, dict) else None,
                    kms_key=res.prop("KmsKeyArn"),
                    log_group=res.prop("LoggingConfig", "LogGroup"),
                    timeout=res.prop("Timeout"),
                    architectures=items(res.prop("Architectures")),
                )
            )

    def _function_urls(self) -> None:
        for res in self.by_type.get("AWS::Lambda::Url", ()):
            cors = res.prop("Cors")
            self.acc.function_urls.append(
                FunctionUrl(res, self.function_target(res.prop("TargetFunctionArn")), res.prop("TargetFunctionArn"),
                            res.prop("AuthType"), cors if isinstance(cors, dict) else None, res.prop("InvokeMode"),
                            res.prop("Qualifier"))
            )

    def _permissions(self) -> None:
        for res in self.by_type.get("AWS::Lambda::Permission", ()):
            self.acc.permissions.append(
                LambdaPermission(
                    resource=res,
                    function_id=self.function_target(res.prop("FunctionName")),
                    function_ref=res.prop("FunctionName"),
                    action=res.prop("Action"),
                    principal=res.prop("Principal"),
                    source_arn=res.prop("SourceArn"),
                    source_account=res.prop("SourceAccount"),
                    principal_org_id=res.prop("PrincipalOrgID"),
                    function_url_auth_type=res.prop("FunctionUrlAuthType"),
                    invoked_via_function_url=res.prop("InvokedViaFunctionUrl"),
                    event_source_token=res.prop("EventSourceToken"),
                )
            )

    def _invoke_configs(self) -> None:
        for res in self.by_type.get("AWS::Lambda::EventInvokeConfig", ()):
            self.acc.invoke_configs.append(
                EventInvokeConfig(res, self.function_target(res.prop("FunctionName")),
                                  res.prop("DestinationConfig", "OnFailure", "Destination"),
                                  res.prop("DestinationConfig", "OnSuccess", "Destination"),
                                  res.prop("MaximumRetryAttempts"))
            )

    def _layers(self) -> None:
        for res in self.by_type.get("AWS::Lambda::LayerVersion", ()):
            self.acc.layers.append(
                LayerVersion(res, res.prop("LayerName") or res.logical_id,
                             self._code(res, res.prop("Content"), ("ContentUri",)),
                             items(res.prop("CompatibleRuntimes")))
            )

    def _log_groups(self) -> None:
        for res in self.by_type.get("AWS::Logs::LogGroup", ()):
            self.acc.log_groups.append(LogGroup(res, res.prop("LogGroupName"), res.prop("RetentionInDays"),
                                                res.prop("KmsKeyId")))

    # -- data stores ---------------------------------------------------------------------------
    def _resource_policies(self, rtype: str, targets_prop: str, target_type: str, doc_prop: str,
                           many: bool = True, unlinked: list[tuple[Resource, Value, Policy]] | None = None) \
            -> dict[str, Policy]:
        """Resource policies written as separate resources (bucket, queue, topic, secret policies), per target.

        A target that names no resource of the template (a bucket another stack owns, an imported queue URL) is
        collected in ``unlinked`` as (policy resource, the target as written, its policy), to be judged on its
        own; it is said so in a ``policy-not-linked`` diagnostic."""
        found: dict[str, Policy] = {}
        for res in self.by_type.get(rtype, ()):
            document = parse_document(res.prop(doc_prop), res.at, doc_prop)
            targets = items(res.prop(targets_prop)) if many else (res.prop(targets_prop),)
            for value in targets:
                tid = self.target(value, target_type)
                if tid is None:
                    if unlinked is not None and value is not None:
                        unlinked.append((res, value, Policy(PolicyKind.RESOURCE, res.logical_id, document,
                                                            res.at(doc_prop), res.id, (res.id,))))
                        self._diag(Level.INFO, "policy-not-linked",
                                   f"{res.logical_id} names {render(value)}, which is not a {target_type} of this "
                                   "template: its policy is judged on its own, without that resource's settings",
                                   res.node.path)
                    continue
                policy = Policy(PolicyKind.RESOURCE, res.logical_id, document, res.at(doc_prop), res.id, (tid,))
                found[tid.logical_id] = merge_policies(found.get(tid.logical_id), policy)
        return found

    def _inline_resource_policy(self, res: Resource, prop: str) -> Policy | None:
        value = res.prop(prop)
        if value is None:
            return None
        return Policy(PolicyKind.RESOURCE, res.logical_id, parse_document(value, res.at, prop), res.at(prop),
                      res.id, (res.id,))

    def _buckets(self) -> None:
        unlinked: list[tuple[Resource, Value, Policy]] = []
        policies = self._resource_policies("AWS::S3::BucketPolicy", "Bucket", "AWS::S3::Bucket", "PolicyDocument",
                                           many=False, unlinked=unlinked)
        for res, name, policy in _by_carrier(unlinked):
            self.acc.buckets.append(Bucket(res, name, policy, None, external=True))
        for res in self.by_type.get("AWS::S3::Bucket", ()):
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
            self.acc.buckets.append(
                Bucket(res, res.prop("BucketName") or res.logical_id, policies.get(res.logical_id), key,
                       public_access_block=pab if isinstance(pab, dict) else None, acl=res.prop("AccessControl"),
                       encryption_algorithms=tuple(algorithms), ownership=ownership)
            )

    def _tables(self) -> None:
        for rtype in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            for res in self.by_type.get(rtype, ()):
                policy = self._inline_resource_policy(res, "ResourcePolicy")
                if policy is not None:
                    policy = Policy(PolicyKind.RESOURCE, policy.name,
                                    parse_document(res.prop("ResourcePolicy", "PolicyDocument"), res.at,
                                                   "ResourcePolicy", "PolicyDocument"),
                                    policy.node, res.id, (res.id,))
                self.acc.tables.append(
                    Table(res, res.prop("TableName") or res.logical_id, policy,
                          res.prop("SSESpecification", "KMSMasterKeyId"),
                          sse_enabled=res.prop("SSESpecification", "SSEEnabled"),
                          stream_view=res.prop("StreamSpecification", "StreamViewType"))
                )

    def _queues(self) -> None:
        unlinked: list[tuple[Resource, Value, Policy]] = []
        policies = self._resource_policies("AWS::SQS::QueuePolicy", "Queues", "AWS::SQS::Queue", "PolicyDocument",
                                           unlinked=unlinked)
        for lid, policy in self._resource_policies("AWS::SQS::QueueInlinePolicy", "Queue", "AWS::SQS::Queue",
                                                   "PolicyDocument", many=False, unlinked=unlinked).items():
            policies[lid] = merge_policies(policies.get(lid), policy)
        for res, name, policy in _by_carrier(unlinked):
            self.acc.queues.append(Queue(res, name, policy, None, external=True))
        for res in self.by_type.get("AWS::SQS::Queue", ()):
            redrive = res.prop("RedrivePolicy")
            if isinstance(redrive, str):
                try:
                    redrive = untrusted.json_loads(redrive)
                except ValueError:
                    redrive = None
            dlq = redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None
            self.acc.queues.append(
                Queue(res, res.prop("QueueName") or res.logical_id, policies.get(res.logical_id),
                      res.prop("KmsMasterKeyId"), sqs_managed_sse=res.prop("SqsManagedSseEnabled"),
                      dead_letter_target=dlq)
            )

    def _topics(self) -> None:
        unlinked: list[tuple[Resource, Value, Policy]] = []
        policies = self._resource_policies("AWS::SNS::TopicPolicy", "Topics", "AWS::SNS::Topic", "PolicyDocument",
                                           unlinked=unlinked)
        for lid, policy in self._resource_policies("AWS::SNS::TopicInlinePolicy", "TopicArn", "AWS::SNS::Topic",
                                                   "PolicyDocument", many=False, unlinked=unlinked).items():
            policies[lid] = merge_policies(policies.get(lid), policy)
        for res, name, policy in _by_carrier(unlinked):
            self.acc.topics.append(Topic(res, name, policy, None, external=True))
        for res in self.by_type.get("AWS::SNS::Topic", ()):
            self.acc.topics.append(Topic(res, res.prop("TopicName") or res.logical_id, policies.get(res.logical_id),
                                         res.prop("KmsMasterKeyId")))

    def _buses(self) -> None:
        statements: dict[str, list[Resource]] = defaultdict(list)
        orphans: dict[str, list[Resource]] = defaultdict(list)  # policies of buses not in the template
        for res in self.by_type.get("AWS::Events::EventBusPolicy", ()):
            bus = self.target(res.prop("EventBusName"), "AWS::Events::EventBus")
            if bus is not None:
                statements[bus.logical_id].append(res)
            else:
                orphans[render(res.prop("EventBusName") or "default")].append(res)
        for res in self.by_type.get("AWS::Events::EventBus", ()):
            policy = self._inline_resource_policy(res, "Policy")
            for extra in statements.get(res.logical_id, []):
                policy = merge_policies(policy, self._bus_policy(extra, res.id))
            self.acc.buses.append(EventBus(res, res.prop("Name") or res.logical_id, policy,
                                           res.prop("KmsKeyIdentifier")))
        for name, group in orphans.items():
            merged: Policy | None = None
            for res in group:
                merged = merge_policies(merged, self._bus_policy(res, group[0].id))
            self.acc.buses.append(EventBus(group[0], name, merged, None))

    def _bus_policy(self, res: Resource, bus: ResourceId) -> Policy:
        """An EventBusPolicy: either a full ``Statement`` or the older Principal/Action/Condition form."""
        statement = res.prop("Statement")
        if statement is not None:
            document = parse_document({"Statement": [statement]}, lambda *p: res.at("Statement"))
            return Policy(PolicyKind.RESOURCE, res.logical_id, document, res.at("Statement"), res.id, (bus,))
        principal = res.prop("Principal")
        synthetic: dict[str, Value] = {
            "Effect": "Allow",
            "Principal": {"AWS": principal} if principal is not None else "*",
            "Action": res.prop("Action") or "events:PutEvents",
            "Resource": "*",
        }
        condition = res.prop("Condition")
        if isinstance(condition, dict) and condition.get("Key") is not None:
            synthetic["Condition"] = {str(text(condition.get("Type")) or "StringEquals"):
                                      {str(text(condition.get("Key"))): condition.get("Value")}}
        document = parse_document({"Statement": [synthetic]}, lambda *p: res.at("Principal"))
        return Policy(PolicyKind.RESOURCE, res.logical_id, document, res.at("Principal"), res.id, (bus,))

    def _secrets(self) -> None:
        unlinked: list[tuple[Resource, Value, Policy]] = []
        policies = self._resource_policies("AWS::SecretsManager::ResourcePolicy", "SecretId",
                                           "AWS::SecretsManager::Secret", "ResourcePolicy", many=False,
                                           unlinked=unlinked)
        for res, name, policy in _by_carrier(unlinked):
            self.acc.secrets.append(Secret(res, name, policy, None, external=True))
        rotated = {t.logical_id for t in (self.target(r.prop("SecretId"), "AWS::SecretsManager::Secret")
                                         for r in self.by_type.get("AWS::SecretsManager::RotationSchedule", ())) if t}
        for res in self.by_type.get("AWS::SecretsManager::Secret", ()):
            self.acc.secrets.append(
                Secret(res, res.prop("Name") or res.logical_id, policies.get(res.logical_id), res.prop("KmsKeyId"),
                       rotation=res.logical_id in rotated, generated=res.prop("GenerateSecretString") is not None)
            )

    def _keys(self) -> None:
        for res in self.by_type.get("AWS::KMS::Key", ()):
            policy = self._inline_resource_policy(res, "KeyPolicy")
            self.acc.keys.append(KmsKey(res, res.prop("Description") or res.logical_id, policy, None,
                                        rotation=res.prop("EnableKeyRotation")))

    def _state_machines(self) -> None:
        for res in self.by_type.get("AWS::StepFunctions::StateMachine", ()):
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
            self.acc.state_machines.append(
                StateMachine(res, res.prop("StateMachineName") or res.logical_id, None,
                             res.prop("EncryptionConfiguration", "KmsKeyId"), definition=definition,
                             definition_node=node, role=role, role_id=self.target(role, "AWS::IAM::Role"),
                             logging=logging if isinstance(logging, dict) else None,
                             tracing=res.prop("TracingConfiguration", "Enabled"))
            )

    # -- Cognito --------------------------------------------------------------------------------
    def _cognito(self) -> None:
        for res in self.by_type.get("AWS::Cognito::UserPool", ()):
            attrs: list[CustomAttribute] = []
            for i, entry in enumerate(items(res.prop("Schema"))):
                if not isinstance(entry, dict):
                    continue
                name = text(entry.get("Name")) or ""
                if not name or name in STANDARD_COGNITO_ATTRIBUTES:
                    continue
                mutable = truthy(entry.get("Mutable"))
                attrs.append(CustomAttribute(name, True if mutable is None else mutable, res.at("Schema", i),
                                             truthy(entry.get("DeveloperOnlyAttribute")) is True))
            policy = res.prop("Policies", "PasswordPolicy")
            triggers = res.prop("LambdaConfig")
            self.acc.user_pools.append(
                UserPool(res, res.prop("UserPoolName") or res.logical_id, policy if isinstance(policy, dict) else None,
                         res.prop("MfaConfiguration"), tuple(attrs),
                         res.prop("AdminCreateUserConfig", "AllowAdminCreateUserOnly"),
                         triggers if isinstance(triggers, dict) else {})
            )
        for res in self.by_type.get("AWS::Cognito::UserPoolClient", ()):
            write = res.prop("WriteAttributes")
            self.acc.user_pool_clients.append(
                UserPoolClient(res, self.target(res.prop("UserPoolId"), "AWS::Cognito::UserPool"),
                               items(write) if write is not None else None, res.prop("GenerateSecret"))
            )
        attachments: dict[str, Resource] = {}
        for res in self.by_type.get("AWS::Cognito::IdentityPoolRoleAttachment", ()):
            pool = self.target(res.prop("IdentityPoolId"), "AWS::Cognito::IdentityPool")
            if pool:
                attachments[pool.logical_id] = res
        for res in self.by_type.get("AWS::Cognito::IdentityPool", ()):
            att = attachments.get(res.logical_id)
            auth = self.target(att.prop("Roles", "authenticated"), "AWS::IAM::Role") if att else None
            unauth_value = att.prop("Roles", "unauthenticated") if att else None
            self.acc.identity_pools.append(
                IdentityPool(res, res.prop("IdentityPoolName") or res.logical_id,
                             res.prop("AllowUnauthenticatedIdentities"), auth,
                             self.target(unauth_value, "AWS::IAM::Role"), unauth_value)
            )

    # -- APIs -----------------------------------------------------------------------------------
    def _apis(self) -> None:
        rest_stages = self._rest_stages()
        for res in self.by_type.get("AWS::ApiGateway::RestApi", ()):
            routes = list(openapi.routes(res, self.function_target, self._route_node, rest=True))
            routes.extend(self._rest_method_routes(res))
            policy = self._inline_resource_policy(res, "Policy")
            if policy is None and res.prop("Body", "x-amazon-apigateway-policy") is not None:
                # SAM's Auth.ResourcePolicy (and authors) write it into the OpenAPI body
                policy = Policy(PolicyKind.RESOURCE, res.logical_id,
                                parse_document(res.prop("Body", "x-amazon-apigateway-policy"), res.at, "Body",
                                               "x-amazon-apigateway-policy"),
                                res.at("Body", "x-amazon-apigateway-policy"), res.id, (res.id,))
            types = items(res.prop("EndpointConfiguration", "Types"))
            self.acc.apis.append(
                Api(res, ApiKind.REST, res.prop("Name") or res.logical_id, tuple(rest_stages.get(res.logical_id, ())),
                    tuple(routes), self._rest_cors(res), policy, types,
                    truthy(res.prop("DisableExecuteApiEndpoint")) is True)
            )
        v2_stages = self._v2_stages()
        v2_routes = self._v2_route_resources()
        for res in self.by_type.get("AWS::ApiGatewayV2::Api", ()):
            protocol = (res.text("ProtocolType") or "HTTP").upper()
            kind = ApiKind.WEBSOCKET if protocol == "WEBSOCKET" else ApiKind.HTTP
            routes = list(openapi.routes(res, self.function_target, self._route_node, rest=False))
            routes.extend(v2_routes.get(res.logical_id, ()))
            stages = list(v2_stages.get(res.logical_id, ()))
            if res.prop("Target") is not None:  # quick create: a $default route and an auto-deployed stage
                routes.append(Route(res.id, "$default", "", RouteAuth(AuthKind.NONE), res.at("Target"),
                                    self.function_target(res.prop("Target")), "lambda"))
                if not stages:
                    stages.append(Stage(res.id, "$default", res.node, None, None, None, None, {}, res.node, res.node))
            cors_raw = res.prop("CorsConfiguration")
            cors = _cors(cors_raw, res.at("CorsConfiguration")) if isinstance(cors_raw, dict) else None
            if cors is None:
                written = res.at("CorsConfiguration")  # SAM's HttpApi writes it into the body
                cors = openapi.http_api_cors(res.prop("Body"), written if self.doc.marks.has(written.path)
                                             else res.at("Body"))
            self.acc.apis.append(
                Api(res, kind, res.prop("Name") or res.logical_id, tuple(stages), tuple(routes), cors, None, (),
                    truthy(res.prop("DisableExecuteApiEndpoint")) is True)
            )

    def _route_node(self, api: Resource, function: ResourceId | None, method: str, path: str,
                    body_node: NodePath) -> NodePath:
        """Where the author wrote a route: the OpenAPI operation when they wrote one, else the SAM function
        event that made it, else the API itself."""
        if self.doc.marks.has(body_node.path):
            return body_node
        fn_res = self.res.get(function.logical_id) if function else None
        if fn_res is not None:
            sam_fn = self.doc.data.get("Resources", {}).get(fn_res.origin.logical_id)
            props = sam_fn.get("Properties") if isinstance(sam_fn, dict) else None
            events = props.get("Events") if isinstance(props, dict) else None
            for name, event in events.items() if isinstance(events, dict) else ():
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
                    return NodePath(self.doc.id, ("Resources", fn_res.origin.logical_id, "Properties", "Events",
                                                  name))
        return body_node

    def _rest_stages(self) -> dict[str, list[Stage]]:
        out: dict[str, list[Stage]] = defaultdict(list)
        for res in self.by_type.get("AWS::ApiGateway::Stage", ()):
            api = self.target(res.prop("RestApiId"), "AWS::ApiGateway::RestApi")
            if api is None:
                continue
            out[api.logical_id].append(self._rest_stage(res, res.prop("StageName"), ()))
        for res in self.by_type.get("AWS::ApiGateway::Deployment", ()):
            api = self.target(res.prop("RestApiId"), "AWS::ApiGateway::RestApi")
            # SAM's deployments name a placeholder stage ("Stage"); its real stage is a Stage resource
            if api is None or res.prop("StageName") is None or res.origin.logical_id != res.logical_id:
                continue
            out[api.logical_id].append(self._rest_stage(res, res.prop("StageName"), ("StageDescription",)))
        return out

    def _rest_stage(self, res: Resource, name: Value, base: tuple[str, ...]) -> Stage:
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

    def _v2_stages(self) -> dict[str, list[Stage]]:
        out: dict[str, list[Stage]] = defaultdict(list)
        for res in self.by_type.get("AWS::ApiGatewayV2::Stage", ()):
            api = self.target(res.prop("ApiId"), "AWS::ApiGatewayV2::Api")
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

    def _authorizers(self, rtype: str) -> dict[str, Resource]:
        return {r.logical_id: r for r in self.by_type.get(rtype, ())}

    def _rest_method_routes(self, api: Resource) -> list[Route]:
        """Routes written as AWS::ApiGateway::Method resources."""
        paths: dict[str, str] = {}
        resources = {r.logical_id: r for r in self.by_type.get("AWS::ApiGateway::Resource", ())}

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

        authorizers = self._authorizers("AWS::ApiGateway::Authorizer")
        routes: list[Route] = []
        for res in self.by_type.get("AWS::ApiGateway::Method", ()):
            if self.target(res.prop("RestApiId"), "AWS::ApiGateway::RestApi") != api.id:
                continue
            method = (res.text("HttpMethod") or "ANY").upper()
            auth_type = (res.text("AuthorizationType") or "NONE").upper()
            authorizer_id = self.target(res.prop("AuthorizerId"), "AWS::ApiGateway::Authorizer")
            authorizer = authorizers.get(authorizer_id.logical_id) if authorizer_id else None
            kind = {"NONE": AuthKind.NONE, "AWS_IAM": AuthKind.IAM, "COGNITO_USER_POOLS": AuthKind.COGNITO,
                    "CUSTOM": AuthKind.LAMBDA}.get(auth_type, AuthKind.UNKNOWN)
            if authorizer is not None and (authorizer.text("Type") or "").upper() == "COGNITO_USER_POOLS":
                kind = AuthKind.COGNITO
            api_key = truthy(res.prop("ApiKeyRequired")) is True
            integration_type = (res.text("Integration", "Type") or "").lower()
            routes.append(
                Route(api.id, method, path_of(res.prop("ResourceId")) or "/",
                      RouteAuth(kind, authorizer.logical_id if authorizer else None, api_key), res.node,
                      self.function_target(res.prop("Integration", "Uri")),
                      "lambda" if "lambda" in render(res.prop("Integration", "Uri") or "") else integration_type)
            )
        return routes

    def _v2_route_resources(self) -> dict[str, list[Route]]:
        integrations = {r.logical_id: r for r in self.by_type.get("AWS::ApiGatewayV2::Integration", ())}
        out: dict[str, list[Route]] = defaultdict(list)
        for res in self.by_type.get("AWS::ApiGatewayV2::Route", ()):
            api = self.target(res.prop("ApiId"), "AWS::ApiGatewayV2::Api")
            if api is None:
                continue
            key = res.text("RouteKey") or "$default"
            method, _, path = key.partition(" ")
            auth_type = (res.text("AuthorizationType") or "NONE").upper()
            kind = {"NONE": AuthKind.NONE, "AWS_IAM": AuthKind.IAM, "JWT": AuthKind.JWT,
                    "CUSTOM": AuthKind.LAMBDA}.get(auth_type, AuthKind.UNKNOWN)
            authorizer_id = self.target(res.prop("AuthorizerId"), "AWS::ApiGatewayV2::Authorizer")
            function = None
            target = res.prop("Target")
            for sym in (p for p in (target.parts if isinstance(target, Concat) else ()) if isinstance(p, Symbol)):
                integration = integrations.get(sym.name)
                if integration is not None:
                    function = self.function_target(integration.prop("IntegrationUri"))
            out[api.logical_id].append(
                Route(api, method.upper() if path else method, path,
                      RouteAuth(kind, authorizer_id.logical_id if authorizer_id else None,
                                truthy(res.prop("ApiKeyRequired")) is True),
                      res.node, function, "lambda" if function else "")
            )
        return out

    def _rest_cors(self, res: Resource) -> Cors | None:
        """CORS from the preflight integrations, located at what the author wrote: SAM's ``Cors`` (or
        ``Globals.Api.Cors``), else the first preflight operation of their OpenAPI, else the API."""
        cors = openapi.rest_cors(res.prop("Body"), res.node)
        if cors is None:
            return None
        written = res.at("Cors")
        if self.doc.marks.has(written.path):
            return dataclasses.replace(cors, node=written)
        body = res.prop("Body")
        paths = body.get("paths") if isinstance(body, dict) else None
        for path, ops in paths.items() if isinstance(paths, dict) else ():
            if isinstance(ops, dict) and "options" in ops:
                node = res.at("Body", "paths", path, "options")
                if self.doc.marks.has(node.path):
                    return dataclasses.replace(cors, node=node)
        return cors

    def _usage_plans(self) -> None:
        for res in self.by_type.get("AWS::ApiGateway::UsagePlan", ()):
            stages = tuple(
                (self.target(s.get("ApiId"), "AWS::ApiGateway::RestApi"), s.get("Stage"))
                for s in items(res.prop("ApiStages")) if isinstance(s, dict)
            )
            self.acc.usage_plans.append(UsagePlan(res, stages, res.prop("Throttle", "RateLimit"),
                                                  res.prop("Throttle", "BurstLimit")))

    # -- triggers -------------------------------------------------------------------------------
    def _add_trigger(self, kind: TriggerKind, fn: ResourceId | None, node: NodePath, detail: str,
                     source_id: ResourceId | None = None, source: Value | None = None,
                     carrier: ResourceId | None = None, filters: Mapping[str, Value] | None = None,
                     on_failure: Value | None = None) -> None:
        if fn is None:
            return
        self.acc.triggers.append(Trigger(kind, fn, node, detail, source_id, source, carrier, filters or {},
                                         on_failure))

    def _triggers(self) -> None:
        doc_apis = [a for a in self.acc.apis if a.id.doc == self.doc.id]
        for api in doc_apis:
            for route in api.routes:
                self._add_trigger(TriggerKind.API_ROUTE, route.function_id, route.node,
                                  f"{api.kind.value} API {route.key}", api.id, carrier=api.id)
        for url in (u for u in self.acc.function_urls if u.id.doc == self.doc.id):
            self._add_trigger(TriggerKind.FUNCTION_URL, url.function_id, url.at("AuthType"),
                              f"function URL (AuthType {render(url.auth_type)})", url.id, carrier=url.id)
        self._mapping_triggers()
        self._bucket_triggers()
        self._sns_triggers()
        self._rule_triggers()
        self._misc_triggers()

    def _mapping_triggers(self) -> None:
        kinds = {"AWS::SQS::Queue": TriggerKind.SQS, "AWS::Kinesis::Stream": TriggerKind.KINESIS,
                 "AWS::DynamoDB::Table": TriggerKind.DYNAMODB_STREAM, "AWS::MSK::Cluster": TriggerKind.KAFKA,
                 "AWS::AmazonMQ::Broker": TriggerKind.MQ, "AWS::DocDB::DBCluster": TriggerKind.DOCUMENTDB}
        by_service = {"sqs": TriggerKind.SQS, "kinesis": TriggerKind.KINESIS, "dynamodb": TriggerKind.DYNAMODB_STREAM,
                      "kafka": TriggerKind.KAFKA, "mq": TriggerKind.MQ, "rds": TriggerKind.DOCUMENTDB}
        for res in self.by_type.get("AWS::Lambda::EventSourceMapping", ()):
            source = res.prop("EventSourceArn")
            source_id = self.target(source, *kinds)
            kind = TriggerKind.OTHER
            if source_id is not None:
                kind = kinds[self.res[source_id.logical_id].type]
            else:
                service = render(source).split(":")[2] if render(source).count(":") >= 2 else ""
                kind = by_service.get(service, TriggerKind.KAFKA if res.prop("SelfManagedEventSource") else kind)
            self._add_trigger(kind, self.function_target(res.prop("FunctionName")), res.node,
                              f"{kind.value} {render(source) if source is not None else ''}".strip(), source_id,
                              source, res.id, on_failure=res.prop("DestinationConfig", "OnFailure", "Destination"))

    def _bucket_triggers(self) -> None:
        for res in self.by_type.get("AWS::S3::Bucket", ()):
            for i, cfg in enumerate(items(res.prop("NotificationConfiguration", "LambdaConfigurations"))):
                if not isinstance(cfg, dict):
                    continue
                fn = self.function_target(cfg.get("Function"))
                rules = cfg.get("Filter")
                filters: dict[str, Value] = {}
                s3key = rules.get("S3Key") if isinstance(rules, dict) else None
                if isinstance(s3key, dict):
                    for rule in items(s3key.get("Rules")):
                        if isinstance(rule, dict):
                            filters[(text(rule.get("Name")) or "").lower()] = rule.get("Value")
                node = self._s3_event_node(res, fn, i)
                self._add_trigger(TriggerKind.S3, fn, node, f"s3 {render(cfg.get('Event'))} on {res.logical_id}",
                                  res.id, carrier=res.id, filters=filters)

    def _s3_event_node(self, bucket: Resource, fn: ResourceId | None, index: int) -> NodePath:
        """SAM writes S3 notifications from the function's event; point there when the bucket does not."""
        own = bucket.at("NotificationConfiguration", "LambdaConfigurations", index)
        if self.doc.marks.has(own.path) or fn is None:
            return own
        fn_res = self.res.get(fn.logical_id)
        if fn_res is None:
            return own
        sam_fn = self.doc.data.get("Resources", {}).get(fn_res.origin.logical_id, {})
        events = sam_fn.get("Properties", {}).get("Events", {}) if isinstance(sam_fn, dict) else {}
        for name, event in events.items() if isinstance(events, dict) else ():
            if isinstance(event, dict) and event.get("Type") == "S3":
                bucket_ref = (event.get("Properties") or {}).get("Bucket")
                if bucket_ref == {"Ref": bucket.logical_id}:
                    return NodePath(self.doc.id, ("Resources", fn_res.origin.logical_id, "Properties", "Events", name))
        return own

    def _sns_triggers(self) -> None:
        for res in self.by_type.get("AWS::SNS::Subscription", ()):
            if (res.text("Protocol") or "").lower() != "lambda":
                continue
            topic = self.target(res.prop("TopicArn"), "AWS::SNS::Topic")
            self._add_trigger(TriggerKind.SNS, self.function_target(res.prop("Endpoint")), res.node,
                              f"sns {topic.logical_id if topic else render(res.prop('TopicArn'))}", topic,
                              res.prop("TopicArn"), res.id, filters={"policy": res.prop("FilterPolicy")}
                              if res.prop("FilterPolicy") is not None else None)
        for res in self.by_type.get("AWS::SNS::Topic", ()):
            for i, sub in enumerate(items(res.prop("Subscription"))):
                if isinstance(sub, dict) and (text(sub.get("Protocol")) or "").lower() == "lambda":
                    self._add_trigger(TriggerKind.SNS, self.function_target(sub.get("Endpoint")),
                                      res.at("Subscription", i), f"sns {res.logical_id}", res.id, carrier=res.id)

    def _rule_triggers(self) -> None:
        for res in self.by_type.get("AWS::Events::Rule", ()):
            schedule = res.prop("ScheduleExpression")
            kind = TriggerKind.SCHEDULE if schedule is not None else TriggerKind.EVENTBRIDGE
            bus = self.target(res.prop("EventBusName"), "AWS::Events::EventBus")
            bus_name = render(res.prop("EventBusName") or "default")
            detail = render(schedule) if schedule is not None else f"events on {bus_name} bus"
            for i, target in enumerate(items(res.prop("Targets"))):
                if isinstance(target, dict):
                    self._add_trigger(kind, self.function_target(target.get("Arn")), res.at("Targets", i), detail,
                                      bus or res.id, res.prop("EventPattern"), res.id)
        for res in self.by_type.get("AWS::Scheduler::Schedule", ()):
            self._add_trigger(TriggerKind.SCHEDULE, self.function_target(res.prop("Target", "Arn")), res.node,
                              render(res.prop("ScheduleExpression")), res.id, carrier=res.id)
        for res in self.by_type.get("AWS::Pipes::Pipe", ()):
            self._add_trigger(TriggerKind.OTHER, self.function_target(res.prop("Target")), res.node,
                              f"pipe from {render(res.prop('Source'))}", None, res.prop("Source"), res.id)

    def _misc_triggers(self) -> None:
        for pool in (p for p in self.acc.user_pools if p.id.doc == self.doc.id):
            for name, value in pool.lambda_triggers.items():
                fn = self.function_target(value.get("LambdaArn") if isinstance(value, dict) else value)
                self._add_trigger(TriggerKind.COGNITO, fn, pool.at("LambdaConfig", name), f"cognito {name}",
                                  pool.id, carrier=pool.id)
        for res in self.by_type.get("AWS::IoT::TopicRule", ()):
            for i, action in enumerate(items(res.prop("TopicRulePayload", "Actions"))):
                if isinstance(action, dict) and isinstance(action.get("Lambda"), dict):
                    lam = action["Lambda"]
                    assert isinstance(lam, dict)
                    self._add_trigger(TriggerKind.IOT, self.function_target(lam.get("FunctionArn")),
                                      res.at("TopicRulePayload", "Actions", i),
                                      f"iot {render(res.prop('TopicRulePayload', 'Sql'))}", res.id, carrier=res.id)
        for res in self.by_type.get("AWS::Logs::SubscriptionFilter", ()):
            self._add_trigger(TriggerKind.LOGS, self.function_target(res.prop("DestinationArn")), res.node,
                              f"logs {render(res.prop('LogGroupName'))}", None, res.prop("LogGroupName"), res.id)
        for res in self.res.values():
            if res.type.startswith("Custom::") or res.type == "AWS::CloudFormation::CustomResource":
                fn = self.function_target(res.prop("ServiceToken"))
                self._add_trigger(TriggerKind.CUSTOM_RESOURCE, fn, res.at("ServiceToken"),
                                  f"custom resource {res.logical_id}", res.id, carrier=res.id)
        for res in self.by_type.get("AWS::S3ObjectLambda::AccessPoint", ()):
            for i, conf in enumerate(items(res.prop("ObjectLambdaConfiguration", "TransformationConfigurations"))):
                content = conf.get("ContentTransformation") if isinstance(conf, dict) else None
                lam = content.get("AwsLambda") if isinstance(content, dict) else None
                if isinstance(lam, dict):
                    self._add_trigger(TriggerKind.S3_OBJECT_LAMBDA, self.function_target(lam.get("FunctionArn")),
                                      res.at("ObjectLambdaConfiguration", "TransformationConfigurations", i),
                                      f"object lambda access point {res.logical_id}", res.id, carrier=res.id)
        for res in self.by_type.get("AWS::ElasticLoadBalancingV2::TargetGroup", ()):
            if (res.text("TargetType") or "").lower() != "lambda":
                continue
            for i, target in enumerate(items(res.prop("Targets"))):
                if isinstance(target, dict):
                    self._add_trigger(TriggerKind.ALB, self.function_target(target.get("Id")), res.at("Targets", i),
                                      "load balancer target", res.id, carrier=res.id)


def _by_carrier(unlinked: Sequence[tuple[Resource, Value, Policy]]) -> Iterator[tuple[Resource, Value, Policy]]:
    """One store per policy resource for the targets it names outside the template (a queue policy naming two
    foreign queues is one policy): its first target's name, its policy once."""
    seen: set[str] = set()
    for res, name, policy in unlinked:
        if res.logical_id not in seen:
            seen.add(res.logical_id)
            yield res, name, policy


def _name_key(value: Value | None) -> str | None:
    """A physical name (or ARN, or URL) as comparable text: a literal as written; text built from parameters
    and pseudo parameters with each of them as a token free of ``:`` and ``/``, so the ARN and URL forms still
    split where AWS splits them. Anything holding a resource reference or an unknown has no key."""
    if isinstance(value, str):
        return value or None
    parts = value.parts if isinstance(value, Concat) else (value,) if isinstance(value, Symbol) else ()
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Symbol) and part.kind is not SymbolKind.RESOURCE and not part.attribute:
            out.append("\x00" + part.name.replace(":", ".") + "\x00")
        else:
            return None
    return "".join(out) or None


def _name_candidates(value: str) -> Iterable[str]:
    """A literal name, and the name at the end of an ARN or queue URL."""
    yield value
    if value.startswith("arn:"):
        tail = value.split(":", 5)[-1] if value.count(":") >= 5 else value
        yield tail
        yield tail.rsplit("/", 1)[-1]
        yield tail.rsplit(":", 1)[-1]
        if ":function:" in value:
            yield value.split(":function:", 1)[1].split(":", 1)[0]
    elif value.startswith("https://sqs."):
        yield value.rsplit("/", 1)[-1]


def _event_targets(api: Resource, event_type: Any, eprops: Mapping[str, Any]) -> bool:
    """Whether a SAM ``Api``/``HttpApi`` event (as written) adds its route to ``api``: the API its
    ``RestApiId``/``ApiId`` names, else SAM's implicit ``ServerlessRestApi``/``ServerlessHttpApi``."""
    rest = event_type == "Api"
    if api.type != ("AWS::ApiGateway::RestApi" if rest else "AWS::ApiGatewayV2::Api"):
        return False
    written = eprops.get("RestApiId" if rest else "ApiId")
    if written is None:
        return api.logical_id.startswith("ServerlessRestApi" if rest else "ServerlessHttpApi")
    named = written.get("Ref") if isinstance(written, dict) else written
    return not isinstance(named, str) or named == api.logical_id


def _cors(raw: Mapping[str, Value], node: NodePath) -> Cors:
    credentials = truthy(raw.get("AllowCredentials")) if raw.get("AllowCredentials") is not None else None
    return Cors(items(raw.get("AllowOrigins")), credentials, items(raw.get("AllowMethods")),
                items(raw.get("AllowHeaders")), node)


def merge_policies(first: Policy | None, more: Policy) -> Policy:
    """Several policy resources on one target (two queue policies, a bus with many EventBusPolicy): AWS applies
    all their statements, so the model keeps one policy holding every statement, each at its own line."""
    if first is None:
        return more
    statements: list[Statement] = [*first.statements, *more.statements]
    problems: list[str] = []
    for part in (first.document, more.document):
        if isinstance(part, PolicyDocument):
            problems.extend(part.problems)
        else:
            problems.append(f"part of the policy is unknown: {part.reason}")
    document = PolicyDocument(tuple(statements), first.node, tuple(problems))
    return Policy(first.kind, first.name, document, first.node, first.carrier,
                  tuple(dict.fromkeys((*first.attached_to, *more.attached_to))), first.arn)
