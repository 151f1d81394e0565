"""Which AWS accounts a role's trust policy names: the cross-account trust of each role, as facts for reports.

Read from the one trust analysis (``IamEngine.trusted_by``, :class:`remit.iam.reach.TrustEdge`): every principal
that names an account by its 12-digit id (the account's root, or a role or user in it) and may assume the role.
A principal written as the deploying account (``AWS::AccountId``), a resource of the app or a value remit cannot
place is not listed: its account id is not known here. A scan does not always know its own account id (a
template is deployed wherever it is deployed), so an entry may name the account the role lives in; a reader that
knows it (``remit org merge``) leaves those out.

The JSON report carries these as ``account_trusts``; ``remit org merge --join-accounts`` joins accounts on them
(and on the attack paths' step resources), never on a sentence of a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from remit.iam.engine import IamEngine
from remit.source import SourceLocation

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_EXTERNAL_ID = "sts:externalid"


@dataclass(frozen=True, slots=True)
class AccountTrust:
    """A principal of an account, named by its id, that a role's trust policy lets assume the role."""

    role: str  # the role as findings and attack-path steps name it (its logical id)
    account: str  # the 12-digit id of the account the principal is in
    principal: str  # the principal as written (rendered): the account, its root, a role or user in it
    whole_account: bool  # the principal is the account itself: whoever that account's own IAM lets assume roles
    conditions: tuple[str, ...]  # the trust statement's condition clauses, as people read them
    external_id: bool  # a clause of the statement tests sts:ExternalId
    restricted: bool  # a clause pins the caller (external id, organization, principal ARN or account)
    location: SourceLocation  # where the role is defined
    evidence: SourceLocation  # the trust statement

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "account": self.account, "principal": self.principal,
                "whole_account": self.whole_account, "conditions": list(self.conditions),
                "external_id": self.external_id, "restricted": self.restricted,
                "location": _location(self.location), "evidence": _location(self.evidence)}


def _location(loc: SourceLocation) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def account_trusts(iam: IamEngine) -> tuple[AccountTrust, ...]:
    """Every role's trust in principals of accounts named by id, ordered by role, account and principal."""
    out: set[AccountTrust] = set()
    for role in iam.app.roles:
        for edge in iam.trusted_by(role):
            if edge.kind not in ("account", "principal") or edge.account is None \
                    or not _ACCOUNT_ID.match(edge.account):
                continue
            statement = edge.statements[0]
            out.add(AccountTrust(
                role=role.logical_id, account=edge.account, principal=edge.value,
                whole_account=edge.kind == "account", conditions=edge.conditions,
                external_id=any(c.key_lower == _EXTERNAL_ID for c in statement.conditions),
                restricted=edge.restricted, location=iam.app.locate(role.node),
                evidence=iam.app.locate(statement.node)))
    return tuple(sorted(out, key=lambda t: (t.role, t.account, t.principal, t.evidence.path, t.evidence.line)))
