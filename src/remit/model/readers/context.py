"""What every reader shares while one document is read: the :class:`Context`, and the :class:`Accumulator` the
readers of every document fill.

A reader (:mod:`remit.model.readers`) reads its resource types from ``ctx.by_type`` into typed views and appends
them to ``ctx.acc``; it finds the resources another resource points at with :meth:`Context.target`, and says
what it could not read with :meth:`Context.diag`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.documents import Document
from remit.model.application import Application, DocumentInfo
from remit.model.entities import (
    Api,
    Bucket,
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
    Secret,
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
from remit.model.policy import Policy
from remit.model.resources import Origin, Resource, ResourceId
from remit.model.values import Concat, Symbol, SymbolKind, Value, present_options

FUNCTION = "AWS::Lambda::Function"

# resource types whose physical name property lets a literal ARN or name be matched to the resource
NAME_PROPS = {
    FUNCTION: "FunctionName",
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


@dataclass
class Accumulator:
    """The entities of every document, in the order the readers add them (reports and fingerprints keep it)."""

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


@dataclass
class Context:
    """One document being read: its template (CloudFormation, after the SAM step), its resources indexed by
    logical id, type and physical name, and what readers leave for later readers (identity policies written
    on other resources, per principal)."""

    doc: Document
    template: Mapping[str, Any]
    origins: Mapping[str, Origin]
    local_paths: Mapping[str, Mapping[str, str]]
    acc: Accumulator
    resolver: Resolver
    diagnostics: list[Diagnostic] = field(default_factory=list)
    res: dict[str, Resource] = field(default_factory=dict)
    by_type: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)
    # identity policies found on other resources, per principal logical id
    extra_policies: dict[str, list[Policy]] = field(default_factory=lambda: defaultdict(list))

    def of_type(self, rtype: str) -> Iterable[Resource]:
        """This document's resources of ``rtype``, in document order."""
        return self.by_type.get(rtype, ())

    def diag(self, level: Level, code: str, message: str, path: tuple[Any, ...] | None = None) -> None:
        line = self.doc.marks.position(path).line if path else None
        self.diagnostics.append(Diagnostic(self.doc.id, level, code, message, line))

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
            key = None if candidates else name_key(option)
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
                if FUNCTION in types and res.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                    found = self.target(res.prop("FunctionName"), FUNCTION)
                    if found:
                        return found
        return None

    def function_target(self, value: Value | None) -> ResourceId | None:
        return self.target(value, FUNCTION)

    def sam_events(self, res: Resource) -> Iterable[tuple[Any, Any]]:
        """The ``Events`` the author wrote on the SAM function ``res`` was made from (name, event as written);
        nothing when it was not made from a SAM function with events."""
        sam_fn = self.doc.data.get("Resources", {}).get(res.origin.logical_id)
        props = sam_fn.get("Properties") if isinstance(sam_fn, dict) else None
        events = props.get("Events") if isinstance(props, dict) else None
        return events.items() if isinstance(events, dict) else ()


def name_key(value: Value | None) -> str | None:
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
