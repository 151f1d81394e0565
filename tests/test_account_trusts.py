"""Cross-account trust as structured facts: ``ScanResult.trusts`` and the JSON report's ``account_trusts``.

Each role of the template below says in its comment whether it is listed: only principals that name an account
by its id are, whatever the statement's conditions, with the conditions carried as facts.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from remit.api import scan
from remit.options import ScanOptions
from remit.report import Format, render
from tests.test_reports import report_schema

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Partner:  # listed: another account's root, with an external id
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::210987654321:root"}
            Action: sts:AssumeRole
            Condition: {StringEquals: {"sts:ExternalId": "partner-7"}}
  Deployer:  # listed twice: a role of one account, and a bare account id, without conditions
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: ["arn:aws:iam::111111111111:role/ci", "222222222222"]}
            Action: sts:AssumeRole
  Own:  # not listed: the deploying account, a service, a role of this template
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root", Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
          - Effect: Allow
            Principal: {AWS: !GetAtt Deployer.Arn}
            Action: sts:AssumeRole
  Anyone:  # not listed: anyone is no account (the attack graph and the trust rules report it)
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: sts:AssumeRole
  Denied:  # not listed: nobody may assume it (the Allow is not for sts:AssumeRole)
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::333333333333:root"}
            Action: sts:TagSession
"""


def test_roles_trusted_by_accounts_are_listed_with_their_conditions(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = scan([tmp_path], ScanOptions(strict=True))
    listed = [(t.role, t.account, t.principal, t.whole_account, t.external_id, t.restricted, t.evidence.line)
              for t in result.trusts]
    assert listed == [
        ("Deployer", "111111111111", "arn:aws:iam::111111111111:role/ci", False, False, False, 17),
        ("Deployer", "222222222222", "222222222222", True, False, False, 17),
        ("Partner", "210987654321", "arn:aws:iam::210987654321:root", True, True, True, 8),
    ]
    partner = result.trusts[-1]
    assert partner.conditions == ("StringEquals sts:ExternalId = partner-7",)
    assert (partner.location.path, partner.location.line) == ("template.yaml", 3)

    data = json.loads(render(result, Format.JSON))
    assert not list(jsonschema.Draft202012Validator(report_schema()).iter_errors(data))
    assert data["account_trusts"][-1] == {
        "role": "Partner", "account": "210987654321", "principal": "arn:aws:iam::210987654321:root",
        "whole_account": True, "conditions": ["StringEquals sts:ExternalId = partner-7"], "external_id": True,
        "restricted": True, "location": {"path": "template.yaml", "line": 3, "column": 3},
        "evidence": {"path": "template.yaml", "line": 8, "column": 13}}


def test_a_template_without_roles_lists_none(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n'
                                            "    Type: AWS::SQS::Queue\n")
    result = scan([tmp_path], ScanOptions(strict=True))
    assert result.trusts == ()
    assert json.loads(render(result, Format.JSON))["account_trusts"] == []
