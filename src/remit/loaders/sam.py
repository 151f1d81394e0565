"""SAM -> CloudFormation, offline, with every generated resource traced back to what the author wrote.

aws-sam-translator does the expansion (Globals, events, policy templates, function URLs, implicit APIs...).
Around it remit:

* swaps local paths (``CodeUri``, ``ContentUri``, ``DefinitionUri``, ``ImageUri``) for placeholders the
  translator accepts, keeping the real paths (they are where the code lives); a local OpenAPI
  ``DefinitionUri`` inside the scanned root is read and inlined, so its routes are analysed;
* turns ``AWS::Serverless::Application`` into the nested stack it stands for itself, because the translator
  would ask the Serverless Application Repository over the network;
* tags each resource with its logical id (``Metadata``, which the translator passes to what it generates), and
  derives an :class:`~remit.model.resources.Origin` for every output resource;
* when the translator rejects the template, says why and translates resource by resource, so one bad
  resource does not hide the rest.

Importing this module is cheap; the translator (and boto3 under it) is imported on first use.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.documents import PLACEHOLDER_BUCKET, Document, Expanded, is_local
from remit.errors import LoadError
from remit.loaders import sam_native, translation_cache
from remit.loaders.cloudformation import parse, read_text
from remit.loaders.discover import InputFile
from remit.loaders.sam_native.common import clone
from remit.model.resources import Origin
from remit.source import Path as KeyPath

ORIGIN_KEY = "RemitSource"
_SAM_PREFIX = "AWS::Serverless::"
_LOCAL_PATH_PROPS = {
    "AWS::Serverless::Function": ("CodeUri", "ImageUri"),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::GraphQLApi": ("SchemaUri",),
}
_GLOBALS_SECTION = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
}
_ROLE_POLICY = re.compile(r"RolePolicy(\d+)$")


@functools.cache
def _session() -> Any:
    """One boto3 session for every translation (building one costs ~30 ms)."""
    logging.getLogger("samtranslator").setLevel(logging.CRITICAL)
    import boto3  # type: ignore[import-untyped]  # heavy; only when a SAM template is in play
    import samtranslator.translator.translator as module
    from samtranslator.plugins.policies.policy_templates_plugin import (
        PolicyTemplatesForResourcePlugin,
    )
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor
    # Every translate() builds its policy-template plugin anew, validating the translator's own bundled policy
    # templates against their JSON schema: ~60 ms, two thirds of a translation. The data never changes, so the
    # (read-only) processor is built once and the plugin made around it.
    if callable(getattr(module, "make_policy_template_for_function_plugin", None)):
        processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
        module.make_policy_template_for_function_plugin = lambda: PolicyTemplatesForResourcePlugin(processor)
    _edit_routes_in_place()
    return boto3.session.Session(region_name="us-east-1")  # a region only; no credentials are read


class _InPlace(threading.local):
    active = False

    def __init__(self) -> None:
        self.validated: list[Any] = []  # the OpenAPI `paths` objects already checked in this translation


_IN_PLACE = _InPlace()

# The translator's methods that add one event's route to an API's OpenAPI document: (module, class, method).
_ROUTE_EDITS = (
    ("samtranslator.plugins.api.implicit_api_plugin", "ImplicitApiPlugin", "_add_api_to_swagger"),
    ("samtranslator.model.eventsources.push", "Api", "_add_swagger_integration"),
    ("samtranslator.model.eventsources.push", "HttpApi", "_add_openapi_integration"),
    ("samtranslator.model.stepfunctions.events", "Api", "_add_swagger_integration"),
)


def _edit_routes_in_place() -> None:
    """Make the translator add each event's route to a large API document in place.

    For every ``Api``/``HttpApi`` event the translator opens an editor on the API's whole OpenAPI document,
    which deep-copies it on the way in and again on the way out, then stores the copy back where the original
    was. With one route per function that is quadratic in the number of functions (a 1,000-function app spent
    95 % of its scan there). Inside those per-event methods only, and only for a document of at least
    ``IN_PLACE_MIN_PATHS`` paths, the copies are skipped: the document is edited where it lies and stored back
    where it already is. These methods edit only documents SAM made and manages itself (an author's own
    ``DefinitionBody`` is never edited per event), and a rejected event fails the whole translation either way,
    after which remit retranslates from a fresh copy of the author's template.

    The one visible difference: the translator emulates Python 2.7 dict order, which each copy reshuffles, so
    in a large document the order of the paths and the hash suffix of the generated ``...Deployment<hash>`` (a
    digest of the document's text) can differ from an unpatched translation. Nothing else does; documents
    below the threshold (nearly every real API) are translated exactly as before."""
    editors = [importlib.import_module(name) for name in ("samtranslator.swagger.swagger",
                                                          "samtranslator.open_api.open_api")]
    for editor in editors:
        copy_doc = getattr(editor, "_deepcopy", None)
        if not callable(copy_doc) or getattr(copy_doc, "remit_in_place", False):
            return  # another translator version, or done already
    for editor in editors:
        editor._deepcopy = _copy_unless_in_place(editor._deepcopy)  # type: ignore[attr-defined]  # checked above
    swagger = getattr(editors[0], "SwaggerEditor", None)
    if callable(getattr(swagger, "iter_on_path", None)):
        swagger.iter_on_path = _check_paths_once(swagger.iter_on_path)  # type: ignore[union-attr]  # checked above
    for module_name, class_name, method_name in _ROUTE_EDITS:
        owner = getattr(importlib.import_module(module_name), class_name, None)
        method = getattr(owner, method_name, None)
        if callable(method):
            setattr(owner, method_name, _in_place(method))


IN_PLACE_MIN_PATHS = 64


def _large(doc: Any) -> bool:
    paths = doc.get("paths") if isinstance(doc, dict) else None
    return isinstance(paths, dict) and len(paths) >= IN_PLACE_MIN_PATHS


def _copy_unless_in_place(copy_doc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def maybe_copy(doc: Any) -> Any:
        return doc if _IN_PLACE.active and _large(doc) else copy_doc(doc)

    maybe_copy.remit_in_place = True  # type: ignore[attr-defined]  # a mark: patched once per process
    return maybe_copy


def _check_paths_once(iter_on_path: Callable[[Any], Iterator[str]]) -> Callable[[Any], Iterator[str]]:
    """A Swagger editor checks that every path item of its document is a mapping when it opens it: once per
    route edit, that is quadratic too. Inside a route edit (where the only caller is that check) a large
    document already checked in this translation is not walked again: it is edited in place, and what the
    edits add are mappings by construction."""
    def paths(editor: Any) -> Iterator[str]:
        if _IN_PLACE.active and len(editor.paths) >= IN_PLACE_MIN_PATHS:
            if any(done is editor.paths for done in _IN_PLACE.validated):
                return iter(())
            _IN_PLACE.validated.append(editor.paths)
        return iter_on_path(editor)

    return paths


def _in_place(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def edit(*args: Any, **kwargs: Any) -> Any:
        outer = _IN_PLACE.active
        _IN_PLACE.active = True
        try:
            return method(*args, **kwargs)
        finally:
            _IN_PLACE.active = outer

    return edit


def _translator() -> Any:
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    session = _session()
    return Translator(managed_policy_map=None, sam_parser=Parser(), boto_session=session)


def _error_text(exc: BaseException) -> str:
    causes = getattr(exc, "causes", None)
    if causes:
        return "; ".join(str(getattr(c, "message", c)) for c in causes)
    message = getattr(exc, "message", None)
    return str(message if message else exc) or type(exc).__name__


def _prepare(doc: Document, root: Path) -> tuple[dict[str, Any], dict[str, dict[str, str]], list[Diagnostic]]:
    """A copy of the template ready for the translator, and the local paths it replaced."""
    template: dict[str, Any] = clone(dict(doc.data))
    local: dict[str, dict[str, str]] = {}
    diags: list[Diagnostic] = []
    globals_ = template.get("Globals")
    if isinstance(globals_, dict):
        for section in globals_.values():
            if isinstance(section, dict):
                for prop in ("CodeUri", "ContentUri", "DefinitionUri"):
                    if is_local(section.get(prop)):
                        local.setdefault("Globals", {})[prop] = section[prop]
                        section[prop] = f"s3://{PLACEHOLDER_BUCKET}/globals"
    resources = template.get("Resources")
    if isinstance(resources, dict):
        # entries that are not resources (Fn::ForEach of AWS::LanguageExtensions, stray lists) would make the
        # translator reject the whole template; the model reports them, the translator never sees them
        for key in [k for k, v in resources.items() if not isinstance(v, dict)]:
            resources.pop(key)
            line = doc.marks.position(("Resources", key)).line
            if str(key).startswith("Fn::ForEach::"):
                diags.append(Diagnostic(doc.id, Level.WARNING, "foreach-not-expanded",
                                        f"{key} (AWS::LanguageExtensions) is not expanded: the resources it makes "
                                        "are not analysed", line))
            else:
                diags.append(Diagnostic(doc.id, Level.WARNING, "bad-resource",
                                        f"resource {key} is not a mapping: skipped", line))
    for lid, res in (resources if isinstance(resources, dict) else {}).items():
        meta = res.get("Metadata")
        if not isinstance(meta, dict):
            meta = {}
            res["Metadata"] = meta
        meta[ORIGIN_KEY] = lid
        rtype = res.get("Type")
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        if rtype == "AWS::Serverless::Application":
            res["Type"] = "AWS::CloudFormation::Stack"
            location = props.pop("Location", None)
            if is_local(location):
                local.setdefault(lid, {})["Location"] = str(location)
            props["TemplateURL"] = f"https://{PLACEHOLDER_BUCKET}.s3.amazonaws.com/{lid}"
            for key in ("NotificationARNs", "Tags", "TimeoutInMinutes", "Parameters"):
                if key in props and not isinstance(props[key], (dict, list, int, str)):
                    props.pop(key)
            if isinstance(props.get("Tags"), dict):
                props["Tags"] = [{"Key": k, "Value": v} for k, v in props["Tags"].items()]
            continue
        if rtype == "AWS::Serverless::Function" and not _has_code(props, globals_):
            props["CodeUri"] = "."  # what `sam build` uses when a function names no code
        for prop in _LOCAL_PATH_PROPS.get(str(rtype), ()):
            value = props.get(prop)
            if isinstance(value, str) and value.startswith("${") and prop != "ImageUri":
                props[prop] = f"s3://{PLACEHOLDER_BUCKET}/{lid}"  # a placeholder a build script fills in
                continue
            if not is_local(value):
                continue
            local.setdefault(lid, {})[prop] = str(value)
            if prop == "DefinitionUri":
                what = "its states are unknown" if rtype == "AWS::Serverless::StateMachine" else "routes unknown"
                body = _read_definition(doc, root, str(value), diags, ("Resources", lid, "Properties", prop), what)
                props.pop(prop)
                if body is not None:
                    # an API's OpenAPI document is its DefinitionBody; a state machine's ASL is its Definition
                    props["Definition" if rtype == "AWS::Serverless::StateMachine" else "DefinitionBody"] = body
                else:
                    props["DefinitionUri"] = f"s3://{PLACEHOLDER_BUCKET}/{lid}"
            elif prop == "ImageUri":
                props[prop] = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{PLACEHOLDER_BUCKET}:{lid.lower()}"
            else:
                props[prop] = f"s3://{PLACEHOLDER_BUCKET}/{lid}"
        if rtype == "AWS::Serverless::Function" and _image_without_uri(props, globals_):
            # `sam build` builds the image from the Metadata (Dockerfile, DockerContext) and fills ImageUri in
            props["ImageUri"] = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{PLACEHOLDER_BUCKET}:{lid.lower()}"
    return template, local, diags


def _written(props: Mapping[str, Any], globals_: Any) -> dict[str, Any]:
    fn_globals = globals_.get("Function") if isinstance(globals_, dict) else None
    return {**(fn_globals if isinstance(fn_globals, dict) else {}), **props}


def _has_code(props: Mapping[str, Any], globals_: Any) -> bool:
    written = _written(props, globals_)
    return any(k in written for k in ("CodeUri", "InlineCode", "ImageUri")) or written.get("PackageType") == "Image"


def _image_without_uri(props: Mapping[str, Any], globals_: Any) -> bool:
    written = _written(props, globals_)
    return written.get("PackageType") == "Image" and "ImageUri" not in written


def _read_definition(doc: Document, root: Path, rel: str, diags: list[Diagnostic], at: KeyPath,
                     unknown: str) -> Any:
    """Inline a local OpenAPI or state-machine definition that lies inside the scanned root."""
    target = (doc.path.parent / rel).resolve()
    line = doc.marks.position(at).line
    try:
        target.relative_to(root)
    except ValueError:
        diags.append(Diagnostic(doc.id, Level.WARNING, "definition-outside-root",
                                f"{rel} is outside the scanned root: not read, {unknown}", line))
        return None
    if not target.is_file():
        diags.append(Diagnostic(doc.id, Level.WARNING, "definition-missing", f"{rel} was not found: {unknown}", line))
        return None
    text, problem = read_text(InputFile(target, rel))
    if text is None:
        if problem is not None:
            diags.append(problem)
        return None
    try:
        data = parse(text, target.suffix.lower()).data
    except LoadError as exc:
        diags.append(Diagnostic(doc.id, Level.WARNING, "definition-unreadable", f"{rel}: {exc.message}", exc.line))
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True, slots=True)
class Translated:
    """The translator's side of an expansion (plain, picklable data): the CloudFormation, the local paths
    swapped out, and what went wrong. :func:`finish` adds the origins, which need the author's document."""

    template: Mapping[str, Any]
    local_paths: Mapping[str, Mapping[str, str]]
    diagnostics: tuple[Diagnostic, ...]


def expand(doc: Document, root: Path, cache: Path | None = None) -> Expanded:
    """Translate a SAM document. Never raises for bad input: problems become diagnostics."""
    return finish(doc, translate(doc, root, cache))


def expander(root: Path, cache: Path | None = None) -> Callable[[Document], Expanded]:
    """The SAM step as the model builder takes it (:func:`remit.model.build.build`), in this process."""
    return lambda doc: expand(doc, root, cache)


def finish(doc: Document, done: Translated) -> Expanded:
    return Expanded(done.template, _origins(doc, doc.data, done.template), done.local_paths, done.diagnostics)


def translate(doc: Document, root: Path, cache: Path | None = None) -> Translated:
    """Run the translator on a prepared copy of ``doc``; may run in another process (see ``remit.api``). With a
    ``cache`` directory, a translation of the same prepared template is read from there, and a new one kept
    (:mod:`remit.loaders.translation_cache`)."""
    template, local, diags = _prepare(doc, root)
    native = _natively(template)
    if native is not None:
        return Translated(native, local, tuple(diags))
    name = translation_cache.key(template) if cache is not None else None
    if cache is not None and name is not None:
        kept = translation_cache.load(cache, name)
        if kept is not None:
            return Translated(kept, local, tuple(diags))
    _IN_PLACE.validated.clear()
    try:
        translator = _translator()
    except Exception as exc:  # noqa: BLE001 - a missing or broken translator must not stop the scan
        diags.append(Diagnostic(doc.id, Level.ERROR, "sam-unavailable", f"SAM translator unavailable: {exc}"))
        return _untranslated(template, local, diags)
    try:
        # the translator mutates its input; `template` is already remit's own copy of the document
        # plain dicts in the order the translator iterates its own (Python 2.7-ordered) ones, as a result coming
        # back from the helper process has them and the cache keeps them: the same routes in the same order
        # whether translated here, beside the scan or earlier
        output = clone(translator.translate(sam_template=template, parameter_values={}, passthrough_metadata=True))
        if cache is not None and name is not None:
            translation_cache.store(cache, name, output)
    except Exception as exc:  # noqa: BLE001 - the translator raises many types for bad templates
        diags.append(
            Diagnostic(
                doc.id,
                Level.ERROR,
                "sam-invalid",
                f"the SAM translator rejected the template: {_error_text(exc)}; analysing the rest without the "
                "resources it names",
            )
        )
        output = clone(_without_failing(doc, root, translator, exc, diags))
    return Translated(output, local, tuple(diags))


def translate_natively(doc: Document, root: Path) -> Translated | None:
    """:func:`translate` when remit expands the template itself (:mod:`remit.loaders.sam_native`), else None:
    cheap enough to try before handing a template to the translator."""
    template, local, diags = _prepare(doc, root)
    native = _natively(template)
    return None if native is None else Translated(native, local, tuple(diags))


def _natively(template: dict[str, Any]) -> dict[str, Any] | None:
    if os.environ.get("REMIT_NO_NATIVE_SAM"):
        return None  # the user asked for the translator on every template
    # on a copy: an expansion refused half way must leave the translator's input as it was
    try:
        return clone(sam_native.expand(clone(template)))  # type: ignore[no-any-return]  # clone keeps the dict
    except sam_native.Refused:
        return None
    except RecursionError:  # a value that refers to itself through a policy template: the translator reports it
        return None
    except Exception:  # noqa: BLE001 - a shape the native side did not foresee: the translator judges the file
        return None  # (its tests call sam_native.expand directly, so such a gap still fails them)


_FAILING_ID = re.compile(r"Resource with id \[([^\]]+)\] is invalid")
MAX_RETRIES = 5


def _reasons(exc: BaseException) -> dict[str, str]:
    """The resources a translator error names, each with the message(s) about it."""
    causes = getattr(exc, "causes", None) or [exc]
    found: dict[str, str] = {}
    for cause in causes:
        message = str(getattr(cause, "message", cause))
        for name in _FAILING_ID.findall(message):
            found[name] = f"{found[name]}; {message}" if name in found else message
    return found


def _without_failing(doc: Document, root: Path, translator: Any, exc: BaseException,
                     diags: list[Diagnostic]) -> dict[str, Any]:
    """Translate again without the resources the translator named as invalid (keeping the references between
    the others intact); when it names none, or keeps failing, translate resource by resource."""
    dropped: dict[str, str] = {}  # logical id -> the translator's reason
    error: BaseException = exc
    for _ in range(MAX_RETRIES):
        reasons = _reasons(error)
        named = [m for m in reasons if m not in dropped]
        if not named:
            break
        dropped.update((name, reasons[name]) for name in named)
        template, _, _ = _prepare(doc, root)
        resources = template.get("Resources", {})
        if not all(name in resources for name in named):
            break
        for name in dropped:
            resources.pop(name, None)
        translator.document_errors = []
        try:
            output: dict[str, Any] = translator.translate(sam_template=template, parameter_values={},
                                                          passthrough_metadata=True)
        except Exception as again:  # noqa: BLE001 - the translator raises many types for bad templates
            error = again
            continue
        for name, why in dropped.items():
            diags.append(Diagnostic(doc.id, Level.ERROR, "sam-invalid-resource",
                                    f"{name} was not analysed: {why}", doc.marks.position(("Resources", name)).line))
        return output
    fresh, _, _ = _prepare(doc, root)  # failed attempts may have changed their input
    return _translate_each(doc, fresh, translator, diags)


def _untranslated(template: dict[str, Any], local: dict[str, dict[str, str]], diags: list[Diagnostic]) -> Translated:
    kept = {k: v for k, v in template.get("Resources", {}).items()
            if not (isinstance(v, dict) and str(v.get("Type", "")).startswith(_SAM_PREFIX))}
    output = {**template, "Resources": kept}
    output.pop("Transform", None)
    return Translated(output, local, tuple(diags))


def _translate_each(doc: Document, template: dict[str, Any], translator: Any,
                    diags: list[Diagnostic]) -> dict[str, Any]:
    resources: dict[str, Any] = template.get("Resources", {})
    native = {k: v for k, v in resources.items()
              if not (isinstance(v, dict) and str(v.get("Type", "")).startswith(_SAM_PREFIX))}
    merged: dict[str, Any] = clone(native)
    for lid, res in resources.items():
        if lid in native:
            continue
        single = {**template, "Resources": {**clone(native), lid: clone(res)}}
        translator.document_errors = []  # the translator keeps errors across calls: start each one clean
        try:
            out = translator.translate(sam_template=single, parameter_values={}, passthrough_metadata=True)
        except Exception as exc:  # noqa: BLE001 - the translator raises many types for bad templates
            diags.append(
                Diagnostic(doc.id, Level.ERROR, "sam-invalid-resource",
                           f"{lid} was not analysed: {_error_text(exc)}", doc.marks.position(("Resources", lid)).line)
            )
            continue
        for out_id, out_res in out.get("Resources", {}).items():
            if out_id not in native:
                merged.setdefault(out_id, out_res)
            elif out_res != native[out_id]:
                _merge_changed(merged, out_id, out_res)
    output = {k: v for k, v in template.items() if k not in ("Resources", "Transform", "Globals")}
    output["Resources"] = merged
    return output


def _merge_changed(merged: dict[str, Any], lid: str, changed: dict[str, Any]) -> None:
    """A native resource the translator edited (an S3 bucket given a notification): keep every edit."""
    current = merged[lid]
    props_now, props_new = current.get("Properties"), changed.get("Properties")
    if isinstance(props_now, dict) and isinstance(props_new, dict):
        for key, value in props_new.items():
            if key == "NotificationConfiguration" and isinstance(props_now.get(key), dict) and isinstance(value, dict):
                for kind, entries in value.items():
                    existing = props_now[key].setdefault(kind, [])
                    if isinstance(existing, list) and isinstance(entries, list):
                        existing.extend(e for e in entries if e not in existing)
            else:
                props_now[key] = value
    else:
        merged[lid] = changed


# ------------------------------------------------------------------------------------------------
# origins


def _origins(doc: Document, sam: Mapping[str, Any], output: Mapping[str, Any]) -> dict[str, Origin]:
    """Where each output resource came from, judged against the author's own document."""
    sam_resources: dict[str, Any] = sam.get("Resources", {}) if isinstance(sam.get("Resources"), dict) else {}
    out_resources = output.get("Resources", {})
    origins: dict[str, Origin] = {}
    globals_ = sam.get("Globals") if isinstance(sam.get("Globals"), dict) else {}
    for lid, res in out_resources.items() if isinstance(out_resources, dict) else ():
        if not isinstance(res, dict):
            continue
        meta = res.get("Metadata")
        source = meta.get(ORIGIN_KEY) if isinstance(meta, dict) else None
        if isinstance(meta, dict):  # the translator may share one Metadata object among generated resources
            cleaned = {k: v for k, v in meta.items() if k != ORIGIN_KEY}
            if cleaned:
                res["Metadata"] = cleaned
            else:
                res.pop("Metadata")
        if not isinstance(source, str) or source not in sam_resources:
            source = _implicit_api_owner(lid, sam_resources)
            if source is None:
                origins[lid] = Origin(doc.id, lid, marks=doc.marks)
                continue
            origins[lid] = _event_origin(doc, source, sam_resources[source], lid, implicit=True)
            continue
        sam_res = sam_resources[source]
        sam_type = str(sam_res.get("Type", ""))
        if source == lid and not sam_type.startswith(_SAM_PREFIX):
            origins[lid] = Origin(doc.id, lid, marks=doc.marks)
            continue
        origins[lid] = _generated_origin(doc, source, sam_res, lid, str(res.get("Type", "")), res, globals_ or {})
    return origins


def _fallback(sam_type: str, globals_: Mapping[str, Any]) -> KeyPath | None:
    section = _GLOBALS_SECTION.get(sam_type)
    if section and isinstance(globals_.get(section), dict):
        return ("Globals", section)
    return None


def _generated_origin(doc: Document, source: str, sam_res: Mapping[str, Any], lid: str, out_type: str,
                      out_res: Mapping[str, Any], globals_: Mapping[str, Any]) -> Origin:
    sam_type = str(sam_res.get("Type", ""))
    props = sam_res.get("Properties") if isinstance(sam_res.get("Properties"), dict) else {}
    assert isinstance(props, dict)
    fallback = _fallback(sam_type, globals_)

    def make(
        prefix: KeyPath = ("Properties",),
        rewrites: tuple[tuple[KeyPath, KeyPath], ...] = (),
        fallback: KeyPath | None = fallback,
    ) -> Origin:
        return Origin(doc.id, source, lid != source, prefix, rewrites, fallback, doc.marks)

    rest = lid[len(source):] if lid.startswith(source) else ""

    if sam_type in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        event = _event_name(rest, props)
        if event is not None:
            return make(prefix=("Properties", "Events", event, "Properties"))
        if out_type == "AWS::Lambda::Url" or rest.startswith(("UrlPublic", "URLInvoke")):
            url_fallback = (*fallback, "FunctionUrlConfig") if fallback else None
            return make(prefix=("Properties", "FunctionUrlConfig"), fallback=url_fallback)
        if out_type == "AWS::IAM::Role":
            return make(rewrites=_role_rewrites(out_res, props), fallback=fallback)
        if out_type in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
            return make(prefix=("Properties", "AutoPublishAlias"))
        if out_type == "AWS::Lambda::EventInvokeConfig":
            return make(prefix=("Properties", "EventInvokeConfig"), fallback=fallback)
        rewrites: list[tuple[KeyPath, KeyPath]] = [
            (("TracingConfig",), ("Tracing",)),
            (("DeadLetterConfig",), ("DeadLetterQueue",)),
            (("LoggingConfiguration",), ("Logging",)),
            (("DefinitionString",), ("Definition",)),
        ]
        for code_prop in ("InlineCode", "ImageUri", "CodeUri"):
            if code_prop in props:
                rewrites.append((("Code",), (code_prop,)))
                break
        else:
            rewrites.append((("Code",), ("CodeUri",)))
        return make(rewrites=tuple(rewrites), fallback=fallback)
    if sam_type in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
        rewrites = [(("Body",), ("DefinitionBody",))]
        return make(rewrites=tuple(rewrites), fallback=fallback)
    if sam_type == "AWS::Serverless::LayerVersion":
        return make(rewrites=((("Content",), ("ContentUri",)),), fallback=fallback)
    return make(fallback=fallback)


def _event_name(rest: str, props: Mapping[str, Any]) -> str | None:
    events = props.get("Events")
    if not rest or not isinstance(events, dict):
        return None
    best = None
    for name in events:
        if isinstance(name, str) and rest.startswith(name) and (best is None or len(name) > len(best)):
            best = name
    return best


# a key that no author writes: a path through it resolves to the nearest written ancestor
GENERATED = "(added by SAM)"


def _added_by_sam(name: str) -> KeyPath:
    """Where to point for a policy SAM adds on its own: the property that made SAM add it, when there is one."""
    low = name.lower()
    if "deadletter" in low:
        return ("DeadLetterQueue",)
    if "xray" in low:
        return ("Tracing",)
    return ("Policies", GENERATED)


def _role_rewrites(out_res: Mapping[str, Any], props: Mapping[str, Any]) -> tuple[tuple[KeyPath, KeyPath], ...]:
    """Map the generated role's inline and managed policies back to the author's ``Policies`` items.

    SAM names the inline policy made from ``Policies[j]`` ``<Fn>RolePolicy<j>``; a managed policy the author
    named is found by name. Policies SAM adds itself (basic execution, event-source, X-Ray, dead-letter queue)
    point at the property that caused them, or at ``Policies`` (the function when there is none)."""
    sam_policies = props.get("Policies")
    if isinstance(sam_policies, (str, dict)):
        sam_policies = [sam_policies]
    if not isinstance(sam_policies, list):
        sam_policies = []
    out_props = out_res.get("Properties") if isinstance(out_res.get("Properties"), dict) else {}
    assert isinstance(out_props, dict)
    rewrites: list[tuple[KeyPath, KeyPath]] = []
    for i, policy in enumerate(out_props.get("Policies") or []):
        name = policy.get("PolicyName") if isinstance(policy, dict) else None
        if name is None and isinstance(policy, dict) and "Fn::If" in policy:
            branch = policy["Fn::If"][1] if isinstance(policy["Fn::If"], list) and len(policy["Fn::If"]) > 1 else {}
            name = branch.get("PolicyName") if isinstance(branch, dict) else None
        match = _ROLE_POLICY.search(str(name or ""))
        if match and int(match.group(1)) < len(sam_policies):
            j = int(match.group(1))
            # a written `- Statement: [...]` item is itself the policy document
            rewrites.append((("Policies", i, "PolicyDocument"), ("Policies", j)))
            rewrites.append((("Policies", i), ("Policies", j)))
        else:
            rewrites.append((("Policies", i), _added_by_sam(str(name or ""))))
    for k, arn in enumerate(out_props.get("ManagedPolicyArns") or []):
        for j, written in enumerate(sam_policies):
            if isinstance(written, str) and isinstance(arn, str) and (arn == written or arn.endswith("/" + written)):
                rewrites.append((("ManagedPolicyArns", k), ("Policies", j)))
                break
        else:
            rewrites.append((("ManagedPolicyArns", k), _added_by_sam(str(arn))))
    return tuple(rewrites)


def _implicit_api_owner(lid: str, sam_resources: Mapping[str, Any]) -> str | None:
    """``ServerlessRestApi`` and ``ServerlessHttpApi`` (and their stages) belong to the first function whose
    events made them."""
    if lid.startswith("ServerlessRestApi"):
        wanted = "Api"
    elif lid.startswith("ServerlessHttpApi"):
        wanted = "HttpApi"
    else:
        return None
    key = "RestApiId" if wanted == "Api" else "ApiId"
    for sid, res in sam_resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        events = (res.get("Properties") or {}).get("Events") if isinstance(res.get("Properties"), dict) else None
        for event in (events or {}).values() if isinstance(events, dict) else ():
            if isinstance(event, dict) and event.get("Type") == wanted:
                eprops = event.get("Properties")
                if not (isinstance(eprops, dict) and key in eprops):
                    return str(sid)
    return None


def _event_origin(doc: Document, source: str, sam_res: Mapping[str, Any], lid: str, *, implicit: bool) -> Origin:
    wanted = "Api" if lid.startswith("ServerlessRestApi") else "HttpApi"
    key = "RestApiId" if wanted == "Api" else "ApiId"
    props = sam_res.get("Properties") if isinstance(sam_res.get("Properties"), dict) else {}
    events = props.get("Events") if isinstance(props, dict) else None
    for name, event in (events or {}).items() if isinstance(events, dict) else ():
        if isinstance(event, dict) and event.get("Type") == wanted:
            eprops = event.get("Properties")
            if not (isinstance(eprops, dict) and key in eprops):
                fallback: KeyPath = ("Globals", wanted)
                return Origin(
                    doc.id,
                    source,
                    generated=implicit,
                    prefix=("Properties", "Events", name, "Properties"),
                    fallback=fallback,
                    marks=doc.marks,
                )
    return Origin(doc.id, source, generated=implicit, marks=doc.marks)
