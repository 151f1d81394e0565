"""What the JavaScript taint analysis knows about library calls: sinks, sanitizers and propagators, as data.

Names are qualified the way the analyzer resolves them through ``require`` / ``import``: the module as
imported (``node:`` and ``/promises`` dropped, so ``fs.readFile`` covers ``fs/promises``), then the members
(``child_process.exec``, ``axios.get``, ``lodash.template``); globals are written bare (``eval``, ``fetch``).
"""

from __future__ import annotations

from remit.code.facts import SinkKind
from remit.code.sinkspec import EVERY, LAST, Arg, Chain, Option, Sink

ALL = "*"  # a sanitizer that clears every sink kind
PERSIST = "persistence"  # engine-internal sink: event data kept across invocations

# --- commands -----------------------------------------------------------------------------------------
SHELL = frozenset({"child_process.exec", "child_process.execSync", "shelljs.exec", "execa.command",
                   "execa.commandSync", "execa.execaCommand", "execa.execaCommandSync"})
SPAWN = frozenset({"child_process.spawn", "child_process.spawnSync", "child_process.execFile",
                   "child_process.execFileSync", "child_process.fork", "execa", "execa.execa", "execa.sync",
                   "cross-spawn", "cross-spawn.sync"})

#: wrappers that return the function they are given, promise-returning (``util.promisify(exec)``)
PROMISIFY = frozenset({"util.promisify", "bluebird.promisify", "es6-promisify.promisify", "pify"})

# --- code ---------------------------------------------------------------------------------------------
CODE = frozenset({"eval", "Function", "new Function", "vm.runInNewContext", "vm.runInThisContext",
                  "vm.runInContext", "vm.compileFunction", "new vm.Script", "vm.Script", "setTimeout",
                  "setInterval", "vm2.VM.run", "notevil", "safe-eval", "static-eval"})
STRING_ONLY_CODE = frozenset({"setTimeout", "setInterval"})  # only a string first argument is code

# --- SQL ----------------------------------------------------------------------------------------------
SQL_METHODS = frozenset({"query", "execute", "raw", "$queryRawUnsafe", "$executeRawUnsafe", "unsafe",
                         "whereRaw", "joinRaw", "orderByRaw", "havingRaw"})
SQL_OBJECT_KEYS = ("sql", "text")  # mysql / pg query objects
STATEMENT_KEYS = ("Statement", "sql", "QueryString")  # PartiQL, RDS Data API, Athena
STATEMENT_OPERATIONS = frozenset({"executeStatement", "ExecuteStatementCommand", "startQueryExecution",
                                  "StartQueryExecutionCommand", "executeTransaction"})

# --- DynamoDB expressions -------------------------------------------------------------------------------
DYNAMO_OPERATIONS = frozenset({
    "query", "scan", "update", "delete", "put", "get", "updateItem", "putItem", "deleteItem", "getItem",
    "QueryCommand", "ScanCommand", "UpdateCommand", "DeleteCommand", "PutCommand", "GetCommand",
    "UpdateItemCommand", "PutItemCommand", "DeleteItemCommand", "GetItemCommand",
})
DYNAMO_EXPRESSIONS = ("FilterExpression", "KeyConditionExpression", "ConditionExpression", "UpdateExpression",
                      "ProjectionExpression")

# --- files ------------------------------------------------------------------------------------------
_FS = ("readFile", "readFileSync", "writeFile", "writeFileSync", "appendFile", "appendFileSync",
       "createReadStream", "createWriteStream", "unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync",
       "readdir", "readdirSync", "open", "openSync", "stat", "statSync", "lstat", "access", "accessSync",
       "mkdir", "mkdirSync", "copyFile", "copyFileSync", "rename", "renameSync", "cp", "cpSync",
       "truncate", "chmod", "chmodSync", "symlink", "existsSync", "opendir", "readlink", "realpath")
PATH_FUNCTIONS = frozenset({f"{m}.{name}" for m in ("fs", "fs-extra", "graceful-fs") for name in _FS}
                           | {"fs-extra.outputFile", "fs-extra.remove", "fs-extra.readJson", "fs-extra.copy",
                              "fs-extra.move", "fs-extra.outputFileSync", "fs-extra.readJsonSync"})
PATH_TWO = frozenset({"copyFile", "copyFileSync", "rename", "renameSync", "cp", "cpSync", "symlink", "copy",
                      "move"})
REMOVERS = frozenset({"unlink", "unlinkSync", "rm", "rmSync", "remove", "removeSync"})  # fs, fs/promises, fs-extra
WRITES = frozenset({"writeFile", "writeFileSync", "appendFile", "appendFileSync", "createWriteStream",
                    "outputFile", "outputFileSync"})

