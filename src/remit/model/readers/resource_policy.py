"""Resource policies as the store readers find them: written on the resource itself, or as policy resources of
their own (bucket, queue, topic, secret policies) linked to their target, several merged into one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from remit.diagnostics import Level
from remit.model.policy import Policy, PolicyDocument, PolicyKind, Statement, parse_document
from remit.model.readers.context import Context
from remit.model.resources import Resource
from remit.model.values import Value, items, render

# a policy resource naming a target outside the template: (the policy resource, the target as written, its policy)
Unlinked = tuple[Resource, Value, Policy]


def _separate(ctx: Context, rtype: str, targets_prop: str, target_type: str, doc_prop: str, many: bool,
              unlinked: list[Unlinked]) -> dict[str, Policy]:
    """Resource policies written as separate resources of ``rtype`` (bucket, queue, topic, secret policies), per
    target.

    A target that names no resource of the template (a bucket another stack owns, an imported queue URL) is
    collected in ``unlinked`` as (policy resource, the target as written, its policy), to be judged on its
    own; it is said so in a ``policy-not-linked`` diagnostic."""
    found: dict[str, Policy] = {}
    for res in ctx.of_type(rtype):
        document = parse_document(res.prop(doc_prop), res.at, doc_prop)
        targets = items(res.prop(targets_prop)) if many else (res.prop(targets_prop),)
        for value in targets:
            tid = ctx.target(value, target_type)
            if tid is None:
                if value is not None:
                    unlinked.append((res, value, Policy(PolicyKind.RESOURCE, res.logical_id, document,
                                                        res.at(doc_prop), res.id, (res.id,))))
                    ctx.diag(Level.INFO, "policy-not-linked",
                             f"{res.logical_id} names {render(value)}, which is not a {target_type} of this "
                             "template: its policy is judged on its own, without that resource's settings",
                             res.node.path)
                continue
            policy = Policy(PolicyKind.RESOURCE, res.logical_id, document, res.at(doc_prop), res.id, (tid,))
            found[tid.logical_id] = merge_policies(found.get(tid.logical_id), policy)
    return found


def linked(ctx: Context, target_type: str, *sources: tuple[str, str, str, bool]) \
        -> tuple[dict[str, Policy], list[Unlinked]]:
    """The policies of every policy resource type in ``sources`` (type, target property, document property,
    whether the target property is a list), merged per target; and one entry per policy resource naming a
    target outside the template, kept to be judged as an external store (:func:`_by_carrier`)."""
    unlinked: list[Unlinked] = []
    policies: dict[str, Policy] = {}
    for rtype, targets_prop, doc_prop, many in sources:
        for lid, policy in _separate(ctx, rtype, targets_prop, target_type, doc_prop, many, unlinked).items():
            policies[lid] = merge_policies(policies.get(lid), policy)
    return policies, list(_by_carrier(unlinked))


def inline(res: Resource, prop: str) -> Policy | None:
    """The resource policy written in ``prop`` of the resource it protects."""
    value = res.prop(prop)
    if value is None:
        return None
    return Policy(PolicyKind.RESOURCE, res.logical_id, parse_document(value, res.at, prop), res.at(prop),
                  res.id, (res.id,))


def _by_carrier(unlinked: Sequence[Unlinked]) -> Iterator[Unlinked]:
    """One store per policy resource for the targets it names outside the template (a queue policy naming two
    foreign queues is one policy): its first target's name, its policy once."""
    seen: set[str] = set()
    for res, name, policy in unlinked:
        if res.logical_id not in seen:
            seen.add(res.logical_id)
            yield res, name, policy


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
