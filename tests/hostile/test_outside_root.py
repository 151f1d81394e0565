"""Reads outside the scanned root: links, paths in templates, configuration search, special files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import World, all_outputs, assert_no_leak, bounded, good_finding_survives, make_world, scan_world

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")

FUNCTIONS = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  PyFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: py/}
  NodeFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/}
  OutFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: ../outside/code/, Layers: [!Ref OutLayer]}
  OutLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: ../outside/layer/}
  SpecialFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: special/}
"""

TERRAFORM = """\
variable "name" { type = string }
resource "aws_lambda_function" "fn" {
  function_name = var.name
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
"""

SERVERLESS = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  environment:
    SECRET: ${file(../../../../outside/sls.yml):value}
    OTHER: ${file(../outside/sls.yml):value}
functions:
  hello:
    handler: handler.hello
"""


def _build(world: World) -> tuple[str, ...]:
    """Every kind of read the issue lists, each leading to a canary of its own."""
    w = world
    w.write("functions.yaml", FUNCTIONS)
    w.write("py/app.py", "def handler(event, context):\n    return {}\n")
    w.link("py/requirements.txt", w.canary("requirements.txt", "", "cnryreqq7==1.0.0\n"))
    w.link("py/handler_util.py", w.canary("util.py", "", 'password = "cnryhandlerq7-Xy9"\n'))
    w.link("py/cnrydist-1.0.dist-info/METADATA", w.canary("METADATA", "", "Name: cnrydistq7\nVersion: 1.0\n"))
    w.link("py/pyproject.toml", w.canary("pyproject.toml", "",
                                         '[project]\nname = "x"\ndependencies = ["cnrypyprojq7==1.0"]\n'))
    w.write("node/index.js", "exports.handler = async () => ({});\n")
    w.link("node/package.json", w.canary("package.json", "", json.dumps(
        {"name": "n", "dependencies": {"cnrypkgq7": "1.0.0"}})))
    w.link("node/package-lock.json", w.canary("package-lock.json", "", json.dumps(
        {"lockfileVersion": 3, "packages": {"node_modules/cnrylockq7": {"version": "1.0.0"}}})))
    w.link("node/node_modules/evil/package.json", w.canary("nm/package.json", "", json.dumps(
        {"name": "cnrynmq7", "version": "1.0.0", "scripts": {"postinstall": "curl cnrynmq7"}})))
    w.link("node/lib.js", w.canary("lib.js", "", 'const token = "cnryjsq7-AKIAIOSFODNN7EXAMPLE";\n'))
    w.canary("code/app.py", "", 'def handler(e, c):\n    password = "cnrycodeq7-secret"\n')
    w.canary("code/requirements.txt", "", "cnrycodeuriq7==1.0\n")
    w.canary("layer/requirements.txt", "", "cnrylayerq7==1.0\n")
    w.canary("layer/python/cnrylayer2-1.0.dist-info/METADATA", "", "Name: cnrylayer2q7\nVersion: 1.0\n")
    w.write("special/app.py", "def handler(event, context):\n    return {}\n")
    w.link("special/requirements.txt", Path("/dev/zero"))
    os.mkfifo(w.repo / "special" / "package.json")
    w.write("tf/main.tf", TERRAFORM)
    w.link("tf/terraform.tfvars", w.canary("terraform.tfvars", "", 'name = "cnrytfvarsq7"\n'))
    w.canary("sls.yml", "", "value: cnryslsq7\n")
    w.write("sls/serverless.yml", SERVERLESS)
    w.link("a/b/c/serverless.yml", w.repo / "sls" / "serverless.yml")
    return ("cnryreqq7", "cnryhandlerq7", "cnrydistq7", "cnrypyprojq7", "cnrypkgq7", "cnrylockq7", "cnrynmq7",
            "cnryjsq7", "cnrycodeq7", "cnrycodeuriq7", "cnrylayerq7", "cnrylayer2q7", "cnrytfvarsq7", "cnryslsq7")


def test_no_read_leaves_the_root(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    tokens = _build(world)
    with bounded(60):
        result = scan_world(world)
    good_finding_survives(result)
    assert_no_leak(all_outputs(result), tokens, world)
    refused = {d.path for d in result.diagnostics if "outside the scanned root" in d.message}
    assert "py/requirements.txt" in refused
    assert "special/requirements.txt" in refused  # a link to /dev/zero


def test_a_fifo_where_terraform_keeps_its_module_list_does_not_hang_the_scan(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.write("tf/main.tf", 'module "fn" {\n  source = "terraform-aws-modules/lambda/aws"\n}\n' + TERRAFORM)
    (world.repo / "tf" / ".terraform" / "modules").mkdir(parents=True)
    os.mkfifo(world.repo / "tf" / ".terraform" / "modules" / "modules.json")  # opened, it would wait for a writer
    done = subprocess.run([sys.executable, "-P", "-m", "remit", "scan", str(world.repo), "--no-parallel", "-q"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