# --- network ---------------------------------------------------------------------------------------
_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
SSRF_URL_FIRST = frozenset(
    {"fetch", "node-fetch", "cross-fetch", "isomorphic-fetch", "undici.fetch", "undici.request", "axios",
     "got", "request", "superagent", "http.get", "http.request", "https.get", "https.request", "needle",
     "phin", "bent", "ky", "wreck.request"}
    | {f"{client}.{verb}" for client in ("axios", "got", "request", "superagent", "ky", "needle", "wreck")
       for verb in _VERBS})
SSRF_CONFIG_KEYS = ("url", "baseURL", "uri", "host", "hostname")

# --- deserialization ----------------------------------------------------------------------------------
DESERIALIZE = frozenset({"node-serialize.unserialize", "serialize-to-js.deserialize", "funcster.deepDeserialize",
                         "cryo.parse", "serialize-javascript.deserialize"})
JS_YAML = frozenset({"js-yaml.load", "js-yaml.loadAll"})

# --- XML ----------------------------------------------------------------------------------------------
XML_PARSE = frozenset({f"{m}.{f}" for m in ("libxmljs", "libxmljs2") for f in ("parseXml", "parseXmlString",
                                                                                "parseXmlAsync")})

# --- templates ----------------------------------------------------------------------------------------
TEMPLATES = frozenset({"lodash.template", "underscore.template", "ejs.render", "ejs.compile", "pug.compile",
                       "pug.render", "jade.compile", "jade.render", "handlebars.compile", "nunjucks.renderString",
                       "dot.template", "dot.compile", "velocityjs.render", "hogan.js.compile", "eta.render",
                       "squirrelly.render"})

# --- responses ----------------------------------------------------------------------------------------
REDIRECT_METHODS = frozenset({"redirect"})  # express-style res.redirect(url)

# --- JSON Web Tokens ----------------------------------------------------------------------------------
JWT_MODULES = frozenset({"jsonwebtoken", "jose", "jwt-decode", "jws", "njwt", "jwt-simple"})
JWT_DECODERS = frozenset({"jsonwebtoken.decode", "jwt-decode", "jwt-decode.default", "jwt-decode.jwtDecode",
                          "jose.decodeJwt", "jws.decode"})

# --- sinks: what each call is, in the order the matcher (remit.code.javascript.sinks) tries them --------
# Callees are matched without ``new`` (``new Function(...)`` is ``Function``). An ``Arg`` with names takes those
# properties when the argument is an options object (``axios({url})``), the argument itself otherwise.
_SQL = SinkKind.SQL.value
_NOSQL = SinkKind.NOSQL.value
_PATH = SinkKind.PATH.value
_FUNCTION = frozenset({"Function", "new Function"})
PATH_TWO_FUNCTIONS = frozenset(f for f in PATH_FUNCTIONS if f.rsplit(".", 1)[-1] in PATH_TWO)
#: file writes whose path under /tmp keeps event data for the next invocation (unless removed in this one)
TMP_WRITES = frozenset(f for f in PATH_FUNCTIONS if f.rsplit(".", 1)[-1] in WRITES)

#: commands, code and SQL statements: the first entry whose callee fits a call takes it (remit.code.sinkspec)
RUNS: Chain = (
    Sink(SinkKind.COMMAND.value, callees=SHELL),
    Sink(SinkKind.COMMAND.value, "{callee}({note})", callees=SPAWN, option=Option.SHELL_PROPERTY, keyword="shell"),
    Sink(SinkKind.CODE.value, callees=STRING_ONLY_CODE, option=Option.STRING_CODE, builtin=True),
    Sink(SinkKind.CODE.value, "new Function", callees=_FUNCTION, args=EVERY, builtin=True),
    Sink(SinkKind.CODE.value, callees=CODE - STRING_ONLY_CODE - _FUNCTION, builtin=True),
    Sink(_SQL, "{operation}(Statement)", operations=STATEMENT_OPERATIONS, options_object=True,
         args=(Arg(0, STATEMENT_KEYS),)),
    Sink(_SQL, "{method}()", methods=SQL_METHODS, args=(Arg(0, SQL_OBJECT_KEYS),), option=Option.SQL_TEXT,
         min_args=1),
)
#: DynamoDB expressions in the parameters object, one hit per expression given
EXPRESSIONS: Chain = (
    Sink(_NOSQL, "{operation}({keyword})", operations=DYNAMO_OPERATIONS, options_object=True,
         args=(Arg(0, DYNAMO_EXPRESSIONS),), each_name=True),
    Sink(_NOSQL, "{operation}({keyword})", methods=DYNAMO_OPERATIONS, options_object=True,
         args=(Arg(0, DYNAMO_EXPRESSIONS),), each_name=True),
)
#: files, network, deserialization, XML, templates, responses
READS: Chain = (
    Sink(_PATH, callees=PATH_TWO_FUNCTIONS, args=(Arg(0), Arg(1))),
    Sink(_PATH, callees=PATH_FUNCTIONS - PATH_TWO_FUNCTIONS),
    Sink(SinkKind.SSRF.value, callees=SSRF_URL_FIRST, args=(Arg(0, SSRF_CONFIG_KEYS),)),
    Sink(SinkKind.DESERIALIZATION.value, callees=DESERIALIZE),
    Sink(SinkKind.DESERIALIZATION.value, "{callee} (js-yaml < 4 runs !!js/function)", callees=JS_YAML,
         option=Option.UNSAFE_YAML, keyword="DEFAULT_FULL_SCHEMA"),
    Sink(SinkKind.XXE.value, "{callee}(noent: true)", callees=XML_PARSE, option=Option.ENTITIES_OPTION,
         keyword="noent"),
    Sink(SinkKind.TEMPLATE.value, callees=TEMPLATES),
    Sink(SinkKind.REDIRECT.value, "{method}()", methods=REDIRECT_METHODS, args=(Arg(LAST),), min_args=1),
    Sink(SinkKind.REDIRECT.value, "Location header", methods=frozenset({"setHeader", "header", "set"}),
         args=(Arg(1),), option=Option.FIRST_LITERAL, keyword="location", min_args=2),
)
SINKS: tuple[Chain, ...] = (RUNS, EXPRESSIONS, READS)

