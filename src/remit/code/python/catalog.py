"""What the Python taint analysis knows about library calls: sinks, sanitizers and propagators, as data.

Names are qualified the way the analyzer resolves them through imports (``subprocess.run``,
``yaml.load``, ``requests.Session.get`` for a method of an object made by ``requests.Session()``); builtins
are written bare (``open``, ``eval``). Methods on objects the analyzer cannot type (a database cursor, a
boto3 client) are matched by method name only where the name is distinctive (``execute``,
``execute_statement``).
"""

from __future__ import annotations

from remit.code.facts import SinkKind
from remit.code.sinkspec import EVERY, NO_INDEX, RECEIVER, Arg, Chain, Option, Sink

ALL = "*"  # a sanitizer that clears every sink kind
PERSIST = "persistence"  # engine-internal sink: event data kept across invocations

# --- commands ---------------------------------------------------------------------------------------
SHELL_ALWAYS = frozenset({
    "os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "commands.getoutput",
    "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput", "pty.spawn",
    "asyncio.create_subprocess_shell", "popen2.popen2", "popen2.popen3",
})
EXEC_FAMILY_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn")
SUBPROCESS = frozenset({
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
    "asyncio.create_subprocess_exec",
})

# --- code ---------------------------------------------------------------------------------------------
CODE = frozenset({"eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile"})

# --- SQL --------------------------------------------------------------------------------------------
SQL_METHODS = frozenset({"execute", "executemany", "executescript", "mogrify", "raw"})
#: SQL only with a positional statement (sqlite-utils ``db.query(sql)``, SQLAlchemy ``session.query`` takes a model,
#: never a string); boto3's DynamoDB ``query`` takes keyword arguments only
SQL_POSITIONAL_METHODS = frozenset({"query"})
SQL_FUNCTIONS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "pandas.read_sql", "pandas.read_sql_query"})
PARTIQL_METHODS = {  # method -> the keyword holding the statement
    "execute_statement": ("Statement", "sql", "Sql"),
    "batch_execute_statement": ("Statement", "sql", "Sql"),
    "start_query_execution": ("QueryString",),
    "batch_execute_statement_v2": ("Statement",),
}
SQL_SAFE = frozenset({"psycopg2.sql.Identifier", "psycopg2.sql.Literal", "psycopg.sql.Identifier",
                      "psycopg.sql.Literal", "sql.Identifier", "sql.Literal"})

# --- DynamoDB expressions -------------------------------------------------------------------------------
DYNAMO_METHODS = frozenset({"scan", "query", "update_item", "delete_item", "put_item", "get_item"})
DYNAMO_EXPRESSIONS = ("FilterExpression", "KeyConditionExpression", "ConditionExpression", "UpdateExpression",
                      "ProjectionExpression")

# --- files ------------------------------------------------------------------------------------------
OPEN = frozenset({"open", "io.open", "codecs.open", "builtins.open"})
REMOVERS = frozenset({"os.remove", "os.unlink", "shutil.rmtree"})  # a /tmp file removed in the invocation
PATH_FUNCTIONS = frozenset({
    "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.listdir", "os.scandir", "os.rename", "os.replace",
    "os.chmod", "os.truncate", "shutil.rmtree", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move",
    "shutil.copytree", "flask.send_file", "flask.send_from_directory", "tarfile.open", "zipfile.ZipFile",
})
PATH_METHODS_ON_PATH = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink",
                                  "rmdir", "iterdir", "rename", "touch"})
TMP_DOWNLOADS = frozenset({"download_file"})  # boto3 s3.download_file(Bucket, Key, Filename)

# --- network ---------------------------------------------------------------------------------------
_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "stream")
HTTP_CLIENTS = ("requests", "requests.Session", "requests.session", "httpx", "httpx.Client", "httpx.AsyncClient",
                "aiohttp.ClientSession")
#: Request objects built to be sent later (``urlopen(Request(url, data=body))``): only where they go decides SSRF,
#: so the object carries the taint of its URL alone (index of the positional URL, its keyword).
REQUEST_OBJECTS = {"urllib.request.Request": (0, "url"), "urllib2.Request": (0, "url"),
                   "requests.Request": (1, "url"), "requests.models.Request": (1, "url")}
SSRF_URL_FIRST = frozenset(
    {f"{client}.{verb}" for client in HTTP_CLIENTS for verb in _VERBS}
    | {"urllib.request.urlopen", "urllib.request.Request", "urllib.request.urlretrieve", "urllib2.urlopen",
       "http.client.HTTPConnection", "http.client.HTTPSConnection", "httplib2.Http.request"})
SSRF_URL_SECOND = frozenset(
    {f"{client}.request" for client in HTTP_CLIENTS}
    | {"urllib3.request", "urllib3.PoolManager.request", "urllib3.PoolManager.urlopen"})

