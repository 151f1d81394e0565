"""How the attack-graph search scales: generated applications of N functions, the densest a template makes.

    python benchmarks/attack_graph.py [--sizes 500,1000,3000] [--users 500] [--roles 200]

Each function has a public function URL, an injectable handler (a code hint, as the code stage would give),
its own table, and a role that may read its table, read every bucket and rewrite every function's code: every
function reaches every other one. ``--users`` IAM users (each with an access key, a read grant on one table and
the right to assume the next assumable role) and ``--roles`` assumable roles (each trusting one user by
reference, the next role by ARN, and an OIDC provider; reading one table) add the footholds of leaked keys,
federated identities and role chains. Prints, per size, the time to build the model and the time of
``remit.graph.analyze`` (graph and path search; every function's graph blast radius was part of it until
2026-12-08), with the reachable graph's size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def template(n: int, users: int = 0, roles: int = 0) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for j in range(users):
        resources[f"User{j}"] = {"Type": "AWS::IAM::User", "Properties": {"Policies": [{
            "PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "dynamodb:GetItem",
                 "Resource": {"Fn::GetAtt": [f"Table{j % max(n, 1)}", "Arn"]}}]}}]}}
        resources[f"Key{j}"] = {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": f"User{j}"}}}
    for k in range(roles):
        trusted: list[Any] = [{"Fn::GetAtt": [f"User{k % max(users, 1)}", "Arn"]}] if users else []
        if k:
            trusted.append(f"arn:aws:iam::123456789012:role/assumable-{k - 1}")
        resources[f"Assumable{k}"] = {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": f"assumable-{k}",
            "AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": trusted or "123456789012"}},
                {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "dynamodb:Scan",
                 "Resource": {"Fn::GetAtt": [f"Table{k % max(n, 1)}", "Arn"]}}]}}]}}
    for i in range(n):
        resources[f"Table{i}"] = {"Type": "AWS::DynamoDB::Table", "Properties": {}}
        resources[f"Role{i}"] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": {"Fn::GetAtt": [f"Table{i}", "Arn"]}},
                {"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "s3:GetObject"], "Resource": "*"}]}}]}}
        resources[f"Fn{i}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Code": {"ZipFile": "def handler(e, c): pass"},
            "Role": {"Fn::GetAtt": [f"Role{i}", "Arn"]}}}
        resources[f"Url{i}"] = {"Type": "AWS::Lambda::Url", "Properties": {
            "AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": [f"Fn{i}", "Arn"]}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def measure(n: int, users: int = 0, roles: int = 0) -> str:
    from remit.code.facts import SinkKind
    from remit.graph import CodeHint, HintKind, analyze
    from remit.loaders.cloudformation import load_template
    from remit.loaders.discover import discover
    from remit.loaders.sam import expander
    from remit.model.build import build

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "template.json").write_text(json.dumps(template(n, users, roles)))
        began = time.perf_counter()
        docs = [d for d in (load_template(f).document for f in discover([root]).files) if d is not None]
        app, _ = build(docs, root, expander(root))
        built = time.perf_counter()
        hints = [CodeHint(fn.id, HintKind.INJECTION, "code injection", 0.9, SinkKind.CODE) for fn in app.functions]
        result = analyze(app, hints)
        done = time.perf_counter()
    return (f"{n:>6} functions {users:>4} users {roles:>4} roles  "
            f"model {built - began:6.2f}s  graph {done - built:6.2f}s  "
            f"{len(result.graph.nodes):>6} nodes {len(result.graph.edges):>7} edges  {len(result.paths)} paths")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,3000", help="comma-separated function counts")
    parser.add_argument("--users", type=int, default=0, help="IAM users with access keys (leaked-key footholds)")
    parser.add_argument("--roles", type=int, default=0, help="assumable roles (trusted by users, roles, OIDC)")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        print(measure(size, args.users, args.roles), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
