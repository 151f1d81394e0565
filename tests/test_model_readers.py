"""The reader table of the model builder: each reader looks up only the resource types its row declares (so
a document is never skipped by a reader that had something to read), and one failing reader loses only its
own part of the model."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from remit.api import load_documents
from remit.diagnostics import Diagnostic
from remit.loaders.sam import expander
from remit.model import build as build_module
from remit.model.application import Application
from remit.model.build import build
from remit.model.readers import READERS, Reader
from remit.model.readers.context import Context
from remit.model.resources import Resource
from remit.options import ScanOptions


def _model(root: Path, resources: dict[str, object]) -> tuple[Application, tuple[Diagnostic, ...]]:
    (root / "template.json").write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                                                    "Resources": resources}))
    found, docs, diags = load_documents([root], ScanOptions())
    assert docs, diags
    return build(docs, found, expander(found))


def _every_type() -> dict[str, object]:
    """One resource of every type a row names (``Custom::*`` as one custom type)."""
    types = dict.fromkeys(t.replace("::*", "::Thing") for reader in READERS for t in reader.types)
    return {f"R{i}": {"Type": t, "Properties": {}} for i, t in enumerate(types)}


def test_every_type_a_reader_looks_up_is_in_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: dict[str, set[str]] = {}
    running: list[str] = []
    of_type = Context.of_type

    def recording(self: Context, rtype: str) -> Iterable[Resource]:
        asked.setdefault(running[-1], set()).add(rtype)
        return of_type(self, rtype)

    def traced(reader: Reader) -> Reader:
        def read(ctx: Context) -> None:
            running.append(reader.name)
            reader.read(ctx)

        return Reader(reader.name, read, reader.types)

    monkeypatch.setattr(Context, "of_type", recording)
    monkeypatch.setattr(build_module, "READERS", tuple(traced(r) for r in READERS))
    _, diags = _model(tmp_path, _every_type())
    assert not [d for d in diags if d.code == "model-error"]
    assert running == [r.name for r in READERS]  # every row ran once, in table order
    for reader in READERS:
        assert asked.get(reader.name, set()) <= set(reader.types), reader.name


def test_reader_names_are_unique_and_types_are_cloudformation_types() -> None:
    names = [r.name for r in READERS]
    assert len(names) == len(set(names))
    for reader in READERS:
        assert reader.types
        assert all(t.startswith(("AWS::", "Custom::")) for t in reader.types), reader.name


def test_a_row_runs_only_for_documents_holding_its_types() -> None:
    custom = next(r for r in READERS if r.name == "custom_resource_triggers")
    assert custom.wanted(["AWS::S3::Bucket", "Custom::Seed"])
    assert custom.wanted(["AWS::CloudFormation::CustomResource"])
    assert not custom.wanted(["AWS::S3::Bucket", "AWS::CustomerProfiles::Domain"])  # a prefix, not a substring
    queues = next(r for r in READERS if r.name == "queues")
    assert queues.wanted(["AWS::SQS::QueuePolicy"])  # a policy naming a queue of another stack
    assert not queues.wanted(["AWS::SQS::QueueX"])


def test_one_failing_reader_loses_only_its_own_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: Context) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(build_module, "READERS",
                        tuple(Reader(r.name, broken, r.types) if r.name == "queues" else r for r in READERS))
    app, diags = _model(tmp_path, {
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {}},
    })
    errors = [d for d in diags if d.code == "model-error"]
    assert [e.message for e in errors] == ["could not read part of the template (queues): KeyError: 'boom'"]
    assert app.queues == ()
    assert [b.logical_id for b in app.buckets] == ["Uploads"]  # the rows before and after still ran
    assert [t.logical_id for t in app.topics] == ["Alerts"]
    assert {r.logical_id for r in app.resources} == {"Jobs", "Uploads", "Alerts"}  # the queue stays a resource