# --- deserialization ----------------------------------------------------------------------------------
DESERIALIZE = frozenset({
    "pickle.loads", "pickle.load", "pickle.Unpickler", "_pickle.loads", "cPickle.loads", "dill.loads", "dill.load",
    "marshal.loads", "marshal.load", "shelve.open", "jsonpickle.decode", "jsonpickle.loads", "pandas.read_pickle",
    "yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load", "yaml.full_load_all",
})
YAML_LOAD = frozenset({"yaml.load", "yaml.load_all"})
YAML_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})

# --- XML ----------------------------------------------------------------------------------------------
LXML_PARSE = frozenset({"lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.parse", "lxml.etree.iterparse",
                        "lxml.objectify.fromstring", "lxml.objectify.parse"})
LXML_PARSER = frozenset({"lxml.etree.XMLParser", "lxml.objectify.makeparser"})
XMLTODICT = "xmltodict.parse"

# --- templates ----------------------------------------------------------------------------------------
TEMPLATES = frozenset({"jinja2.Template", "jinja2.Environment.from_string", "jinja2.environment.Template",
                       "flask.render_template_string", "mako.template.Template", "django.template.Template",
                       "jinja2.sandbox.SandboxedEnvironment.from_string"})
SANDBOXED = frozenset({"jinja2.sandbox.SandboxedEnvironment.from_string"})

# --- responses ----------------------------------------------------------------------------------------
REDIRECTS = frozenset({"flask.redirect", "django.shortcuts.redirect", "django.http.HttpResponseRedirect",
                       "werkzeug.utils.redirect", "starlette.responses.RedirectResponse",
                       "fastapi.responses.RedirectResponse"})
XSS_FUNCTIONS = frozenset({"markupsafe.Markup", "flask.Markup", "django.utils.safestring.mark_safe",
                           "django.http.HttpResponse", "fastapi.responses.HTMLResponse",
                           "starlette.responses.HTMLResponse"})

# --- exception text ------------------------------------------------------------------------------------
TRACEBACKS = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                        "traceback.format_exception_only", "sys.exc_info"})

# --- sinks: what each call is, in the order the matcher (remit.code.python.sinks) tries them -----------
_COMMAND = SinkKind.COMMAND.value
_SQL = SinkKind.SQL.value
_SQL_TEXT = (Arg(0, ("sql", "query", "operation", "statement")),)
_PARTIQL = "{method}(PartiQL)"

#: library calls: the first entry whose callee fits a call takes it (see remit.code.sinkspec)
SINKS: Chain = (
    # commands
    Sink(_COMMAND, callees=SHELL_ALWAYS - {"pty.spawn"}, args=(Arg(0, ("cmd", "command")),)),
    Sink(_COMMAND, callees=frozenset({"pty.spawn"}), prefixes=EXEC_FAMILY_PREFIXES, args=EVERY),
    Sink(_COMMAND, "{callee}({note})", callees=SUBPROCESS - {"asyncio.create_subprocess_exec"},
         args=(Arg(0, ("args",)),), option=Option.SHELL_KEYWORD, keyword="shell"),
    Sink(_COMMAND, "{callee}({note})", callees=frozenset({"asyncio.create_subprocess_exec"}),
         args=(Arg(0, ("args",)),), option=Option.SHELL_KEYWORD, keyword="shell", lists_only=True),
    # code
    Sink(SinkKind.CODE.value, callees=CODE, args=(Arg(0, ("source",)),), builtin=True),
    # SQL / PartiQL: the statement is a keyword argument of the boto3 call
    Sink(_SQL, "{method}", methods=frozenset({"execute_statement", "batch_execute_statement"}),
         args=(Arg(NO_INDEX, ("Statement", "sql", "Sql")),), label_with=("Statement", _PARTIQL)),
    Sink(_SQL, "{method}", methods=frozenset({"start_query_execution"}), args=(Arg(NO_INDEX, ("QueryString",)),),
         label_with=("Statement", _PARTIQL)),
    Sink(_SQL, "{method}", methods=frozenset({"batch_execute_statement_v2"}), args=(Arg(NO_INDEX, ("Statement",)),),
         label_with=("Statement", _PARTIQL)),
    Sink(_SQL, "{method}()", methods=SQL_METHODS, args=_SQL_TEXT),
    Sink(_SQL, callees=SQL_FUNCTIONS, args=_SQL_TEXT),
    Sink(_SQL, "{method}()", methods=SQL_POSITIONAL_METHODS, args=_SQL_TEXT, min_args=1),
    # DynamoDB expressions: one hit per expression keyword given
    Sink(SinkKind.NOSQL.value, "{method}({keyword}=...)", methods=DYNAMO_METHODS,
         args=(Arg(NO_INDEX, DYNAMO_EXPRESSIONS),), each_name=True),
    # files
    Sink(SinkKind.PATH.value, callees=OPEN, args=(Arg(0, ("file",)),)),
    Sink(SinkKind.PATH.value, callees=PATH_FUNCTIONS, args=(Arg(0, ("src", "path")), Arg(1, ("dst",)))),
    Sink(SinkKind.PATH.value, "Path.{method}", prefixes=("pathlib.Path.",), methods=PATH_METHODS_ON_PATH,
         args=(Arg(RECEIVER),)),
    Sink(PERSIST, "{method} to /tmp", methods=TMP_DOWNLOADS, args=(Arg(1), Arg(2)), min_args=3,
         option=Option.TMP_PATH),
    # network
    Sink(SinkKind.SSRF.value, callees=SSRF_URL_FIRST, args=(Arg(0, ("url", "host")),)),
    Sink(SinkKind.SSRF.value, callees=SSRF_URL_SECOND, args=(Arg(1, ("url",)),)),
    # deserialization
    Sink(SinkKind.DESERIALIZATION.value, callees=DESERIALIZE, args=(Arg(0, ("data", "stream", "string")),)),
    Sink(SinkKind.DESERIALIZATION.value, "{callee}(Loader={note})", callees=YAML_LOAD, args=(Arg(0, ("stream",)),),
         option=Option.UNSAFE_YAML, keyword="Loader"),
    # XML
    Sink(SinkKind.XXE.value, "{callee} {note}", callees=LXML_PARSE, args=(Arg(0, ("text", "source")),),
         option=Option.XML_PARSER, keyword="parser"),
    Sink(SinkKind.XXE.value, "{callee}(disable_entities=False)", callees=frozenset({XMLTODICT}),
         args=(Arg(0, ("xml_input",)),), option=Option.KEYWORD_FALSE, keyword="disable_entities"),
    # templates
    Sink(SinkKind.TEMPLATE.value, callees=TEMPLATES - SANDBOXED, args=(Arg(0, ("source", "text")),)),
    # responses
    Sink(SinkKind.REDIRECT.value, callees=REDIRECTS, args=(Arg(0, ("location", "url")),)),
    Sink(SinkKind.XSS.value, callees=XSS_FUNCTIONS, args=(Arg(0, ("content",)),)),
)

