"""The Lambda runtime lifecycle table (remit/data/runtimes.json) and how RMT-LAMBDA-005 uses it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from remit import runtimes
from remit.api import scan
from remit.findings import Severity
from remit.options import ScanOptions


def test_table_metadata_says_where_and_when() -> None:
    info = runtimes.table_info()
    assert str(info["source"]).startswith("https://docs.aws.amazon.com/lambda/")
    date.fromisoformat(str(info["read"]))
    assert info["warning_days"] == runtimes.WARNING_DAYS
    sources = info["sources"]
    for identifier in runtimes.known_runtimes():
        entry = runtimes.lookup(identifier)
        assert entry is not None
        assert entry.source in sources, identifier


def test_every_entry_is_dated_and_ordered() -> None:
    assert len(runtimes.known_runtimes()) > 30
    for identifier in runtimes.known_runtimes():
        info = runtimes.lookup(identifier)
        assert info is not None, identifier
        assert info.name, identifier
        assert info.os, identifier
        assert info.deprecation is not None, identifier
        for later in (info.block_create, info.block_update):
            assert later is None or later >= info.deprecation, identifier
        if info.block_create and info.block_update:
            assert info.block_update >= info.block_create, identifier


@pytest.mark.parametrize(
    ("identifier", "deprecation"),
    [("python3.8", "2024-10-14"), ("nodejs18.x", "2025-09-01"), ("go1.x", "2024-01-08"),
     ("python3.12", "2028-10-31"), ("provided.al2023", "2029-06-30")],
)
def test_known_dates(identifier: str, deprecation: str) -> None:
    info = runtimes.lookup(identifier)
    assert info is not None
    assert info.deprecation == date.fromisoformat(deprecation)


def test_lookup_is_forgiving_about_case_and_strict_about_names() -> None:
    assert runtimes.lookup(" Python3.12 ") == runtimes.lookup("python3.12")
    assert runtimes.lookup("python9.9") is None
    assert runtimes.lookup("") is None


def test_lifecycle_boundaries() -> None:
    info = runtimes.lookup("nodejs22.x")
    assert info is not None
    assert info.deprecation is not None
    day = info.deprecation
    assert runtimes.lifecycle(info, day) is runtimes.Lifecycle.DEPRECATED
    assert runtimes.lifecycle(info, day + timedelta(days=400)) is runtimes.Lifecycle.DEPRECATED
    assert runtimes.lifecycle(info, day - timedelta(days=1)) is runtimes.Lifecycle.DEPRECATING
    assert runtimes.lifecycle(info, day - timedelta(days=180)) is runtimes.Lifecycle.DEPRECATING
    assert runtimes.lifecycle(info, day - timedelta(days=181)) is runtimes.Lifecycle.SUPPORTED
    assert runtimes.lifecycle(info, day - timedelta(days=30), warning_days=10) is runtimes.Lifecycle.SUPPORTED


def test_today_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runtimes.ENV_TODAY, "2027-02-03")
    assert runtimes.today() == date(2027, 2, 3)
    monkeypatch.setenv(runtimes.ENV_TODAY, "")
    assert runtimes.today() == date.today()
    monkeypatch.delenv(runtimes.ENV_TODAY)
    assert runtimes.today() == date.today()


def test_a_malformed_today_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runtimes.ENV_TODAY, "03/02/2027")
    with pytest.raises(ValueError, match="REMIT_TODAY"):
        runtimes.today()


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Old:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.8
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {ZipFile: "x"}
  Ageing:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {ZipFile: "x"}
"""


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-01-01", {"Old": Severity.HIGH}),
        ("2026-12-01", {"Old": Severity.HIGH, "Ageing": Severity.MEDIUM}),
        ("2027-04-30", {"Old": Severity.HIGH, "Ageing": Severity.HIGH}),
    ],
)
def test_rule_severity_follows_remit_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: str,
                                           expected: dict[str, Severity]) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    monkeypatch.setenv(runtimes.ENV_TODAY, today)
    result = scan([tmp_path], ScanOptions(select=("RMT-LAMBDA-005",), strict=True))
    assert {f.resource: f.severity for f in result.findings} == expected
