"""What each kind of data store is: one table the model, the IAM ARN forms and the attack graph read.

A data store (:class:`remit.model.entities.DataStore`) is where an application keeps what an attacker wants or
can write through: buckets, tables, queues, topics, event buses, secrets, keys, state machines. What a kind of
store *is* for remit — where the model keeps them, the ARN a policy names it by, whether ``!Ref`` gives that
ARN, which actions read or write it and what each is worth to an attacker — is written once here, in
:data:`STORES`. A new kind of store is its view class (``entities.py``), its ``Application`` field and reader
(``model/readers/``), and one row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from remit.model.entities import Bucket, DataStore, EventBus, KmsKey, Queue, Secret, StateMachine, Table, Topic

__all__ = ["STORES", "StoreSpec", "store_spec"]


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """One kind of data store.

    ``collection``: the :class:`~remit.model.application.Application` field holding them. ``arn``: the ARN form
    a policy names one by (``{n}`` its name, ``{region}`` and ``{account}`` the IAM evaluator's samples).
    ``ref_is_arn``: ``!Ref`` returns the ARN, not the name. ``read`` / ``write``: the actions that read its
    contents or write into it (an attacker's gain, or a way to feed what it triggers), with the worth of each
    on the attack graph's 0-10 scale."""

    kind: type[DataStore]
    collection: str
    arn: str
    ref_is_arn: bool = False
    read: tuple[str, ...] = ()
    read_impact: float = 0.0
    write: tuple[str, ...] = ()
    write_impact: float = 0.0


STORES: tuple[StoreSpec, ...] = (
    StoreSpec(Bucket, "buckets", "arn:aws:s3:::{n}",
              read=("s3:GetObject",), read_impact=9.0, write=("s3:PutObject", "s3:DeleteObject"), write_impact=6.0),
    StoreSpec(Table, "tables", "arn:aws:dynamodb:{region}:{account}:table/{n}",
              read=("dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:PartiQLSelect"), read_impact=9.0,
              write=("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:PartiQLUpdate"),
              write_impact=6.0),
    StoreSpec(Queue, "queues", "arn:aws:sqs:{region}:{account}:{n}",
              read=("sqs:ReceiveMessage",), read_impact=5.0, write=("sqs:SendMessage",), write_impact=3.0),
    StoreSpec(Topic, "topics", "arn:aws:sns:{region}:{account}:{n}", ref_is_arn=True,
              read=("sns:Subscribe",), read_impact=5.0, write=("sns:Publish",), write_impact=3.0),
    StoreSpec(EventBus, "buses", "arn:aws:events:{region}:{account}:event-bus/{n}",
              write=("events:PutEvents",), write_impact=3.0),
    StoreSpec(Secret, "secrets", "arn:aws:secretsmanager:{region}:{account}:secret:{n}-AbCdEf", ref_is_arn=True,
              read=("secretsmanager:GetSecretValue",), read_impact=10.0, write=("secretsmanager:PutSecretValue",),
              write_impact=6.0),
    StoreSpec(KmsKey, "keys", "arn:aws:kms:{region}:{account}:key/{n}", read=("kms:Decrypt",), read_impact=7.0),
    StoreSpec(StateMachine, "state_machines", "arn:aws:states:{region}:{account}:stateMachine:{n}", ref_is_arn=True,
              write=("states:StartExecution",), write_impact=4.0),
)

_BY_KIND = {s.kind: s for s in STORES}


def store_spec(kind: type) -> StoreSpec | None:
    """The row of a kind of store (None for an entity that is no data store)."""
    return _BY_KIND.get(kind)
