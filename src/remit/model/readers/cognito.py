"""Cognito readers: user pools (custom attributes, password policy, Lambda triggers), their app clients, and
identity pools with the roles their role attachment gives."""

from __future__ import annotations

from remit.model.entities import CustomAttribute, IdentityPool, UserPool, UserPoolClient
from remit.model.readers.context import Context
from remit.model.resources import Resource
from remit.model.values import items, text, truthy

STANDARD_COGNITO_ATTRIBUTES = frozenset(
    {
        "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale",
        "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture",
        "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo",
    }
)


def user_pools(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Cognito::UserPool"):
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
        ctx.acc.user_pools.append(
            UserPool(res, res.prop("UserPoolName") or res.logical_id, policy if isinstance(policy, dict) else None,
                     res.prop("MfaConfiguration"), tuple(attrs),
                     res.prop("AdminCreateUserConfig", "AllowAdminCreateUserOnly"),
                     triggers if isinstance(triggers, dict) else {})
        )


def user_pool_clients(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Cognito::UserPoolClient"):
        write = res.prop("WriteAttributes")
        ctx.acc.user_pool_clients.append(
            UserPoolClient(res, ctx.target(res.prop("UserPoolId"), "AWS::Cognito::UserPool"),
                           items(write) if write is not None else None, res.prop("GenerateSecret"))
        )


def identity_pools(ctx: Context) -> None:
    attachments: dict[str, Resource] = {}
    for res in ctx.of_type("AWS::Cognito::IdentityPoolRoleAttachment"):
        pool = ctx.target(res.prop("IdentityPoolId"), "AWS::Cognito::IdentityPool")
        if pool:
            attachments[pool.logical_id] = res
    for res in ctx.of_type("AWS::Cognito::IdentityPool"):
        att = attachments.get(res.logical_id)
        auth = ctx.target(att.prop("Roles", "authenticated"), "AWS::IAM::Role") if att else None
        unauth_value = att.prop("Roles", "unauthenticated") if att else None
        ctx.acc.identity_pools.append(
            IdentityPool(res, res.prop("IdentityPoolName") or res.logical_id,
                         res.prop("AllowUnauthenticatedIdentities"), auth,
                         ctx.target(unauth_value, "AWS::IAM::Role"), unauth_value)
        )
