"""The store table (remit.model.stores): one row per kind of data store, read by the model, IAM and the graph."""

from __future__ import annotations

import dataclasses

from remit.iam import arns
from remit.model import entities
from remit.model.application import Application
from remit.model.stores import STORES, store_spec


def test_every_kind_of_store_has_one_row() -> None:
    kinds = {c for c in vars(entities).values()
             if isinstance(c, type) and issubclass(c, entities.DataStore) and c is not entities.DataStore}
    assert {s.kind for s in STORES} == kinds
    assert len({s.kind for s in STORES}) == len(STORES)


def test_rows_name_a_collection_of_the_model_and_an_arn_form() -> None:
    fields = {f.name for f in dataclasses.fields(Application)}
    for spec in STORES:
        assert spec.collection in fields, spec.kind
        assert "{n}" in spec.arn, spec.kind
        assert spec.read or spec.write, spec.kind  # worth reading, or a way in
        assert store_spec(spec.kind) is spec


def test_the_iam_forms_are_the_table_s() -> None:
    forms = dict(arns._FORMS)
    for spec in STORES:
        assert forms[spec.kind] == spec.arn.format(region=arns.REGION, account=arns.ACCOUNT, n="{n}")
    assert store_spec(entities.Function) is None