# --- sanitizers: call -> the sink kinds it makes the value safe for -----------------------------------
_EVERYTHING = frozenset({ALL})
SANITIZERS: dict[str, frozenset[str]] = {
    **dict.fromkeys((
        "parseInt", "parseFloat", "Number", "Boolean", "Number.parseInt", "Number.parseFloat", "Math.floor",
        "Math.round", "Math.ceil", "Math.abs", "Math.min", "Math.max", "Math.trunc", "isNaN", "Number.isInteger",
        "Number.isFinite", "Array.isArray", "crypto.createHash", "crypto.createHmac", "crypto.randomUUID",
        "uuid.validate", "uuid.v4", "Date.parse", "BigInt", "validator.toInt", "validator.toFloat",
        "validator.toBoolean", "validator.isUUID", "validator.isEmail", "validator.isInt", "validator.isNumeric"),
        _EVERYTHING),
    "path.basename": frozenset({SinkKind.PATH.value, SinkKind.COMMAND.value}),
    "sanitize-filename": frozenset({SinkKind.PATH.value, SinkKind.COMMAND.value}),
    "shell-quote.quote": frozenset({SinkKind.COMMAND.value}),
    "shell-escape": frozenset({SinkKind.COMMAND.value}),
    "shescape.quote": frozenset({SinkKind.COMMAND.value}),
    "encodeURIComponent": frozenset({SinkKind.SSRF.value, SinkKind.REDIRECT.value, SinkKind.XSS.value,
                                     SinkKind.PATH.value}),
    "escape-html": frozenset({SinkKind.XSS.value}),
    "he.encode": frozenset({SinkKind.XSS.value}),
    "he.escape": frozenset({SinkKind.XSS.value}),
    "lodash.escape": frozenset({SinkKind.XSS.value}),
    "validator.escape": frozenset({SinkKind.XSS.value}),
    "xss": frozenset({SinkKind.XSS.value}),
    "dompurify.sanitize": frozenset({SinkKind.XSS.value}),
    "sanitize-html": frozenset({SinkKind.XSS.value}),
    "mysql.escape": frozenset({SinkKind.SQL.value}),
    "mysql2.escape": frozenset({SinkKind.SQL.value}),
    "sqlstring.escape": frozenset({SinkKind.SQL.value}),
    "pg-format": frozenset({SinkKind.SQL.value}),
}
#: methods whose result carries no attacker data
NON_PROPAGATING_METHODS = frozenset({
    "includes", "startsWith", "endsWith", "indexOf", "lastIndexOf", "test", "has", "some", "every", "findIndex",
    "localeCompare", "getTime", "valueOf", "length", "isArray", "hasOwnProperty", "digest", "toFixed",
})
#: methods of an untainted object that still carry their arguments into the result
ARGUMENT_METHODS = frozenset({"concat", "join", "replace", "replaceAll", "format", "stringify", "parse", "from",
                              "resolve", "normalize", "assign", "merge", "push", "apply", "call", "fromEntries",
                              "entries", "values", "keys", "toString", "decode", "encode", "fill", "of",
                              "defaults", "defaultsDeep", "set", "get", "extend", "clone", "cloneDeep", "pick",
                              "template", "sprintf", "unescape", "decodeURIComponent", "decodeURI", "dirname",
                              "relative", "toLowerCase", "toUpperCase", "trim"})
#: objects whose methods compute from their arguments (``JSON.parse``, ``path.join``, ``Buffer.from``)
GLOBAL_OBJECTS = frozenset({"JSON", "Buffer", "Object", "Array", "String", "path", "querystring", "url", "util",
                            "URL", "URLSearchParams", "Promise", "Reflect", "qs", "lodash", "_", "Math"})
#: calls that never carry attacker data out (logging, timers)
OPAQUE = frozenset({"console", "logger", "log", "Date", "crypto.randomBytes", "uuid"})
