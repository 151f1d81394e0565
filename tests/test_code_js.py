"""The JavaScript / TypeScript analyzer on its own: front end, propagation, interprocedural flows, SDK calls."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.code.facts import Confidence, EnvRef, FunctionCode, IssueKind, Language, SinkKind
from remit.code.javascript import analyze
from remit.code.resolve import ResolvedCode
from remit.code.sources import EventSource, EventSources
from remit.model.resources import ResourceId
from remit.model.triggers import TRIGGERS, TriggerKind
from remit.model.values import Unknown

from .conftest import FIXTURES

JS_FIXTURES = FIXTURES / "code" / "js"
HTTP = EventSources((EventSource(("body",), "request body", "api-route", Confidence.HIGH),
                     EventSource(("queryStringParameters", "*"), "query string parameter", "api-route",
                                 Confidence.HIGH),
                     EventSource(("pathParameters", "*"), "path parameter", "api-route", Confidence.HIGH)))
SQS = EventSources((EventSource(("Records", "*", "body"), "SQS message body", "sqs", Confidence.MEDIUM),))


def run(root: Path, entry: str, sources: EventSources = HTTP, handler: str = "handler") -> FunctionCode:
    root = root.resolve()
    path = root / entry
    language = Language.TYPESCRIPT if path.suffix in (".ts", ".tsx") else Language.JAVASCRIPT
    files = tuple(sorted(p for p in root.rglob("*") if p.suffix in (".js", ".mjs", ".cjs", ".ts", ".tsx")))
    resolved = ResolvedCode(ResourceId("template.yaml", "Fn"), language, root, path, handler, files, (root,))
    return analyze(resolved, sources, root, _sync(sources))


def _sync(sources: EventSources) -> bool:
    """As the code stage decides it: the caller sees the return value (the trigger table, or a direct call)."""
    kinds = {k.value: k for k in TriggerKind}
    return any(s.trigger not in kinds or TRIGGERS[kinds[s.trigger]].returns_to_caller for s in sources.sources)


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def sinks(code: FunctionCode) -> set[tuple[str, str, int]]:
    return {(f.sink.value, f.location.path, f.location.line) for f in code.flows}


# -- front end ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "text"), [
    ("a.js", "exports.handler = async (event) => { eval(event.body); };"),
    ("a.js", "module.exports.handler = function (event) { eval(event.body); };"),
    ("a.js", "async function handler(event) { eval(event.body); }\nmodule.exports = { handler };"),
    ("a.cjs", "const handler = (event) => eval(event.body);\nmodule.exports = { handler: handler };"),
    ("a.mjs", "export const handler = async (event) => { eval(event.body); };"),
    ("a.mjs", "export async function handler(event) { eval(event.body); }"),
    ("a.mjs", "async function main(event) { eval(event.body); }\nexport { main as handler };"),
    ("a.ts", "export const handler = async (event: any): Promise<void> => { eval(event.body as string); };"),
])
def test_handler_export_forms(tmp_path: Path, entry: str, text: str) -> None:
    code = run(write(tmp_path, {entry: text}), entry)
    assert not isinstance(code.handler, Unknown)
    assert sinks(code) == {("code", entry, text.splitlines().index(next(
        line for line in text.splitlines() if "eval" in line)) + 1)}


def test_missing_handler_is_unknown_with_diagnostic(tmp_path: Path) -> None:
    code = run(write(tmp_path, {"a.js": "exports.other = () => 1;\n"}), "a.js")
    assert isinstance(code.handler, Unknown)
    assert [d.code for d in code.diagnostics] == ["code-handler-missing"]


def test_syntax_error_is_a_diagnostic_and_analysis_continues(tmp_path: Path) -> None:
    text = ("const { exec } = require('child_process');\n"
            "function broken( {\n"
            "exports.handler = async (event) => { exec(event.body); };\n")
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    assert "code-syntax-error" in [d.code for d in code.diagnostics]
    assert sinks(code) == {("command", "a.js", 3)}  # the handler after the broken line is still found
    assert "child_process" not in code.imports  # built-ins are not packages


def test_imports_are_package_names(tmp_path: Path) -> None:
    text = ("import _ from 'lodash/merge';\nimport { S3Client } from '@aws-sdk/client-s3';\n"
            "const fs = require('node:fs');\nconst x = require('./lib/x');\nconst y = await import('axios');\n"
            "export const handler = async () => 1;\n")
    code = run(write(tmp_path, {"a.mjs": text, "lib/x.js": "const u = require('uuid');\n"}), "a.mjs")
    assert code.imports == frozenset({"lodash", "@aws-sdk/client-s3", "axios", "uuid"})
    assert code.files == ("a.mjs", "lib/x.js")


# -- propagation ---------------------------------------------------------------------------------------


def test_propagation_and_sanitizers_on_the_fixture_app() -> None:
    code = run(JS_FIXTURES / "app", "handler.js")
    assert sinks(code) == {
        ("command", "handler.js", 22),  # through build(): a function of the same file
        ("path", "handler.js", 30),  # path.join keeps the data; basename on the next line clears it
        ("ssrf", "handler.js", 32),  # a fixed host on the next line does not
        ("sql", "lib/db.js", 5),  # another file, through module.exports = { find }
        ("code", "handler.js", 38),  # an inline callback sees the element of the array
        ("xss", "lib/view.ts", 5),  # TypeScript, `title!`
    }
    by_line = {f.location.line: f for f in code.flows}
    sql = next(f for f in code.flows if f.sink is SinkKind.SQL)
    assert sql.source == "event.queryStringParameters.id"
    assert next(str(s.location) for s in sql.steps) == "handler.js:18"
    assert str(sql.steps[-1].location) == "lib/db.js:5"
    assert any("db.find" in s.label for s in sql.steps)
    assert by_line[22].source == "event.body"
    kinds = sorted(i.kind.value for i in code.issues)
    assert kinds == ["error-leak", "persistence", "persistence"]


@pytest.mark.parametrize(("body", "expected"), [
    ("const { a: { b } } = JSON.parse(event.body); exec(b);", True),
    ("const [first, ...rest] = event.queryStringParameters.list; exec(rest);", True),
    ("const o = { ...event.pathParameters }; exec(o.id);", True),
    ("const parts = ['ls', event.body]; exec(parts.join(' '));", True),
    ("let c = 'ls '; c += event.body; exec(c);", True),
    ("const id = event.body ?? 'x'; exec(`ls ${id}`);", True),
    ("const id = Number(event.body); exec(`ls ${id}`);", False),
    ("const id = event.body; if (!/^[a-z]+$/.test(id)) { throw new Error('bad'); } exec(id);", False),
    ("const id = event.body; if (id !== 'a') return; exec(id);", False),
    ("const id = event.headers.host; exec(id);", False),  # not a source for these triggers
    ("exec(event.body.length > 3 ? 'a' : 'b');", False),
    ("exec(String(event.body.length));", False),
    ("const p = Promise.resolve(event.body); p.then((v) => exec(v));", True),
])
def test_propagation_cases(tmp_path: Path, body: str, expected: bool) -> None:
    text = f"const {{ exec }} = require('child_process');\nexports.handler = async (event) => {{\n  {body}\n}};\n"
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    assert bool(code.flows) is expected, body


def test_sqs_records_and_typescript_across_files(tmp_path: Path) -> None:
    files = {
        "src/worker.ts": ("import type { SQSEvent } from 'aws-lambda';\nimport { run } from './jobs/run';\n"
                          "export const handler = async (event: SQSEvent) => {\n"
                          "  for (const record of event.Records) {\n"
                          "    await run(JSON.parse(record.body));\n  }\n};\n"),
        "src/jobs/run.ts": ("import { execSync } from 'child_process';\n"
                            "export async function run(job: { cmd: string }): Promise<void> {\n"
                            "  execSync(job.cmd!);\n}\n"),
    }
    code = run(write(tmp_path, files), "src/worker.ts", SQS)
    assert code.language is Language.TYPESCRIPT
    [flow] = code.flows
    assert (flow.sink, flow.location.path, flow.location.line) == (SinkKind.COMMAND, "src/jobs/run.ts", 3)
    assert flow.source == "event.Records[*].body"
    assert flow.confidence is Confidence.MEDIUM
    assert flow.trigger == "sqs"


def test_esm_default_export_of_a_helper_and_recursion(tmp_path: Path) -> None:
    files = {
        "index.mjs": ("import send from './send.mjs';\nexport const handler = async (event) => send(event.body, 3);\n"),
        "send.mjs": ("import https from 'https';\nexport default function send(url, n) {\n"
                     "  if (n > 0) { return send(url, n - 1); }\n  return https.get(url);\n}\n"),
    }
    code = run(write(tmp_path, files), "index.mjs")
    assert sinks(code) == {("ssrf", "send.mjs", 4)}


def test_error_leak_only_for_callers_that_see_the_response(tmp_path: Path) -> None:
    text = ("exports.handler = async (event, context, callback) => {\n  try { JSON.parse(event.body); }\n"
            "  catch (e) { callback(null, { statusCode: 500, body: e.stack }); }\n};\n")
    root = write(tmp_path, {"a.js": text})
    assert [i.location.line for i in run(root, "a.js").issues if i.kind is IssueKind.ERROR_LEAK] == [3]
    assert not [i for i in run(root, "a.js", SQS).issues if i.kind is IssueKind.ERROR_LEAK]


# -- SDK calls ------------------------------------------------------------------------------------------


def test_sdk_calls_v2_and_v3(tmp_path: Path) -> None:
    text = """const AWS = require("aws-sdk");
