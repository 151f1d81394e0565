"""IAM readers: policies written as their own resources, roles, users, groups and instance profiles.

:func:`attachments` runs before :func:`principals`: the policies it reads are attached to the principals
through ``ctx.extra_policies``.
"""

from __future__ import annotations

from collections import defaultdict

from remit.model.entities import Group, InstanceProfile, Role, User
from remit.model.policy import Policy, PolicyKind, aws_managed_document, aws_managed_name, parse_document
from remit.model.readers.context import Context
from remit.model.resources import Resource, ResourceId
from remit.model.values import Unknown, Value, items, render, text
from remit.source import NodePath

ROLE = "AWS::IAM::Role"
USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"


def _principal_targets(ctx: Context, res: Resource, prop: str, rtype: str) -> list[str]:
    out = []
    for item in items(res.prop(prop)):
        found = ctx.target(item, rtype)
        if found:
            out.append(found.logical_id)
    return out


def attachments(ctx: Context) -> None:
    """Policies written as their own resources, attached to roles, users and groups."""
    kinds = {"Roles": ROLE, "Users": USER, "Groups": GROUP}
    for rtype, kind in (("AWS::IAM::Policy", PolicyKind.INLINE), (MANAGED_POLICY, PolicyKind.CUSTOMER_MANAGED)):
        for res in ctx.of_type(rtype):
            name = res.text("PolicyName") or res.text("ManagedPolicyName") or res.logical_id
            attached: list[str] = []
            for prop, ptype in kinds.items():
                attached.extend(_principal_targets(ctx, res, prop, ptype))
            policy = Policy(kind, name, parse_document(res.prop("PolicyDocument"), res.at, "PolicyDocument"),
                            res.at("PolicyDocument"), res.id, tuple(ctx.rid(a) for a in attached))
            ctx.acc.policies.append(policy)
            for lid in attached:
                ctx.extra_policies[lid].append(policy)
    singles = (("AWS::IAM::RolePolicy", "RoleName", ROLE),
               ("AWS::IAM::UserPolicy", "UserName", USER),
               ("AWS::IAM::GroupPolicy", "GroupName", GROUP))
    for rtype, prop, ptype in singles:
        for res in ctx.of_type(rtype):
            owner = ctx.target(res.prop(prop), ptype)
            policy = Policy(PolicyKind.INLINE, res.text("PolicyName") or res.logical_id,
                            parse_document(res.prop("PolicyDocument"), res.at, "PolicyDocument"),
                            res.at("PolicyDocument"), res.id, (owner,) if owner else ())
            ctx.acc.policies.append(policy)
            if owner:
                ctx.extra_policies[owner.logical_id].append(policy)


def _own_policies(ctx: Context, res: Resource) -> list[Policy]:
    policies: list[Policy] = []
    for i, item in enumerate(items(res.prop("Policies"))):
        if not isinstance(item, dict):
            continue
        name = text(item.get("PolicyName")) or f"{res.logical_id}Policy{i}"
        doc = parse_document(item.get("PolicyDocument"), res.at, "Policies", i, "PolicyDocument")
        policy = Policy(PolicyKind.INLINE, name, doc, res.at("Policies", i), res.id, (res.id,))
        policies.append(policy)
    for i, arn in enumerate(items(res.prop("ManagedPolicyArns"))):
        policies.append(_managed(ctx, arn, res, res.at("ManagedPolicyArns", i), (res.id,)))
    return policies


def _managed(ctx: Context, arn: Value, carrier: Resource, node: NodePath, attached: tuple[ResourceId, ...],
             kind: PolicyKind | None = None) -> Policy:
    aws_name = aws_managed_name(arn)
    if aws_name is not None:
        return Policy(kind or PolicyKind.AWS_MANAGED, aws_name, aws_managed_document(aws_name, node), node,
                      carrier.id, attached, text(arn) or render(arn))
    target = ctx.target(arn, MANAGED_POLICY)
    if target is not None:
        managed = ctx.res[target.logical_id]
        return Policy(kind or PolicyKind.CUSTOMER_MANAGED, managed.text("ManagedPolicyName") or target.logical_id,
                      parse_document(managed.prop("PolicyDocument"), managed.at, "PolicyDocument"),
                      node, carrier.id, attached)
    return Policy(kind or PolicyKind.CUSTOMER_MANAGED, render(arn),
                  Unknown(f"managed policy {render(arn)} is not defined in the template"), node, carrier.id,
                  attached, text(arn))


def _boundary(ctx: Context, res: Resource) -> Policy | None:
    arn = res.prop("PermissionsBoundary")
    if arn is None:
        return None
    return _managed(ctx, arn, res, res.at("PermissionsBoundary"), (res.id,), PolicyKind.BOUNDARY)


def principals(ctx: Context) -> None:
    """Roles, groups, users (with their groups, console password and access keys) and instance profiles, each
    with its own policies and those attached from policy resources."""
    for res in ctx.of_type(ROLE):
        own = _own_policies(ctx, res)
        ctx.acc.policies.extend(own)
        boundary = _boundary(ctx, res)
        trust = parse_document(res.prop("AssumeRolePolicyDocument"), res.at, "AssumeRolePolicyDocument")
        ctx.acc.roles.append(Role(res, res.prop("RoleName") or res.logical_id,
                                  (*own, *ctx.extra_policies.get(res.logical_id, ())), boundary, trust))
    for res in ctx.of_type(GROUP):
        own = _own_policies(ctx, res)
        ctx.acc.policies.extend(own)
        ctx.acc.groups.append(Group(res, res.prop("GroupName") or res.logical_id,
                                    (*own, *ctx.extra_policies.get(res.logical_id, ())), None))
    additions: dict[str, list[ResourceId]] = defaultdict(list)
    for res in ctx.of_type("AWS::IAM::UserToGroupAddition"):
        group = ctx.target(res.prop("GroupName"), GROUP)
        for user in items(res.prop("Users")):
            uid = ctx.target(user, USER)
            if uid and group:
                additions[uid.logical_id].append(group)
    keyed = {uid.logical_id for key in ctx.of_type("AWS::IAM::AccessKey")
             if (uid := ctx.target(key.prop("UserName"), USER)) is not None}
    for res in ctx.of_type(USER):
        own = _own_policies(ctx, res)
        ctx.acc.policies.extend(own)
        groups = [g for g in (ctx.target(v, GROUP) for v in items(res.prop("Groups"))) if g]
        ctx.acc.users.append(User(res, res.prop("UserName") or res.logical_id,
                                  (*own, *ctx.extra_policies.get(res.logical_id, ())), _boundary(ctx, res),
                                  (*groups, *additions.get(res.logical_id, ())),
                                  res.prop("LoginProfile") is not None, res.logical_id in keyed))
    for res in ctx.of_type("AWS::IAM::InstanceProfile"):
        roles = tuple(r for r in (ctx.target(v, ROLE) for v in items(res.prop("Roles"))) if r)
        ctx.acc.instance_profiles.append(InstanceProfile(res, roles))
