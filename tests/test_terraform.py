"""Terraform: HCL modules and plan JSON become the same model, findings point at the .tf lines."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.api import analyze, scan
from remit.diagnostics import Diagnostic
from remit.loaders.discover import InputFile
from remit.loaders.terraform import MAX_TF_BYTES, STATS, hcl, is_plan, load_terraform
from remit.loaders.terraform.module import Ignore, ignores_in
from remit.model.application import Application
from remit.model.entities import AuthKind
from remit.model.triggers import TriggerKind
from remit.model.values import Symbol, SymbolKind, Unknown
from remit.options import ScanOptions

from .conftest import CORPORA

FORMATS = Path(__file__).parent / "fixtures" / "formats"
BASIC = FORMATS / "terraform-basic"
PLAN = FORMATS / "terraform-plan"
BAD = FORMATS / "terraform-bad"
EXAMPLE = Path(__file__).parent.parent / "examples" / "orders-app-terraform"


def _hits(path: Path) -> set[tuple[str, str, str]]:
    result = scan([path], ScanOptions(strict=True, parallel=False))
    return {(f.rule_id, f.resource, str(f.location)) for f in result.findings}


# -- HCL reading -------------------------------------------------------------------------------------
def test_hcl_keeps_lines_of_blocks_attributes_and_object_keys() -> None:
    body = hcl.parse('locals {\n  a = 1\n  b = {\n    k = "v"\n  }\n}\nresource "t" "n" {\n  x = var.y\n}\n')
    locals_block, resource = body.blocks
    assert (locals_block.line, resource.line, resource.labels) == (1, 7, ("t", "n"))
    assert locals_block.body.attributes["b"].line == 3
    obj = locals_block.body.attributes["b"].expr
    assert isinstance(obj, hcl.Object)
    assert obj.items[0][0] == hcl.Lit(4, "k")
    assert resource.body.attributes["x"].expr == hcl.GetAttr(8, hcl.Name(8, "var"), "y")


def test_hcl_heredoc_interpolations_are_parsed_at_their_lines() -> None:
    body = hcl.parse('x = <<EOF\n{\n  "a": "${aws_s3_bucket.b.arn}/*"\n}\nEOF\n')
    expr = body.attributes["x"].expr
    assert isinstance(expr, hcl.Template)
    assert expr.heredoc
    ref = next(p for p in expr.parts if isinstance(p, hcl.Expr))
    assert ref.line == 3


def test_hcl_closing_marker_with_trailing_blanks_is_accepted() -> None:
    body = hcl.parse('x = <<POLICY\n{}\nPOLICY   \ny = 1\n')
    assert set(body.attributes) == {"x", "y"}


def test_hcl_errors_carry_the_line() -> None:
    with pytest.raises(hcl.HclError) as err:
        hcl.parse('a = 1\nb = [\n')
    assert err.value.line is not None


def test_hcl_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(hcl.HclError):
        hcl.parse("x = " + "[" * 400 + "]" * 400 + "\n")


# -- a module of several files, a child module, count and for_each ---------------------------------
def test_findings_point_at_each_files_own_lines() -> None:
    hits = _hits(BASIC)
    assert ("RMT-IAM-002", "aws_iam_group_policy.ops", "iam.tf:69") in hits
    assert ("RMT-IAM-001", "aws_iam_policy.api", "iam.tf:24") in hits  # NotAction iam:* on *
    assert ("RMT-SQS-001", "module.jobs.aws_sqs_queue.this", "modules/queue/main.tf:17") in hits
    assert ("RMT-API-001", "aws_apigatewayv2_api.http", "main.tf:52") in hits  # the unauthenticated route
    assert ("RMT-CODE-001", "aws_lambda_function.api", "src/api/handler.py:7") in hits  # archive_file -> source
    assert ("RMT-ENC-001", "aws_sns_topic.alerts[0]", "main.tf:115") in hits  # count = var.alerts ? 1 : 0
    # for_each over the buckets: only "assets" leaves RestrictPublicBuckets off
    assert {h for h in hits if h[0].startswith("RMT-S3")} == {
        ("RMT-S3-003", 'aws_s3_bucket.data["assets"]', "main.tf:112")}
    # the JWT route is a near miss
    assert not any(h[0] == "RMT-API-001" and h[2] == "main.tf:59" for h in hits)



def application(paths: list[Path]) -> tuple[Application | None, tuple[Diagnostic, ...]]:
    """The model remit builds of ``paths`` (with the diagnostics of every stage)."""
    an, diags = analyze(paths)
    return (an.app if an is not None else None), diags


def test_model_of_the_basic_module() -> None:
    app, diags = application([BASIC])
    assert app is not None
    fn = app.function(next(f.id for f in app.functions if f.logical_id == "aws_lambda_function.api"))
    assert fn is not None
    assert fn.code.display == "src/api"
    assert fn.role_id is not None
    assert fn.role_id.logical_id == "aws_iam_role.api"
    assert fn.reserved_concurrency == 5
    assert fn.environment["TABLE"] == Symbol(SymbolKind.RESOURCE, "aws_dynamodb_table.carts")
    assert fn.environment["TOKEN"] == Symbol(SymbolKind.PARAMETER, "var.token")  # no default: a deployment value
    assert fn.environment["QUEUE_URL"] == Symbol(SymbolKind.RESOURCE, "module.jobs.aws_sqs_queue.this")
    buckets = {b.logical_id: b for b in app.buckets}
    assert set(buckets) == {'aws_s3_bucket.data["logs"]', 'aws_s3_bucket.data["assets"]'}
    assert buckets['aws_s3_bucket.data["assets"]'].public_access_block == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": False}
    node = buckets['aws_s3_bucket.data["logs"]'].at("PublicAccessBlockConfiguration", "RestrictPublicBuckets")
    assert str(app.locate(node)) == "main.tf:112"
    kinds = Counter(t.kind for t in app.triggers)
    assert kinds == {TriggerKind.API_ROUTE: 2, TriggerKind.DYNAMODB_STREAM: 1, TriggerKind.SNS: 1}
    routes = {r.key: r for a in app.apis for r in a.routes}
    assert routes["POST /admin"].auth.kind is AuthKind.JWT
    assert routes["GET /carts/{id}"].auth.kind is AuthKind.NONE
    user = app.users[0]
    assert [g.logical_id for g in user.groups] == ["aws_iam_group.ops"]
    assert [p.name for p in app.principal_policies(user)] == ["ops"]
    role = app.roles[0]
    assert sorted(p.name for p in role.policies) == ["AWSLambdaBasicExecutionRole", "shop-dev-api"]
    policy = next(p for p in role.policies if p.name == "shop-dev-api")
    assert str(app.locate(policy.statements[1].node)) == "iam.tf:22"  # its statement block
    assert any(d.code == "module-not-read" and d.line == 133 for d in diags)
    types = {r.logical_id: r.type for r in app.resources}
    assert types["aws_instance.bastion"] == "Terraform::aws_instance"  # kept, not modelled


def test_discovery_reads_a_called_module_only_through_its_caller(tmp_path: Path) -> None:
    result = scan([BASIC], ScanOptions(strict=True, parallel=False))
    assert [d.path for d in result.documents] == ["main.tf"]
    assert result.documents[0].kind == "terraform"


# -- plans -----------------------------------------------------------------------------------------
def test_plan_json_is_detected_and_linked_through_configuration_references() -> None:
    assert is_plan(InputFile(PLAN / "plan.json", "plan.json"))
    app, _ = application([PLAN])
    assert app is not None
    fn = app.functions[0]
    assert fn.role_id is not None
    assert fn.role_id.logical_id == "aws_iam_role.worker"
    assert fn.code.display == "src/worker"  # filename matched to the archive_file data source
    hits = _hits(PLAN)
    assert ("RMT-IAM-001", "aws_iam_role.worker", "plan.json:19") in hits
    assert ("RMT-SECRET-001", "aws_lambda_function.worker", "plan.json:34") in hits
    assert ("RMT-LAMBDA-001", "aws_lambda_function_url.worker", "plan.json:43") in hits


def test_other_json_is_not_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text('{"name": "x", "values": [1]}')
    assert not is_plan(InputFile(path, "package.json"))


# -- bad input ---------------------------------------------------------------------------------------
def test_malformed_hcl_is_a_diagnostic_with_its_line() -> None:
    result = scan([BAD / "broken"], ScanOptions(strict=True, parallel=False))
    errors = [d for d in result.diagnostics if d.code == "parse-error"]
    assert len(errors) == 1
    assert errors[0].path == "main.tf"
    assert errors[0].line == 6


def test_unresolvable_values_become_unknowns_with_reasons() -> None:
    result = scan([BAD / "unknown"], ScanOptions(strict=True, parallel=False))
    reasons = {d.line: d.message for d in result.diagnostics if d.code == "terraform-unknown"}
    assert "templatefile(./x.tpl) is outside the scanned root, missing" in reasons[9]
    assert "var.undeclared" in reasons[10]
    assert "itself" in reasons[11]
    assert "directives" in reasons[12]
    assert any(d.code == "terraform-not-linked" and d.line == 32 for d in result.diagnostics)
    app, _ = application([BAD / "unknown"])
    assert app is not None
    env = app.functions[0].environment
    assert isinstance(env["A"], Unknown)
    assert "templatefile" in env["A"].reason
    assert {r.type for r in app.resources} >= {"Terraform::random_id", "Terraform::aws_kinesis_stream"}


def test_huge_binary_and_recursive_inputs(tmp_path: Path) -> None:
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "main.tf").write_text("# x\n" * (MAX_TF_BYTES // 4 + 10))
    binary = tmp_path / "binary"
    binary.mkdir()
    (binary / "main.tf").write_bytes(b"\x00\x01resource\x00")
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "main.tf").write_text('module "self" {\n  source = "./"\n}\nmodule "me" {\n  source = "../loop"\n}\n'
                                  'resource "aws_sqs_queue" "q" {}\n')
    codes: Counter[str] = Counter()
    for case in (huge, binary, loop):
        results = load_terraform([InputFile(case / "main.tf", f"{case.name}/main.tf")], tmp_path)
        codes.update(d.code for r in results for d in r.diagnostics)
    assert codes["too-large"] == 1
    assert codes["binary"] == 1
    result = scan([loop], ScanOptions(strict=True, parallel=False))
    assert any(d.code == "module-not-read" for d in result.diagnostics)


def test_expressions_functions_and_expansion(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n'
        '  names = { a = "x", b = "y" }\n'
        '  tags  = merge({ team = "t" }, { env = upper("dev") })\n'
        '}\n'
        'resource "aws_sqs_queue" "q" {\n'
        '  for_each = local.names\n'
        '  name     = format("%s-%s-%d", each.key, each.value, length(local.names))\n'
        '  tags     = local.tags\n'
        '}\n'
        'resource "aws_sns_topic" "t" {\n'
        '  count = 2\n'
        '  name  = join("-", ["topic", count.index, var.missing == "" ? "a" : "b"])\n'
        '}\n')
    app, _ = application([tmp_path])
    assert app is not None
    assert sorted(str(q.name) for q in app.queues) == ["a-x-2", "b-y-2"]
    names = {t.logical_id: t.name for t in app.topics}
    assert set(names) == {"aws_sns_topic.t[0]", "aws_sns_topic.t[1]"}
    assert all(isinstance(n, Unknown) or "topic" in str(n) for n in names.values())


# -- the parity example -----------------------------------------------------------------------------
def test_parity_example_scans_cleanly_and_maps_every_finding() -> None:
    result = scan([EXAMPLE], ScanOptions(strict=True, parallel=False))
    assert [d.kind for d in result.documents] == ["terraform"]
    assert not [d for d in result.diagnostics if d.code.startswith("terraform") and d.level.value != "info"]
    mapping = json.loads((EXAMPLE / "parity.json").read_text())["resources"]
    unmapped = {f.resource for f in result.findings if not f.location.path.startswith("src/")} - set(mapping)
    assert not unmapped


# -- corpus (opt-in) ---------------------------------------------------------------------------------
@pytest.mark.corpus
def test_terraform_corpora_scan_without_crashes() -> None:
    roots = []
    terragoat = CORPORA / "terragoat"
    patterns = CORPORA / "serverless-patterns"
    if terragoat.is_dir():
        roots.append(terragoat)
    if patterns.is_dir():
        roots.extend(sorted({p.parent for p in patterns.rglob("*.tf") if ".terraform" not in p.parts}))
    if not roots:
        pytest.skip(f"no Terraform corpus under {CORPORA}")
    before = (STATS.files, STATS.parsed, STATS.seconds, STATS.unknowns)
    codes: Counter[str] = Counter()
    findings = 0
    start = time.perf_counter()
    for root in roots:
        result = scan([root], ScanOptions(strict=True, parallel=False))
        codes.update(d.code for d in result.diagnostics)
        findings += len(result.findings)
    files, parsed = STATS.files - before[0], STATS.parsed - before[1]
    seconds, unknowns = STATS.seconds - before[2], STATS.unknowns - before[3]
    print(f"\nterraform corpus: {len(roots)} roots, {files} .tf files, {parsed} parsed, "
          f"{seconds / max(parsed, 1) * 1000:.1f} ms/file parse, {unknowns} unknown values, {findings} findings, "
          f"{time.perf_counter() - start:.1f} s; diagnostics: {dict(codes.most_common())}")
    assert not {"model-error", "rule-error", "terraform-error", "graph-error"} & set(codes)
    assert parsed == files


def test_policies_from_files_heredocs_and_documents_are_located(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(
        '{\n  "Statement": [\n    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}\n  ]\n}\n')
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = "{}"\n'
        '}\n'
        'resource "aws_iam_role_policy" "from_file" {\n'
        '  role   = aws_iam_role.r.id\n'
        '  policy = file("${path.module}/policy.json")\n'
        '}\n'
        'resource "aws_iam_role_policy" "heredoc" {\n'
        '  role   = aws_iam_role.r.name\n'
        '  policy = <<-EOT\n'
        '    {"Statement": [\n'
        '      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${aws_s3_bucket.b.arn}/*"}\n'
        '    ]}\n'
        '  EOT\n'
        '}\n'
        'resource "aws_s3_bucket" "b" {}\n')
    app, _ = application([tmp_path])
    assert app is not None
    role = app.roles[0]
    statements = {p.name: p.statements[0] for p in role.policies}
    assert str(app.locate(statements["aws_iam_role_policy.from_file"].node)) == "policy.json:3"
    heredoc = statements["aws_iam_role_policy.heredoc"]
    assert str(app.locate(heredoc.node)) == "main.tf:12"
    assert "aws_s3_bucket.b" in str(heredoc.resources)


_TOKENS = ['resource "aws_s3_bucket" "b" {', "}", "{", 'x = "${', "var.a", "]", "[", "= <<EOF", "EOF", "\n", '"',
           "count = ", "for_each = ", "local.x", "jsonencode(", ")", "module \"m\" {", 'source = "./"', "\\", "%{"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_TOKENS), max_size=30))
def test_any_token_soup_is_read_or_refused_never_a_crash(tmp_path: Path, tokens: list[str]) -> None:
    (tmp_path / "main.tf").write_text(" ".join(tokens))
    results = load_terraform([InputFile(tmp_path / "main.tf", "main.tf")], tmp_path)
    assert all(d.code in {"parse-error", "terraform-unknown", "module-not-read", "terraform-not-linked"}
               for r in results for d in r.diagnostics)


def test_nothing_outside_the_scanned_root_is_read(tmp_path: Path) -> None:
    """file() and a module source pointing outside the root stay unread, and each says so."""
    root = tmp_path / "app"
    root.mkdir()
    (tmp_path / "secret.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "leaked:Action", '
                                          '"Resource": "*"}]}')
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "main.tf").write_text('resource "aws_sqs_queue" "outside" {}\n')
    (root / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = jsonencode({ Statement = [] })\n'
        '}\n'
        'resource "aws_iam_role_policy" "p" {\n'
        '  role   = aws_iam_role.r.id\n'
        '  policy = file("../secret.json")\n'
        '}\n'
        'module "m" {\n'
        '  source = "../elsewhere"\n'
        '}\n')
    result = scan([root], ScanOptions(strict=True, parallel=False))
    assert result.application is not None
    assert "leaked:Action" not in str(result.application)
    assert not any(r.logical_id.endswith("outside") for r in result.application.resources)
    messages = [(d.code, d.path, d.line, d.message) for d in result.diagnostics]
    assert any(code == "terraform-unknown" and line == 6 and "outside the scanned root" in msg
               for code, _, line, msg in messages), messages
    assert any(code == "module-not-read" and "outside the scanned root" in msg
               for code, _, _, msg in messages), messages


SHAPES = FORMATS / "terraform-shapes"


@pytest.fixture(scope="module")
def shapes() -> tuple[set[tuple[str, str, str, bool]], set[tuple[str, int | None, str]]]:
    result = scan([SHAPES])
    findings = {(f.rule_id, f.resource or "", str(f.location), f.suppressed) for f in result.findings}
    diags = {(d.path, d.line, d.code) for d in result.diagnostics}
    return findings, diags


def test_code_behind_an_s3_object_and_an_archive_file_resource_is_analysed(
        shapes: tuple[set[tuple[str, str, str, bool]], set[tuple[str, int | None, str]]]) -> None:
    findings, _ = shapes
    # s3_key -> aws_s3_object.api.source -> resource "archive_file" -> src/api
    assert ("RMT-CODE-001", "aws_lambda_function.api", "src/api/app.py:5", False) in findings
    assert not any(rule == "RMT-CODE-016" for rule, *_ in findings)  # tests/ is not shipped code


def test_count_is_decided_from_defaults_null_tests_and_tfvars(
        shapes: tuple[set[tuple[str, str, str, bool]], set[tuple[str, int | None, str]]]) -> None:
    findings, diags = shapes
    admins = {res for rule, res, _, _ in findings if rule == "RMT-IAM-001"}
    assert "aws_iam_policy.ops[0]" in admins  # ops_access = true in terraform.tfvars
    # count 0 for the known values: default false, default null tested with == null, default "" tested with != ""
    assert not admins & {"aws_iam_policy.debug[0]", "aws_iam_policy.cross_account[0]", "aws_iam_policy.suffixed[0]"}
    assert not any(code == "terraform-unknown" for _, _, code in diags)


def test_downloaded_modules_are_read_and_absent_ones_named(
        shapes: tuple[set[tuple[str, str, str, bool]], set[tuple[str, int | None, str]]]) -> None:
    findings, diags = shapes
    assert ("RMT-IAM-001", "module.audit.aws_iam_policy.audit", ".terraform/modules/audit/main.tf:7", False) \
        in findings
    assert ("main.tf", 75, "module-not-read") in diags


def test_inline_suppressions_in_tf_files(
        shapes: tuple[set[tuple[str, str, str, bool]], set[tuple[str, int | None, str]]]) -> None:
    findings, diags = shapes
    assert ("RMT-IAM-001", "aws_iam_policy.break_glass", "main.tf:58", True) in findings
    assert ("RMT-IAM-001", "aws_iam_policy.no_reason", "main.tf:64", False) in findings  # no reason: not applied
    assert ("main.tf", 62, "suppression-without-reason") in diags


def test_ignore_comments_find_their_resource() -> None:
    text = ('# remit:ignore RMT-IAM-001 above\n\nresource "a" "b" {\n  // remit:ignore rmt-s3-001: inside\n}\n'
            '# remit:ignore RMT-X-1 before a variable\nvariable "v" {}\n')
    assert ignores_in(text) == (Ignore(1, 3, "RMT-IAM-001", "above"), Ignore(4, None, "RMT-S3-001", "inside"),
                                Ignore(6, 0, "RMT-X-1", "before a variable"))
