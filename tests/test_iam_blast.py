"""Blast radius per function (remit.iam.blast) and its place in the JSON report."""

from __future__ import annotations

from remit.iam.blast import blast_radius
from remit.iam.engine import IamEngine

from .test_iam_engine import EXAMPLE, model


def test_thumbnail_function_can_update_code_and_escalate() -> None:
    app = model(EXAMPLE)
    fn = next(f for f in app.functions if f.logical_id == "ThumbnailFunction")
    b = blast_radius(IamEngine(app), fn)
    assert not b.admin
    assert any("lambda:UpdateFunctionCode" in x.actions and x.resources == ("*",) for x in b.write)
    assert any(e.startswith("lambda-003:") for e in b.escalate)
    assert all(x.where.startswith("template.yaml:") for x in b.write if x.service == "lambda")
    assert any("s3:GetObject" in x.actions for x in b.read)


def test_admin_function_is_summarised() -> None:
    app = model(EXAMPLE)
    fn = next(f for f in app.functions if f.logical_id == "OpsToolsFunction")
    b = blast_radius(IamEngine(app), fn)
    assert b.admin
    assert not b.read
    assert not b.write
    d = b.to_dict()
    assert d["admin"] is True
    assert set(d) == {"function", "role", "admin", "read", "write", "invoke", "pass", "escalate"}
