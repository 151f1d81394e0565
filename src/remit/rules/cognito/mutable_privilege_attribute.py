"""RMT-COGNITO-003."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import UserPool
from remit.model.values import text
from remit.rules.base import Hit, rule

#: words (after splitting snake_case, kebab-case and camelCase) that name an authorization decision
PRIVILEGE_WORDS = frozenset({
    "role", "roles", "admin", "admins", "administrator", "superuser", "sudo", "root", "staff", "moderator",
    "group", "groups", "tenant", "tenantid", "tenants", "org", "orgid", "organization", "organisation",
    "permission", "permissions", "perm", "perms", "scope", "scopes", "privilege", "privileges", "entitlement",
    "entitlements", "acl", "acls", "plan", "tier", "subscription", "license", "licence", "clearance", "owner",
    "approved", "verified", "kyc", "isadmin", "usertype", "accounttype", "accesslevel",
})
#: two-word names that mean authorization although each word alone does not
PRIVILEGE_PAIRS = frozenset({("access", "level"), ("access", "type"), ("account", "type"), ("user", "type"),
                             ("user", "level"), ("security", "level"), ("account", "id"), ("customer", "id")})


#: words that mean authorization only as the whole name (``custom:access``, ``level``), not inside a longer one
#: (``lastAccessAt``, ``logLevel``)
SOLE_WORDS = frozenset({"access", "level", "levels"})


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def looks_like_authorization(name: str) -> bool:
    """``role``, ``isAdmin``, ``tenant_id``, ``access-level``: a name that suggests the value decides access."""
    words = _words(name)
    if any(w in PRIVILEGE_WORDS for w in words):
        return True
    if len(words) == 1 and words[0] in SOLE_WORDS:
        return True
    return any(pair in PRIVILEGE_PAIRS for pair in pairwise(words))


@rule(
    id="RMT-COGNITO-003",
    title="Users can change a custom attribute that looks like an authorization claim",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=UserPool,
    impact=("Any signed-in user can set the attribute on their own account with their access token "
            "(`UpdateUserAttributes`) and receive an ID token that carries it: whatever trusts the claim gives them "
            "the role, tenant or plan they chose."),
    remediation="Make the attribute immutable (Mutable: false) if it is set once at sign-up by a trusted flow, or "
                "leave it out of every app client's WriteAttributes (list the writable attributes explicitly) so "
                "only an administrator (AdminUpdateUserAttributes) can set it. Better, keep roles in Cognito "
                "groups (cognito:groups claim), which users cannot join by themselves.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html",
        "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserAttributes.html",
        "CSA SAS-2 Broken Authentication, SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-269", "CWE-639"),
)
def check(pool: UserPool, an: Analysis) -> Iterator[Hit]:
    """A custom attribute whose name suggests authorization (``role``, ``admin``, ``group``, ``tenant``,
    ``permission``, ``scope``, ``plan``, ``tier``, ``access`` or ``level`` as the whole name...) is mutable and
    writable by an app client, so every user can set it on their own account.

    A signed-in user may call ``UpdateUserAttributes`` with their own access token (no AWS credentials, no
    application code involved) for every attribute their app client can write, and an app client without
    ``WriteAttributes`` can write every mutable attribute; custom attributes are mutable unless
    ``Mutable: false``. The new value appears in the user's next ID token as ``custom:<name>``: an API
    authorizer, a Lambda function or an identity pool rule that trusts the claim hands the user the role,
    tenant or plan they chose — privilege escalation or cross-tenant access.

    Reported when at least one app client of the pool in the template can write the attribute
    (``WriteAttributes`` absent, or listing ``custom:<name>``), or when the template declares no client for
    the pool (its clients then live elsewhere and are not known). Not reported: immutable attributes,
    developer-only attributes (``DeveloperOnlyAttribute: true``: users cannot write them), standard
    attributes, and names without an authorization word (matched on whole words, so ``explanation`` is not
    ``plan``).
    """
    clients = [c for c in an.app.user_pool_clients if c.pool_id == pool.id]
    for attribute in pool.custom_attributes:
        if not attribute.mutable or attribute.developer_only or not looks_like_authorization(attribute.name):
            continue
        claim = f"custom:{attribute.name}"
        writers = [c for c in clients if c.write_attributes is None
                   or any(text(w) == claim for w in c.write_attributes)]
        if clients and not writers:
            continue
        who = (f"app client {', '.join(c.logical_id for c in writers)} lets users write it" if writers
               else "no app client in the template restricts who writes it")
        yield Hit(attribute.node,
                  f"Custom attribute {claim} of {pool.display} is mutable and {who}: any signed-in user can set "
                  f"their own {attribute.name} with UpdateUserAttributes, and code that trusts the claim in the ID "
                  "token believes them.", pool.resource, evidence=claim)