# --- sanitizers: call -> the sink kinds it makes the value safe for -----------------------------------
SANITIZERS: dict[str, frozenset[str]] = {
    **{name: frozenset({ALL}) for name in (
        "int", "float", "bool", "len", "abs", "round", "hash", "ord", "chr", "uuid.UUID", "decimal.Decimal",
        "ipaddress.ip_address", "ipaddress.ip_network", "datetime.date.fromisoformat",
        "datetime.datetime.fromisoformat", "hashlib.sha256", "hashlib.sha1", "hashlib.md5", "hashlib.sha512",
        "hmac.new", "hmac.compare_digest", "isinstance", "secrets.compare_digest", "str.isdigit")},
    "shlex.quote": frozenset({SinkKind.COMMAND.value}),
    "pipes.quote": frozenset({SinkKind.COMMAND.value}),
    "os.path.basename": frozenset({SinkKind.PATH.value}),
    "werkzeug.utils.secure_filename": frozenset({SinkKind.PATH.value, SinkKind.COMMAND.value}),
    "html.escape": frozenset({SinkKind.XSS.value}),
    "markupsafe.escape": frozenset({SinkKind.XSS.value}),
    "flask.escape": frozenset({SinkKind.XSS.value}),
    "bleach.clean": frozenset({SinkKind.XSS.value}),
    "cgi.escape": frozenset({SinkKind.XSS.value}),
    "urllib.parse.quote": frozenset({SinkKind.XSS.value, SinkKind.REDIRECT.value}),
    "urllib.parse.quote_plus": frozenset({SinkKind.XSS.value, SinkKind.REDIRECT.value, SinkKind.COMMAND.value}),
    **{name: frozenset({SinkKind.SQL.value}) for name in SQL_SAFE},
}
#: methods of a tainted string whose result carries no attacker data
NON_PROPAGATING_METHODS = frozenset({
    "isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal", "isidentifier", "islower", "isupper", "isspace",
    "startswith", "endswith", "count", "find", "rfind", "index", "rindex", "__len__", "exists", "is_file",
    "is_dir", "hexdigest", "digest",
})
#: methods of an untainted object that still carry their arguments into the result
ARGUMENT_METHODS = frozenset({"format", "format_map", "join", "replace", "encode", "decode", "strip", "lstrip",
                              "rstrip", "lower", "upper", "get", "setdefault", "copy", "loads", "dumps"})
#: calls that never carry attacker data out (SDK and logging calls return service data)
OPAQUE_PREFIXES = ("boto3.", "botocore.", "logging.", "logger.", "time.", "random.", "secrets.token")
