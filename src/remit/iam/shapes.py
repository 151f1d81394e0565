"""What one statement covers, read from it alone: every resource or not, administrator-shaped or not, which
actions (lower case) its ``Action`` / ``NotAction`` names. Pure functions of a statement, shared by the IAM
stage's effective grants (:mod:`remit.iam.effective`) and the rules that judge them.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from remit.iam import arns
from remit.iam.actions import expand
from remit.iam.match import wildcard_match
from remit.model.policy import Statement
from remit.model.values import Value, render

__all__ = ["ANY_RESOURCE_PROBES", "ANY_ROLE_PROBES", "admin_shaped", "all_actions", "covered", "on_every_resource",
           "on_every_role", "resource_pattern"]

_PSEUDO = {"${AWS::AccountId}": arns.ACCOUNT, "${AWS::Partition}": "aws", "${AWS::Region}": "us-east-1",
           "${AWS::URLSuffix}": "amazonaws.com"}
_OTHER_SYMBOL = re.compile(r"\$\{[^}]*\}")
ANY_RESOURCE_PROBES = ("arn:aws:s3:::remit-probe-bucket", f"arn:aws:iam::{arns.ACCOUNT}:role/remit-probe",
                        f"arn:aws:lambda:us-east-1:{arns.ACCOUNT}:function:remit-probe")
ANY_ROLE_PROBES = (f"arn:aws:iam::{arns.ACCOUNT}:role/remit-probe",
                    f"arn:aws:iam::{arns.ACCOUNT}:role/path/remit-other")


def resource_pattern(value: Value) -> str:
    """A resource value as an IAM pattern: pseudo parameters as sample values; any other reference as a
    character no probe contains (it names something specific)."""
    shown = render(value)
    for token, sample in _PSEUDO.items():
        shown = shown.replace(token, sample)
    return _OTHER_SYMBOL.sub("\x00", shown)


def _covers_all(statement: Statement, probes: tuple[str, ...]) -> bool:
    if statement.not_resource:
        return True  # "everything except": treated as everything
    return any(all(wildcard_match(resource_pattern(v), p) for p in probes) for v in statement.resources)


def on_every_resource(statement: Statement) -> bool:
    """``Resource: "*"`` or a pattern as wide (``arn:aws:*:*:*:*``), or ``NotResource``."""
    return _covers_all(statement, ANY_RESOURCE_PROBES)


def on_every_role(statement: Statement) -> bool:
    """Every resource, or every role of an account (``arn:aws:iam::<account>:role/*``)."""
    return _covers_all(statement, ANY_ROLE_PROBES)


def admin_shaped(statement: Statement) -> bool:
    """What RMT-IAM-001 reports: Action ``*`` (or ``*:*``), or NotAction, on every resource."""
    if not statement.allows:
        return False
    every_action = statement.not_action or any(render(a).strip() in ("*", "*:*") for a in statement.actions)
    return every_action and on_every_resource(statement)  # the actions first: cheap, and seldom all of them


def covered(st: Statement) -> frozenset[str]:
    """The actions (lower case) a statement's Action or NotAction covers."""
    texts = st.action_texts()
    return _covered_by(texts, st.not_action)


@lru_cache(maxsize=4096)
def _covered_by(texts: tuple[str, ...], not_action: bool) -> frozenset[str]:
    written: set[str] = set()
    for t in texts:
        written.update(a.lower() for a in expand(t))
    if not_action:
        return all_actions() - written
    return frozenset(written)


@cache
def all_actions() -> frozenset[str]:
    return frozenset(a.lower() for a in expand("*"))
