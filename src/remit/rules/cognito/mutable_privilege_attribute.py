"""RMT-COGNITO-003."""

from __future__ import annotations

import re
from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import UserPool
from remit.model.values import text
from remit.rules.base import Hit, rule

PRIVILEGE_WORDS = re.compile(
    r"(role|admin|group|tenant|permission|scope|plan|tier|level|access|privilege|entitle|owner|staff|superuser|"
    r"account_?type|org|is_?verified|approved)", re.IGNORECASE)


@rule(
    id="RMT-COGNITO-003",
    title="Users can change a custom attribute that looks like an authorization claim",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=UserPool,
    remediation="Make the attribute immutable (Mutable: false) if it never changes, or remove it from every app "
                "client's WriteAttributes so only an administrator (AdminUpdateUserAttributes) can set it; better, "
                "keep roles in Cognito groups, which users cannot join by themselves.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html",
        "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-attribute-permissions-and-scopes",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-269", "CWE-639"),
)
def check(pool: UserPool, app: Application) -> Iterator[Hit]:
    """A custom attribute whose name suggests authorization (``role``, ``admin``, ``tenant``, ``group``,
    ``plan``, ``tier``, ``permission``...) is mutable and writable by an app client, so every user can set it
    on their own account.

    Signed-in users may call ``UpdateUserAttributes`` with their own access token for every attribute their app
    client can write — and an app client without ``WriteAttributes`` can write every mutable attribute (custom
    attributes are mutable unless ``Mutable: false``). The new value appears in the user's ID token as
    ``custom:<name>``; an application or API that trusts that claim for authorization hands out the role the
    user asked for. Reported when at least one client of the pool in the template can write the attribute, or
    when the template declares no client (the pool's clients then live elsewhere and are unknown).
    """
    clients = [c for c in app.user_pool_clients if c.pool_id == pool.id]
    for attribute in pool.custom_attributes:
        if not attribute.mutable or not PRIVILEGE_WORDS.search(attribute.name):
            continue
        claim = f"custom:{attribute.name}"
        writers = [c for c in clients if c.write_attributes is None
                   or any(text(w) == claim for w in c.write_attributes)]
        if clients and not writers:
            continue
        who = (f"app client {', '.join(c.logical_id for c in writers)} can write it" if writers
               else "no app client in the template restricts it")
        yield Hit(attribute.node,
                  f"Custom attribute {claim} of {pool.display} is mutable and {who}: any user can give themself "
                  f"the {attribute.name} they want, and code that trusts the claim in the ID token believes it.",
                  pool.resource, evidence=claim)
