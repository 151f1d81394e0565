"""Which event fields an attacker writes, by trigger (remit.code.sources): a store's resource policy decides
whether its trigger is written by others, as the IAM evaluator (remit.iam.reach) judges it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from remit.api import analyze
from remit.code.facts import Confidence
from remit.code.sources import event_sources

_ANYONE_SENDS: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                                 "Resource": "*"}


def _confidence(tmp_path: Path, statements: list[dict[str, Any]] | None) -> Confidence:
    """The confidence of the queue's messages as a source, for a queue policy of these statements (or none)."""
    resources: dict[str, Any] = {
        "Jobs": {"Type": "AWS::SQS::Queue"},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Worker": {"Type": "AWS::Serverless::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "s3://bucket/code.zip",
            "Events": {"Work": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}}}}},
    }
    if statements is not None:
        resources["JobsPolicy"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [{"Ref": "Jobs"}], "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(template))
    found, _ = analyze([tmp_path])
    assert found is not None
    (fn,) = found.app.functions
    (source,) = {s.confidence for s in event_sources(found.app, fn).sources}
    return source


@pytest.mark.parametrize(("statements", "expected"), [
    # anyone may send: the messages are an outsider's
    ([_ANYONE_SENDS], Confidence.HIGH),
    ([{**_ANYONE_SENDS, "Action": "sqs:*"}], Confidence.HIGH),
    # no policy, or one for the account's own topic only: an internal trigger
    (None, Confidence.MEDIUM),
    ([{**_ANYONE_SENDS, "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": "Topic"}}}}], Confidence.MEDIUM),
    ([{**_ANYONE_SENDS, "Principal": {"Service": "sns.amazonaws.com"}}], Confidence.MEDIUM),
    # anyone may do everything but send: the write that fires the function stays closed
    ([{**_ANYONE_SENDS, "Action": "sqs:*"},
      {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}], Confidence.MEDIUM),
    ([{**_ANYONE_SENDS, "Action": "sqs:Get*"}], Confidence.MEDIUM),
])
def test_a_queue_written_by_others_is_an_outsider_source(tmp_path: Path, statements: list[dict[str, Any]] | None,
                                                         expected: Confidence) -> None:
    assert _confidence(tmp_path, statements) is expected
