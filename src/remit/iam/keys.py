"""Condition keys that say *who* calls or *where from*, and when a value of one names something specific.

The evaluator (:mod:`remit.iam.reach`) asks these tables when it judges whether an outsider can satisfy a
resource policy: an outsider's request carries a value of its own (or none) for a restricting key, and that
value matches only a pattern that is not concrete. The choices below follow the IAM documentation on global
condition keys and condition operators, and are judgements, so they are written down here:

* Keys that restrict (:data:`RESTRICTING_KEYS`): the calling principal (``aws:PrincipalAccount``,
  ``aws:PrincipalArn``, ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``, ``aws:userid``,
  ``kms:CallerAccount``), the resource on whose behalf a service calls (``aws:SourceArn``,
  ``aws:SourceAccount``, ``aws:SourceOwner``, ``aws:SourceOrgID``, ``aws:SourceOrgPaths``), the network
  (``aws:SourceVpc``, ``aws:SourceVpce``, ``aws:SourceVpcArn``, ``aws:SourceIp``) and S3 access points
  (``s3:DataAccessPointAccount``, ``s3:DataAccessPointArn``).
* Keys that do not: ``aws:SecureTransport``, times, tags (``aws:PrincipalTag`` is set by the caller's own
  account), ``kms:ViaService`` alone (any account can ask the service to use the key for its own data),
  ``aws:VpcSourceIp`` alone (private ranges repeat in every VPC), ``aws:username`` (unique only within one
  account): the outsider chooses their values.
* A value is *not* concrete (:func:`concrete`) when it is a wildcard where it matters: ``*``, an account or
  organization id containing ``*``/``?``, an ARN whose account field is a wildcard (``arn:aws:sns:*:*:*``), an
  S3 ARN with a wildcard in the bucket name, an IP range wider than /8 (IPv4) or /16 (IPv6). A value computed
  at deployment (a ``!Ref``, an imported value) counts as concrete: the author named something specific.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from enum import Enum

from remit.model.values import Value, render, text

__all__ = ["POSITIVE", "RESTRICTING_KEYS", "KeyKind", "concrete"]


class KeyKind(Enum):
    ID = "id"  # an account, organization, VPC or endpoint id: no wildcard at all
    ARN = "arn"  # an ARN: the account field (or, without one, the whole ARN) free of wildcards
    ORG_PATH = "org-path"  # o-xxxx/r-xxxx/ou-...: the organization id free of wildcards
    USER_ID = "user-id"  # AROAEXAMPLE:session: the unique id before ':' free of wildcards
    IP = "ip"  # a CIDR no wider than /8 (IPv4) or /16 (IPv6)


#: Condition keys (lower case) that name who calls or where from, and how to tell a concrete value.
RESTRICTING_KEYS: Mapping[str, KeyKind] = {
    # the calling principal
    "aws:principalaccount": KeyKind.ID,
    "aws:principalarn": KeyKind.ARN,
    "aws:principalorgid": KeyKind.ID,
    "aws:principalorgpaths": KeyKind.ORG_PATH,
    "aws:userid": KeyKind.USER_ID,
    "kms:calleraccount": KeyKind.ID,
    # the resource on whose behalf an AWS service calls (confused-deputy protection)
    "aws:sourcearn": KeyKind.ARN,
    "aws:sourceaccount": KeyKind.ID,
    "aws:sourceowner": KeyKind.ID,
    "aws:sourceorgid": KeyKind.ID,
    "aws:sourceorgpaths": KeyKind.ORG_PATH,
    # the network the request comes from
    "aws:sourcevpc": KeyKind.ID,
    "aws:sourcevpce": KeyKind.ID,
    "aws:sourcevpcarn": KeyKind.ARN,
    "aws:sourceip": KeyKind.IP,
    # S3 access points delegating from a bucket policy
    "s3:dataaccesspointaccount": KeyKind.ID,
    "s3:dataaccesspointarn": KeyKind.ARN,
}

#: positive operators (lower case, without ``IfExists`` and qualifier) that pin a key to the values named
POSITIVE = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"})
_WILDCARDS = ("*", "?")


def concrete(kind: KeyKind, value: Value) -> bool:
    """Whether a condition value of a restricting key names something specific (see the module docstring)."""
    literal = text(value)
    if literal is None:
        if isinstance(value, (list, dict)) or value is None:
            return False
        literal = render(value)  # a symbol, a template string or an unknown: the author named something
        if "*" not in literal and "?" not in literal:
            return True
    literal = literal.strip()
    if not literal or all(c in "*?" for c in literal):
        return False
    wild = any(w in literal for w in _WILDCARDS)
    if kind is KeyKind.ID:
        return not wild
    if kind is KeyKind.USER_ID:
        head = literal.split(":", 1)[0]
        return bool(head) and not any(w in head for w in _WILDCARDS)
    if kind is KeyKind.ORG_PATH:
        head = literal.split("/", 1)[0]
        return bool(head) and not any(w in head for w in _WILDCARDS)
    if kind is KeyKind.ARN:
        if not wild:
            return True
        parts = literal.split(":", 5)
        account = parts[4] if len(parts) > 4 else ""
        return bool(account) and not any(w in account for w in _WILDCARDS)
    # IP
    if wild:
        return False
    try:
        network = ipaddress.ip_network(literal, strict=False)
    except ValueError:
        return "${" in literal  # a parameter or reference: trust the author; anything else is not an address
    return network.prefixlen >= (8 if network.version == 4 else 16)
