"""The trigger table (remit.model.triggers): one row per kind, and rows that agree with themselves."""

from __future__ import annotations

import pytest

from remit.model.triggers import TRIGGERS, Caller, Invocation, TriggerKind, spec


def test_every_kind_has_one_row() -> None:
    assert set(TRIGGERS) == set(TriggerKind)
    assert all(row.kind is kind for kind, row in TRIGGERS.items())


@pytest.mark.parametrize("kind", list(TriggerKind), ids=lambda k: k.value)
def test_rows_are_consistent(kind: TriggerKind) -> None:
    row = spec(kind)
    if row.feeds:  # a write on the source delivers the event: its writers choose it
        assert row.caller is Caller.WRITERS
    if row.name_property:  # a loop needs both the write and the name a role's ARN holds
        assert row.feeds
    if row.polls or row.stream or row.polled_in_vpc:  # Lambda reads the source with the function's role
        assert row.invocation is Invocation.POLL
    if row.polled_in_vpc:
        assert row.polls
    if row.returns_to_caller:  # only a caller that waits can see the return value
        assert row.invocation is Invocation.SYNC
    if row.caller is Caller.ENDPOINT:
        assert row.returns_to_caller
        assert row.fields
    if row.caller is Caller.UNKNOWN:  # nothing known: the whole event is suspect
        assert ((), "event") in row.fields


def test_the_facts_each_stage_reads() -> None:
    assert spec(TriggerKind.S3).feeds == ("s3:PutObject",)
    assert spec(TriggerKind.S3).invocation is Invocation.ASYNC
    assert spec(TriggerKind.SQS).invocation is Invocation.POLL
    assert "sqs:ReceiveMessage" in spec(TriggerKind.SQS).polls
    assert spec(TriggerKind.DYNAMODB_STREAM).source_attribute == "StreamArn"
    assert spec(TriggerKind.KINESIS).stream
    assert spec(TriggerKind.DYNAMODB_STREAM).stream
    assert not spec(TriggerKind.SCHEDULE).fields  # a schedule carries no outside data
    assert not spec(TriggerKind.COGNITO).returns_to_caller  # Cognito reads the result, the user does not