const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { SecretsManager } = require("@aws-sdk/client-secrets-manager");
const TABLE = process.env.TABLE_NAME;
const s3 = new S3Client({});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sm = new SecretsManager({});
const sqs = new AWS.SQS();
const legacy = new AWS.DynamoDB.DocumentClient();
exports.handler = async (event) => {
  await s3.send(new GetObjectCommand({ Bucket: "reports", Key: event.key }));
  await doc.send(new PutCommand({ TableName: TABLE, Item: {} }));
  await sm.getSecretValue({ SecretId: process.env["SECRET_ARN"] });
  await sqs.sendMessage({ QueueUrl: process.env.QUEUE_URL, MessageBody: "x" }).promise();
  await legacy.get({ TableName: TABLE, Key: { id: "1" } }).promise();
  await new AWS.S3().putObject({ Bucket: `b-${event.x}`, Key: "k" }).promise();
  const presigned = new AWS.S3().getSignedUrl("getObject", { Bucket: "reports", Key: "k" });
};
"""
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    calls = [(c.service, c.operation, c.location.line, dict(c.arguments)) for c in code.sdk_calls]
    computed = Unknown("computed by the code")
    assert calls == [
        ("s3", "GetObject", 13, {"Bucket": "reports", "Key": computed}),
        ("dynamodb", "PutItem", 14, {"TableName": EnvRef("TABLE_NAME"), "Item": computed}),
        ("secretsmanager", "GetSecretValue", 15, {"SecretId": EnvRef("SECRET_ARN")}),
        ("sqs", "SendMessage", 16, {"QueueUrl": EnvRef("QUEUE_URL"), "MessageBody": "x"}),
        ("dynamodb", "GetItem", 17, {"TableName": EnvRef("TABLE_NAME"), "Key": computed}),
        ("s3", "PutObject", 18, {"Bucket": computed, "Key": "k"}),
        ("s3", "GetObject", 19, {"Bucket": "reports", "Key": "k"}),
    ]


# -- robustness -----------------------------------------------------------------------------------------


def test_inline_code(tmp_path: Path) -> None:
    resolved = ResolvedCode(ResourceId("template.yaml", "Inline"), Language.JAVASCRIPT, tmp_path.resolve(), None,
                            "handler", inline="exports.handler = async (e) => eval(e.body);\n",
                            inline_doc="template.yaml", inline_line=12)
    code = analyze(resolved, HTTP, tmp_path, True)
    assert [(f.location.path, f.location.line) for f in code.flows] == [("template.yaml", 12)]
    assert code.files == ()


def test_binary_and_huge_files_are_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_bytes(b"\x00\x01\x02exports.handler = 1")
    code = run(tmp_path, "a.js")
    assert isinstance(code.handler, Unknown)
    assert "code-binary" in [d.code for d in code.diagnostics]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("(){}[];=>`'\"$.,+ \nexportsconsthandlerevalevent")), max_size=200))
def test_hostile_text_never_raises(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "a.js").write_text("exports.handler = async (event) => {\n" + text + "\n};\n", encoding="utf-8")
        run(root, "a.js")


@pytest.mark.parametrize("export", [
    "export const handler = middy(base).use(jsonBodyParser()).use(errors());",
    "exports.handler = wrap(base);",
    "module.exports.handler = middy(async (event) => exec(event.body));",
])
def test_wrapped_handlers(tmp_path: Path, export: str) -> None:
    text = ("import middy from '@middy/core';\nimport { exec } from 'child_process';\n"
            "const base = async (event) => exec(event.body);\n" + export + "\n")
    code = run(write(tmp_path, {"a.mjs": text}), "a.mjs")
    assert not isinstance(code.handler, Unknown)
    sink_line = 4 if "exec(" in export else 3  # the inline-wrapped handler calls exec on the export's line
    assert [(f.sink, f.steps[-1].location.line) for f in code.flows] == [(SinkKind.COMMAND, sink_line)]


@pytest.mark.parametrize(("body", "expected"), [
    ("const q = 'SELECT * FROM t WHERE a = ' + event.body; await db.query(q);", True),
    ("let q = 'SELECT * FROM t'; q += ` WHERE a = ${event.body}`; await db.execute(q);", True),
    ("await db.query({ sql: `SELECT ${event.body}`, values: [] });", True),
    ("await docClient.query(build(event.body)).promise();", False),  # a DynamoDB request, not a string
    ("const params = { TableName: 't', Key: { id: event.body } }; await docClient.query(params).promise();", False),
    ("await db.query({ sql: 'SELECT * FROM t WHERE a = ?', values: [event.body] });", False),
])
def test_sql_needs_a_built_string(tmp_path: Path, body: str, expected: bool) -> None:
    text = (f"const build = (x) => ({{ TableName: 't', Key: x }});\n"
            f"exports.handler = async (event) => {{\n  {body}\n}};\n")
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    assert bool(code.flows) is expected, body


def test_nested_functions_see_the_enclosing_event(tmp_path: Path) -> None:
    text = ("const { exec } = require('child_process');\nexports.handler = async (event) => {\n"
            "  const run = (extra) => exec(`ls ${event.body} ${extra}`);\n"
            "  function again(n) { return n > 0 ? again(n - 1) : run('x'); }\n"
            "  again(2);\n  run(event.queryStringParameters.q);\n};\n")
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    assert {(f.source, f.location.line) for f in code.flows} == {
        ("event.body", 3), ("event.queryStringParameters.q", 3)}


def test_callback_parameters_do_not_hide_enclosing_data(tmp_path: Path) -> None:
    text = ("const { exec } = require('child_process');\nexports.handler = async (event) => {\n"
            "  let name = event.body;\n  ['a', 'b'].forEach((name) => console.log(name));\n  exec(name);\n};\n")
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    assert sinks(code) == {("command", "a.js", 5)}


@pytest.mark.parametrize("index", [
    "module.exports = require('./src/handler');",
    "exports.handler = require('./src/handler').handler;",
    "export * from './src/handler.mjs';",
    "export { handler } from './src/handler.mjs';",
])
def test_handler_reexported_from_another_module(tmp_path: Path, index: str) -> None:
    ext = ".mjs" if index.startswith("export") else ".js"
    impl = ("import { exec } from 'child_process';\nexport const handler = async (event) => exec(event.body);\n"
            if ext == ".mjs" else
            "const { exec } = require('child_process');\nexports.handler = async (event) => exec(event.body);\n")
    code = run(write(tmp_path, {f"index{ext}": index + "\n", f"src/handler{ext}": impl}), f"index{ext}")
    assert sinks(code) == {("command", f"src/handler{ext}", 2)}


@pytest.mark.parametrize("export", [
    "const instance = new Lambda();\nexport const handler = instance.handler.bind(instance);",
    "export const handler = new Lambda().handler;",
])
def test_class_method_handlers(tmp_path: Path, export: str) -> None:
    text = ("import { execSync } from 'child_process';\nclass Lambda {\n"
            "  public async handler(event: { body: string }): Promise<void> { this.run(event.body); }\n"
            "  private run(cmd: string): void {\n    execSync(cmd);\n  }\n}\n" + export + "\n")
    code = run(write(tmp_path, {"a.ts": text}), "a.ts")
    assert sinks(code) == {("command", "a.ts", 5)}


@pytest.mark.parametrize(("url", "expected"), [
    ("q.url", True),
    ("`${process.env.API_URL}/users/${q.id}`", False),
    ("API + '/users/' + q.id", False),
    ("`${q.host}/users`", True),
    ("'https://' + q.host + '/x'", True),
    ("`https://api.example.com/users/${q.id}`", False),
    ("new URL(q.path, 'https://api.example.com').href", True),
])
def test_ssrf_destination(tmp_path: Path, url: str, expected: bool) -> None:
    text = ("const API = process.env.API_URL || 'https://api.example.com';\n"
            "exports.handler = async (event) => {\n  const q = event.queryStringParameters;\n"
            f"  await fetch({url});\n}};\n")
    code = run(write(tmp_path, {"a.js": text}), "a.js")
    assert bool(code.flows) is expected, url


# -- wrappers of another module, bundles ----------------------------------------------------------------

_WRAP = ("exports.withErrors = (fn) => async (event, context) => {\n"
         "  try { return await fn(event, context); }\n"
         "  catch (err) { return { statusCode: 500, body: err.stack }; }\n"
         "};\n"
         "exports.quiet = (fn) => async (event, context) => {\n"
         "  try { return await fn(event, context); }\n"
         "  catch (err) { console.error(err); return { statusCode: 500, body: 'internal error' }; }\n"
         "};\n")


@pytest.mark.parametrize(("entry", "text", "leaks"), [
    ("a.js", "const { withErrors } = require('./lib/wrap');\n"
             "module.exports.handler = withErrors(async (event) => ({ statusCode: 200 }));\n", True),
    ("a.js", "const wrap = require('./lib/wrap');\nconst base = async (event) => ({});\n"
             "const handler = wrap.withErrors(base);\nmodule.exports = { handler };\n", True),
    ("a.mjs", "import { withErrors } from './lib/wrap.js';\nconst base = async (event) => ({});\n"
              "const handler = withErrors(base);\nexport { handler };\n", True),
    ("a.ts", "import * as wrap from './lib/wrap';\n"
             "export const handler = wrap.withErrors(async (event: unknown) => ({ statusCode: 200 }));\n", True),
    ("a.js", "const { quiet } = require('./lib/wrap');\n"
             "module.exports.handler = quiet(async (event) => ({ statusCode: 200 }));\n", False),
    ("a.js", "const { withErrors } = require('./lib/wrap');\n"  # a wrapper, but not around the handler
             "const other = withErrors(async () => ({}));\nexports.handler = async (event) => ({});\n", False),
])
def test_error_bodies_of_wrappers_in_another_module(tmp_path: Path, entry: str, text: str, leaks: bool) -> None:
    code = run(write(tmp_path, {"lib/wrap.js": _WRAP, entry: text}), entry)
    assert not isinstance(code.handler, Unknown)
    found = [(i.location.path, i.location.line) for i in code.issues if i.kind is IssueKind.ERROR_LEAK]
    assert found == ([("lib/wrap.js", 3)] if leaks else [])


def _sdk(code: FunctionCode) -> set[str]:
    return {call.operation for call in code.sdk_calls}


_SEND = ("import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\n"
         "export async function notify(b: string) { await new SQSClient({}).send(new SendMessageCommand({})); }\n")
_PURGE = ("import { SQSClient, PurgeQueueCommand } from '@aws-sdk/client-sqs';\n"
          "export async function purgeAll() { await new SQSClient({}).send(new PurgeQueueCommand({})); }\n")
_CONFIG = "export const queueUrl = () => 'q';\n"
_BARREL = "export * from './send';\nexport { purgeAll } from './purge';\nexport { queueUrl } from './config';\n"


@pytest.mark.parametrize(("tsconfig", "specifier"), [
    ('{"compilerOptions": {"baseUrl": ".", "paths": {"@lib/*": ["lib/*"]}}}', "@lib/queue"),
    ('{\n  // a comment\n  "compilerOptions": {"baseUrl": "lib",},\n}', "queue"),  # baseUrl alone
    ('{"extends": "./base.json"}', "@lib/queue"),  # paths inherited
    ('{"compilerOptions": {"paths": {"#queue": ["./lib/queue/index.ts"]}}}', "#queue"),  # exact, no baseUrl
])
def test_tsconfig_aliases_are_the_package_s_own_modules(tmp_path: Path, tsconfig: str, specifier: str) -> None:
    files = {"tsconfig.json": tsconfig, "base.json": '{"compilerOptions": {"baseUrl": ".", "paths": '
                                                      '{"@lib/*": ["lib/*"]}}}',
             "lib/queue/index.ts": _BARREL, "lib/queue/send.ts": _SEND, "lib/queue/purge.ts": _PURGE,
             "lib/queue/config.ts": _CONFIG,
             "handlers/create.ts": f"import {{ notify }} from '{specifier}';\n"
                                   "export const handler = async (event: any) => notify(event.body);\n"}
    code = run(write(tmp_path, files), "handlers/create.ts")
    assert _sdk(code) == {"SendMessage"}  # the barrel's other module (PurgeQueue) is not bundled
    assert specifier.split("/", maxsplit=1)[0] not in code.imports  # not a dependency
    assert "lib/queue/send.ts" in code.files


def test_a_barrel_brings_only_the_modules_of_the_names_asked(tmp_path: Path) -> None:
    files = {"lib/index.ts": _BARREL, "lib/send.ts": _SEND, "lib/purge.ts": _PURGE, "lib/config.ts": _CONFIG,
             "list.ts": "import { queueUrl } from './lib';\nexport const handler = async () => queueUrl();\n",
             "all.ts": "import * as q from './lib';\nexport const handler = async () => q.queueUrl();\n",
             "purge.ts": "import { purgeAll } from './lib/index';\nexport const handler = async () => purgeAll();\n"}
    root = write(tmp_path, files)
    assert _sdk(run(root, "list.ts")) == set()
    assert _sdk(run(root, "all.ts")) == {"SendMessage", "PurgeQueue"}  # a namespace import takes everything
    assert _sdk(run(root, "purge.ts")) == {"PurgeQueue"}


def test_aliases_never_leave_the_scanned_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"send.ts": _SEND})
    root = tmp_path / "app"
    write(root, {"tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@x/*": ["../outside/*"]}}}',
                 "a.ts": "import { notify } from '@x/send';\nexport const handler = async () => notify('');\n"})
    code = run(root, "a.ts")
    assert _sdk(code) == set()
    assert all(not f.startswith("..") for f in code.files)


def test_sibling_handlers_of_one_package_do_not_share_modules(tmp_path: Path) -> None:
    root = write(tmp_path, {"lib/send.ts": _SEND,
                            "create.ts": "import { notify } from './lib/send';\n"
                                         "export const handler = async () => notify('x');\n",
                            "list.ts": "export const handler = async () => ({});\n"})
    assert _sdk(run(root, "create.ts")) == {"SendMessage"}
    assert _sdk(run(root, "list.ts")) == set()


def test_every_star_export_of_a_barrel_is_searched(tmp_path: Path) -> None:
    root = write(tmp_path, {"lib/index.ts": "export * from './send';\nexport * from './purge';\n",
                            "lib/send.ts": _SEND, "lib/purge.ts": _PURGE,
                            "a.ts": "import { purgeAll } from './lib';\n"
                                    "export const handler = async (event: any) => purgeAll();\n"})
    code = run(root, "a.ts")
    assert _sdk(code) == {"PurgeQueue"}  # found in the second star export, and the first module not bundled
    assert "lib/send.ts" not in code.files


_MIDDLEWARE = ("exports.errorBody = () => ({\n"
               "  onError: async (request) => { request.response = { statusCode: 500, body: request.error.stack }; },\n"
               "});\n"
               "exports.generic = () => {\n"
               "  const onError = async (request) => {\n"
               "    request.response = { statusCode: 500, body: request.event.body ? 'bad request' : 'error' };\n"
               "  };\n"
               "  return { onError };\n"
               "};\n")


@pytest.mark.parametrize(("use", "where"), [
    (".use(errorBody())", ("lib/mw.js", 2)),
    (".use(jsonBodyParser()).use(errorBody())", ("lib/mw.js", 2)),
    (".use(generic())", None),  # reads the request, not the error
    (".use({ onError(request) {\n  request.response = { body: String(request.error) };\n} })", ("a.js", 6)),
    (".use(local)", ("a.js", 4)),
])
def test_error_bodies_of_middy_middlewares(tmp_path: Path, use: str, where: tuple[str, int] | None) -> None:
    text = ("const middy = require('@middy/core');\nconst { errorBody, generic } = require('./lib/mw');\n"
            "const local = { onError: async (request) => {\n"
            "  request.response = { statusCode: 500, body: request.error.message }; } };\n"
            f"module.exports.handler = middy(async (event) => ({{ statusCode: 200 }})){use};\n")
    code = run(write(tmp_path, {"lib/mw.js": _MIDDLEWARE, "a.js": text}), "a.js")
    found = [(i.location.path, i.location.line) for i in code.issues if i.kind is IssueKind.ERROR_LEAK]
    assert found == ([where] if where else [])
