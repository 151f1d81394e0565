"""RMT-COGNITO-006."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.actions import AccessLevel, action_info
from remit.iam.engine import Grant
from remit.model.entities import IdentityPool, Role
from remit.rules.base import Hit, rule
from remit.rules.cognito._grants import summarise

#: what a signed-in (or guest) identity of an app calls itself to get and keep its credentials (lower case)
SIGN_IN = frozenset({"cognito-identity:getid", "cognito-identity:getcredentialsforidentity",
                     "cognito-identity:getopenidtoken", "cognito-identity:unlinkidentity"})
#: reads that hand over other identities' tokens: as good as taking them over
MINTS = frozenset({"cognito-identity:getopenidtokenfordeveloperidentity"})
HIGH = "delete or reconfigure identity pools, or mint tokens for any identity"
MEDIUM = "list and describe other identities and the pool's configuration"


def classify(an: Analysis, role: Role) -> dict[str, list[Grant]]:
    """The role's ``cognito-identity`` grants beyond signing in, by what they allow."""
    out: dict[str, list[Grant]] = {}
    for g in an.iam.grants(role):
        low = g.action.lower()
        if not low.startswith("cognito-identity:") or low in SIGN_IN:
            continue
        info = action_info(g.action)
        levels = info.levels if info is not None else frozenset()
        changes = levels & {AccessLevel.WRITE, AccessLevel.PERMISSIONS_MANAGEMENT}
        kind = HIGH if low in MINTS or (changes and AccessLevel.TAGGING not in levels) else MEDIUM
        out.setdefault(kind, []).append(g)
    return {k: out[k] for k in (HIGH, MEDIUM) if k in out}


@rule(
    id="RMT-COGNITO-006",
    title="Identity pool users can manage identity pools",
    severity=Severity.HIGH,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=IdentityPool,
    impact=("Every user of the app (with self sign-up, anyone on the internet) holds these credentials: they can "
            "delete the identity pool or swap its roles, mint tokens for other identities, or list every user's "
            "identity, straight against AWS APIs."),
    remediation="Grant the identity pool's roles only what the app's users do with AWS: no cognito-identity "
                "actions at all (signing in with GetId and GetCredentialsForIdentity needs no IAM permission), "
                "and never cognito-identity:* . Pool administration belongs to a deployment or operator role.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncognitoidentity.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-269", "CWE-284"),
)
def check(pool: IdentityPool, an: Analysis) -> Iterator[Hit]:
    """A role an identity pool hands to its users (``Roles.authenticated`` or ``Roles.unauthenticated`` of an
    ``AWS::Cognito::IdentityPoolRoleAttachment``) is granted ``cognito-identity`` actions, typically through
    ``cognito-identity:*``.

    Every user of the app receives that role's credentials, so the grant is theirs. Rated by what it allows:
    deleting or reconfiguring a pool (``DeleteIdentityPool``, ``UpdateIdentityPool``, ``SetIdentityPoolRoles``,
    ``DeleteIdentities``, developer identity merges and unlinks) or minting tokens for any identity
    (``GetOpenIdTokenForDeveloperIdentity``) is high; listing and describing identities and pools is medium.
    The calls an identity makes for itself (``GetId``, ``GetCredentialsForIdentity``, ``GetOpenIdToken``,
    ``UnlinkIdentity``) are not reported: they need no IAM permission. Tagging alone is medium. What else the
    unauthenticated role allows is RMT-COGNITO-005's question.
    """
    seen: set[str] = set()
    for side, rid in (("authenticated", pool.authenticated_role), ("unauthenticated", pool.unauthenticated_role)):
        role = an.app.role(rid)
        if role is None or role.logical_id in seen:
            continue
        seen.add(role.logical_id)
        found = classify(an, role)
        if not found:
            continue
        named, flow = summarise(an, found)
        parts = [f"{kind} ({shown})" for kind, shown in named]
        who = "every signed-in user" if side == "authenticated" else "every visitor, without signing in,"
        yield Hit(role.node, f"Identity pool {pool.display} gives {who} role {role.display}, which can "
                             f"{'; '.join(parts)}.", pool.resource, evidence=f"{side}:{role.logical_id}",
                  severity=Severity.HIGH if HIGH in found else Severity.MEDIUM, flow=flow,
                  details=tuple((k, ", ".join(g.action for g in v)) for k, v in found.items()))
