"""``remit collect aws``: read an account, read-only, into a snapshot (:mod:`remit.live.snapshot`).

Each collector reads one service in one region and returns plain JSON data; :class:`~remit.live.aws.Reader`
makes the calls (pagination, standard retries, unknowns for what cannot be read). Function and layer code is
downloaded only when asked, streamed with a size cap and a timeout, once per ``CodeSha256``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from remit.errors import CollectError
from remit.live.aws import Reader, listed
from remit.live.snapshot import MASKED, Gap, Snapshot, is_unknown, unknown, write

ProgressFn = Callable[[str, str, int, int], None]  # service, region, done, total
MAX_CODE_BYTES = 256 * 1024 * 1024  # a zip bigger than Lambda's own unzipped limit is not worth reading
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000
CODE_TIMEOUT = 120.0


@dataclass(frozen=True)
class CollectOptions:
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    regions: str = "enabled"  # enabled | all | a comma-separated list
    download_code: bool = False
    keep_values: bool = False
    max_code_bytes: int = MAX_CODE_BYTES
    code_timeout: float = CODE_TIMEOUT
    services: tuple[str, ...] = ()  # empty: every service remit reads (tests narrow it)


@dataclass
class _State:
    reader: Reader
    options: CollectOptions
    out: Path
    account: str
    gaps: list[Gap] = field(default_factory=list)
    fetched: dict[str, str] = field(default_factory=dict)  # CodeSha256 -> relative directory


def session_for(options: CollectOptions) -> Any:
    """A boto3 session: the profile, or the role assumed (with its external id) from the default credentials."""
    import boto3  # type: ignore[import-untyped]  # botocore ships no type hints
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]  # botocore ships no type hints

    from remit.live.aws import client_config
    try:
        session = boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
        if options.role_arn:
            extra = {"ExternalId": options.external_id} if options.external_id else {}
            creds = session.client("sts", config=client_config()).assume_role(
                RoleArn=options.role_arn, RoleSessionName="remit-collect", **extra)["Credentials"]
            session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=session.region_name)
    except (BotoCoreError, ClientError) as exc:
        raise CollectError(f"cannot get credentials: {exc}") from None
    return session


def regions_for(reader: Reader, choice: str, home: str) -> list[str]:
    """``enabled``: the regions the account has enabled (EC2 DescribeRegions); ``all``: every region of the
    partition (opt-in ones not enabled will answer with gaps); else the comma-separated list as given."""
    if choice not in ("enabled", "all"):
        return sorted({r.strip() for r in choice.split(",") if r.strip()})
    response = reader.call("ec2", home, "describe_regions", AllRegions=choice == "all")
    if not isinstance(response, dict) or is_unknown(response):
        return [home]  # the gap says why only the home region is read
    return sorted(r["RegionName"] for r in response.get("Regions", ()) if r.get("RegionName"))


def collect(options: CollectOptions, out: Path, *, session: Any = None,
            progress: ProgressFn | None = None) -> Snapshot:
    """Read the account into ``out`` (a directory, created) and return the snapshot written there."""
    from remit import __version__
    session = session if session is not None else session_for(options)
    gaps: list[Gap] = []
    reader = Reader(session, gaps.append)
    home = session.region_name or "us-east-1"
    identity = reader.call("sts", home, "get_caller_identity")
    if not isinstance(identity, dict) or is_unknown(identity):
        reason = identity.get("remit:unknown", "no answer") if isinstance(identity, dict) else "no answer"
        raise CollectError(f"cannot tell which account the credentials belong to: {reason}")
    account = str(identity["Account"])
    partition = str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"
    regions = regions_for(reader, options.regions, home)
    state = _State(reader, options, out, account, gaps)
    wanted = set(options.services) or set(REGIONAL) | {"iam", "s3"}
    tell = progress or (lambda *_: None)
    iam = _iam(state) if "iam" in wanted else {}
    tell("iam", "global", 1, 1)
    s3 = _s3(state, home, tell) if "s3" in wanted else {}
    regional: dict[str, dict[str, Any]] = {}
    for region in regions:
        regional[region] = {}
        for name, collector in REGIONAL.items():
            if name in wanted:
                tell(name, region, 0, 1)
                regional[region][name] = collector(state, region)
                tell(name, region, 1, 1)
    snapshot = Snapshot(account, partition, tuple(regions), iam, s3, regional, tuple(gaps),
                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), not options.keep_values, __version__)
    write(snapshot, out)
    return snapshot


# -- IAM ----------------------------------------------------------------------------------------------


def _iam(state: _State) -> dict[str, Any]:
    r = state.reader
    details: dict[str, Any] = {}
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        details[key] = r.pages("iam", "", "get_account_authorization_details", key)
    for user in listed(details["UserDetailList"]):
        name = user.get("UserName", "")
        user["AccessKeys"] = r.pages("iam", "", "list_access_keys", "AccessKeyMetadata", name, UserName=name)
        profile = r.call("iam", "", "get_login_profile", name, UserName=name)
        user["LoginProfile"] = bool(profile) if not is_unknown(profile) else profile
    oidc = r.call("iam", "", "list_open_id_connect_providers")
    providers = []
    for entry in (oidc or {}).get("OpenIDConnectProviderList", ()) if not is_unknown(oidc) else ():
        arn = entry.get("Arn", "")
        described = r.call("iam", "", "get_open_id_connect_provider", arn, OpenIDConnectProviderArn=arn)
        providers.append({"Arn": arn, **(described or {})})
    saml = r.call("iam", "", "list_saml_providers")
    details["OpenIDConnectProviders"] = providers if not is_unknown(oidc) else oidc
    details["SAMLProviders"] = (saml or {}).get("SAMLProviderList", []) if not is_unknown(saml) else saml
    return details


# -- S3 (listed once for the account; each bucket is read in its own region) ---------------------------


def _s3(state: _State, home: str, tell: ProgressFn) -> dict[str, Any]:
    r = state.reader
    listing = r.call("s3", home, "list_buckets")
    if listing is None or is_unknown(listing):
        return {"Buckets": listing or [], "AccountPublicAccessBlock": None}
    buckets = []
    names = [b["Name"] for b in listing.get("Buckets", ())]
    for done, name in enumerate(names):
        tell("s3", "global", done, len(names))
        location = r.call("s3", home, "get_bucket_location", name, Bucket=name)
        region = (location or {}).get("LocationConstraint") if not is_unknown(location) else None
        region = region or "us-east-1"
        bucket: dict[str, Any] = {"Name": name, "Region": region}
        calls = {"Policy": ("get_bucket_policy", "Policy"), "PublicAccessBlock": (
            "get_public_access_block", "PublicAccessBlockConfiguration"), "Acl": ("get_bucket_acl", None),
            "OwnershipControls": ("get_bucket_ownership_controls", "OwnershipControls"),
            "Encryption": ("get_bucket_encryption", "ServerSideEncryptionConfiguration"),
            "Notification": ("get_bucket_notification_configuration", None),
            "Tags": ("get_bucket_tagging", "TagSet"), "Versioning": ("get_bucket_versioning", None),
            "Logging": ("get_bucket_logging", "LoggingEnabled")}
        for field_name, (method, key) in calls.items():
            answer = r.call("s3", region, method, f"arn:aws:s3:::{name}", Bucket=name)
            if isinstance(answer, dict) and not is_unknown(answer):
                answer.pop("ResponseMetadata", None)
                answer = answer.get(key) if key else answer
            bucket[field_name] = _policy_json(answer, "") if field_name == "Policy" else answer
        buckets.append(bucket)
    tell("s3", "global", len(names), len(names))
    account_pab = r.call("s3control", home, "get_public_access_block", AccountId=state.account)
    if isinstance(account_pab, dict) and not is_unknown(account_pab):
        account_pab = account_pab.get("PublicAccessBlockConfiguration")
    return {"Buckets": buckets, "AccountPublicAccessBlock": account_pab}


# -- Lambda -------------------------------------------------------------------------------------------


def _mask(config: dict[str, Any], keep: bool) -> None:
    variables = config.get("Environment", {}).get("Variables")
    if isinstance(variables, dict) and not keep:
        config["Environment"]["Variables"] = dict.fromkeys(variables, MASKED)


def _bare(answer: Any) -> Any:
    """A response without botocore's request metadata (request ids, retries: noise in a snapshot)."""
    if isinstance(answer, dict):
        answer.pop("ResponseMetadata", None)
    return answer


def _policy_json(response: Any, key: str = "Policy") -> Any:
    """A policy the API returns as a JSON string, parsed (an unparseable one is an unknown)."""
    if response is None or is_unknown(response):
        return response
    raw = response.get(key) if isinstance(response, dict) and key else response
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return unknown("the policy is not valid JSON")


def _lambda(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    functions = []
    for config in listed(r.pages("lambda", region, "list_functions", "Functions")):
        name, arn = config.get("FunctionName", ""), config.get("FunctionArn", "")
        record: dict[str, Any] = {"Configuration": config}
        _mask(config, state.options.keep_values)
        got = r.call("lambda", region, "get_function", arn, FunctionName=name)
        if isinstance(got, dict) and not is_unknown(got):
            record["Tags"] = got.get("Tags") or {}
            record["Concurrency"] = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
            if state.options.download_code and config.get("PackageType", "Zip") == "Zip":
                record["Code"] = _download(state, (got.get("Code") or {}).get("Location"), config.get("CodeSha256"))
        else:
            record["Tags"] = got
        record["Policy"] = _policy_json(r.call("lambda", region, "get_policy", arn, FunctionName=name))
        record["EventInvokeConfigs"] = r.pages("lambda", region, "list_function_event_invoke_configs",
                                               "FunctionEventInvokeConfigs", arn, FunctionName=name)
        record["Aliases"] = r.pages("lambda", region, "list_aliases", "Aliases", arn, FunctionName=name)
        record["Versions"] = [v for v in listed(r.pages("lambda", region, "list_versions_by_function", "Versions",
                                                        arn, FunctionName=name)) if v.get("Version") != "$LATEST"]
        for version in record["Versions"]:
            _mask(version, state.options.keep_values)
        record["AliasPolicies"] = {  # an alias has a resource policy of its own (aliases are few; versions not read)
            alias["Name"]: _policy_json(r.call("lambda", region, "get_policy", alias.get("AliasArn", arn),
                                               FunctionName=name, Qualifier=alias["Name"]))
            for alias in listed(record["Aliases"]) if alias.get("Name")}
        record["UrlConfigs"] = _url_configs(r, region, name, arn, record["Aliases"])
        functions.append(record)
    layers = []
    for layer in listed(r.pages("lambda", region, "list_layers", "Layers")):
        latest = layer.get("LatestMatchingVersion") or {}
        version_arn = latest.get("LayerVersionArn", "")
        record = {"LayerName": layer.get("LayerName"), "LayerArn": layer.get("LayerArn"), "Version": latest}
        number = latest.get("Version")
        if number is not None:
            record["Policy"] = _policy_json(r.call("lambda", region, "get_layer_version_policy", version_arn,
                                                   LayerName=layer.get("LayerName"), VersionNumber=number))
            if state.options.download_code:
                got = r.call("lambda", region, "get_layer_version", version_arn, LayerName=layer.get("LayerName"),
                             VersionNumber=number)
                content = got.get("Content", {}) if isinstance(got, dict) and not is_unknown(got) else {}
                record["Code"] = _download(state, content.get("Location"), content.get("CodeSha256"))
        layers.append(record)
    mappings = r.pages("lambda", region, "list_event_source_mappings", "EventSourceMappings")
    return {"Functions": functions, "Layers": layers, "EventSourceMappings": mappings}


def _url_configs(r: Reader, region: str, name: str, arn: str, aliases: Any) -> list[Any] | dict[str, str]:
    """The function URL of the function and of each alias (GetFunctionUrlConfig per qualifier: the listing
    call is missing from some API emulations, and a function has few aliases)."""
    out = []
    for qualifier in [None, *(a.get("Name") for a in listed(aliases))]:
        extra = {"Qualifier": qualifier} if qualifier else {}
        got = r.call("lambda", region, "get_function_url_config", arn, FunctionName=name, **extra)
        if is_unknown(got):
            return got  # type: ignore[no-any-return]  # an Unknown, typed Any by the reader
        if isinstance(got, dict):
            out.append(_bare(got))
    return out


def _download(state: _State, location: Any, sha: Any) -> Any:
    """Fetch a code archive once per CodeSha256 and unpack it under ``code/<hex>``; the relative directory,
    or an unknown saying why not."""
    if not isinstance(location, str) or not isinstance(sha, str):
        return unknown("the API gave no code location")
    if sha in state.fetched:
        return state.fetched[sha]
    try:
        digest = base64.b64decode(sha, validate=True).hex()
    except ValueError:
        digest = "".join(c for c in sha if c.isalnum())[:64] or "code"
    rel = f"code/{digest}"
    target = state.out / rel
    if not location.startswith(("https://", "http://")):
        return unknown("the code location is not an HTTP(S) address")
    try:
        with tempfile.TemporaryFile() as tmp:
            request = urllib.request.Request(location, headers={"User-Agent": "remit"})
            with urllib.request.urlopen(request, timeout=state.options.code_timeout) as response:
                size = 0
                while chunk := response.read(1024 * 1024):
                    size += len(chunk)
                    if size > state.options.max_code_bytes:
                        return unknown(f"code archive over {state.options.max_code_bytes} bytes: not downloaded")
                    tmp.write(chunk)
            tmp.seek(0)
            _unpack(tmp, target)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        return unknown(f"code not downloaded: {exc}")
    state.fetched[sha] = rel
    return rel


def _unpack(archive: Any, target: Path) -> None:
    """Unpack a zip without following its names out of ``target``: absolute names, ``..``, links and special
    files are skipped; the member count and unpacked size are capped."""
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ValueError(f"more than {MAX_ZIP_MEMBERS} files in the code archive")
        total = 0
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            mode = info.external_attr >> 16
            if info.is_dir() or name.is_absolute() or ".." in name.parts or (mode and (mode & 0o170000) not in
                                                                              (0, 0o100000)):
                continue
            total += info.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise ValueError(f"code archive unpacks to more than {MAX_UNZIPPED_BYTES} bytes")
            path = target.joinpath(*name.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, path.open("wb") as dst:
                shutil.copyfileobj(src, dst)


# -- API Gateway ----------------------------------------------------------------------------------------


def _apigateway(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    apis = []
    for api in listed(r.pages("apigateway", region, "get_rest_apis", "items")):
        api_id = api.get("id", "")
        where = f"arn:aws:apigateway:{region}::/restapis/{api_id}"
        api["policy"] = _policy_json(api.get("policy"))
        resources = r.pages("apigateway", region, "get_resources", "items", where, restApiId=api_id)
        for resource in listed(resources):
            methods = {}
            for verb in resource.get("resourceMethods") or {}:
                method = r.call("apigateway", region, "get_method", where, restApiId=api_id,
                                resourceId=resource.get("id"), httpMethod=verb)
                methods[verb] = _bare(method)
            resource["resourceMethods"] = methods
        apis.append({"Api": api, "Resources": resources,
                     "Authorizers": r.pages("apigateway", region, "get_authorizers", "items", where,
                                            restApiId=api_id),
                     "Stages": _items(r.call("apigateway", region, "get_stages", where, restApiId=api_id), "item")})
    plans = r.pages("apigateway", region, "get_usage_plans", "items")
    return {"RestApis": apis, "UsagePlans": plans}


def _items(response: Any, key: str) -> Any:
    if response is None:
        return []
    return response if is_unknown(response) else list(response.get(key) or ())


def _apigatewayv2(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    apis = []
    for api in listed(r.pages("apigatewayv2", region, "get_apis", "Items")):
        api_id = api.get("ApiId", "")
        where = f"arn:aws:apigateway:{region}::/apis/{api_id}"
        apis.append({"Api": api, **{key: r.pages("apigatewayv2", region, f"get_{key.lower()}", "Items", where,
                                                 ApiId=api_id)
                                    for key in ("Routes", "Integrations", "Authorizers", "Stages")}})
    return {"Apis": apis}


# -- messaging, secrets, keys, tables -------------------------------------------------------------------


def _sqs(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    queues = []
    for url in listed(r.pages("sqs", region, "list_queues", "QueueUrls")):
        attrs = r.call("sqs", region, "get_queue_attributes", url, QueueUrl=url, AttributeNames=["All"])
        attributes = attrs.get("Attributes", {}) if isinstance(attrs, dict) and not is_unknown(attrs) else attrs
        if isinstance(attributes, dict) and "Policy" in attributes:
            attributes["Policy"] = _policy_json(attributes["Policy"])
        tags = r.call("sqs", region, "list_queue_tags", url, QueueUrl=url)
        queues.append({"QueueUrl": url, "Attributes": attributes,
                       "Tags": (tags or {}).get("Tags", {}) if not is_unknown(tags) else tags})
    return {"Queues": queues}


def _sns(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    topics = []
    for entry in listed(r.pages("sns", region, "list_topics", "Topics")):
        arn = entry.get("TopicArn", "")
        attrs = r.call("sns", region, "get_topic_attributes", arn, TopicArn=arn)
        attributes = attrs.get("Attributes", {}) if isinstance(attrs, dict) and not is_unknown(attrs) else attrs
        if isinstance(attributes, dict) and "Policy" in attributes:
            attributes["Policy"] = _policy_json(attributes["Policy"])
        tags = r.call("sns", region, "list_tags_for_resource", arn, ResourceArn=arn)
        topics.append({"TopicArn": arn, "Attributes": attributes,
                       "Subscriptions": r.pages("sns", region, "list_subscriptions_by_topic", "Subscriptions", arn,
                                                TopicArn=arn),
                       "Tags": _tag_list((tags or {}).get("Tags", []) if not is_unknown(tags) else tags)})
    return {"Topics": topics}


def _tag_list(tags: Any) -> Any:
    if isinstance(tags, list):
        return {str(t.get("Key", t.get("TagKey", t.get("key")))): t.get("Value", t.get("TagValue", t.get("value")))
                for t in tags if isinstance(t, dict)}  # Step Functions writes its tags in lower case
    return tags


def _secretsmanager(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    secrets = []
    for secret in listed(r.pages("secretsmanager", region, "list_secrets", "SecretList")):
        arn = secret.get("ARN", "")
        secret["ResourcePolicy"] = _policy_json(r.call("secretsmanager", region, "get_resource_policy", arn,
                                                       SecretId=arn), "ResourcePolicy")
        secret["Tags"] = _tag_list(secret.get("Tags") or [])
        secrets.append(secret)
    return {"Secrets": secrets}


def _kms(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    keys = []
    for entry in listed(r.pages("kms", region, "list_keys", "Keys")):
        key_id = entry.get("KeyId", "")
        described = r.call("kms", region, "describe_key", entry.get("KeyArn", key_id), KeyId=key_id)
        meta = described.get("KeyMetadata", {}) if isinstance(described, dict) and not is_unknown(described) else {}
        if meta.get("KeyManager") == "AWS":
            continue  # AWS managed keys: their policies are AWS's
        arn = meta.get("Arn", entry.get("KeyArn", key_id))
        rotation = r.call("kms", region, "get_key_rotation_status", arn, KeyId=key_id)
        tags = r.pages("kms", region, "list_resource_tags", "Tags", arn, KeyId=key_id)
        keys.append({"Metadata": meta or described, "Policy": _policy_json(
            r.call("kms", region, "get_key_policy", arn, KeyId=key_id, PolicyName="default")),
            "Rotation": rotation.get("KeyRotationEnabled") if isinstance(rotation, dict) and not is_unknown(rotation)
            else rotation, "Tags": _tag_list(tags)})
    return {"Keys": keys}


def _dynamodb(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    tables = []
    for name in listed(r.pages("dynamodb", region, "list_tables", "TableNames")):
        described = r.call("dynamodb", region, "describe_table", name, TableName=name)
        table = described.get("Table", {}) if isinstance(described, dict) and not is_unknown(described) else {}
        arn = table.get("TableArn", name)
        tags = r.pages("dynamodb", region, "list_tags_of_resource", "Tags", arn, ResourceArn=arn)
        tables.append({"Name": name, "Table": table or described,
                       "Policy": _policy_json(r.call("dynamodb", region, "get_resource_policy", arn,
                                                     ResourceArn=arn)),
                       "Tags": _tag_list(tags)})
    return {"Tables": tables}


# -- events, schedules, workflows, logs, identity, stacks ------------------------------------------------


def _events(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    buses = []
    for bus in listed(r.pages("events", region, "list_event_buses", "EventBuses")):
        name = bus.get("Name", "default")
        described = r.call("events", region, "describe_event_bus", bus.get("Arn", name), Name=name)
        if isinstance(described, dict) and not is_unknown(described):
            bus["Policy"] = _policy_json(described.get("Policy"))
        rules = []
        for rule in listed(r.pages("events", region, "list_rules", "Rules", bus.get("Arn", name), EventBusName=name)):
            rule["Targets"] = r.pages("events", region, "list_targets_by_rule", "Targets", rule.get("Arn", ""),
                                      Rule=rule.get("Name"), EventBusName=name)
            rule["Tags"] = _event_tags(r, region, rule.get("Arn", ""))
            rules.append(rule)
        tags = _event_tags(r, region, bus.get("Arn", "")) if name != "default" else {}
        buses.append({"Bus": bus, "Rules": rules, "Tags": tags})
    return {"Buses": buses}


def _event_tags(r: Reader, region: str, arn: str) -> Any:
    """A bus's or rule's tags (the logical-id tag joins it to its template)."""
    if not arn:
        return {}
    tags = r.call("events", region, "list_tags_for_resource", arn, ResourceARN=arn)
    return _tag_list((tags or {}).get("Tags", []) if not is_unknown(tags) else tags)


def _scheduler(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    schedules = []
    for entry in listed(r.pages("scheduler", region, "list_schedules", "Schedules")):
        got = r.call("scheduler", region, "get_schedule", entry.get("Arn", ""), Name=entry.get("Name"),
                     GroupName=entry.get("GroupName", "default"))
        schedules.append(_bare(got))
    return {"Schedules": schedules}


def _stepfunctions(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    machines = []
    for entry in listed(r.pages("stepfunctions", region, "list_state_machines", "stateMachines")):
        arn = entry.get("stateMachineArn", "")
        got = r.call("stepfunctions", region, "describe_state_machine", arn, stateMachineArn=arn)
        got = _bare(got)
        tags = r.call("stepfunctions", region, "list_tags_for_resource", arn, resourceArn=arn)
        machines.append({"StateMachine": got, "Tags": _tag_list((tags or {}).get("tags", [])
                                                                if not is_unknown(tags) else tags)})
    return {"StateMachines": machines}


def _logs(state: _State, region: str) -> dict[str, Any]:
    return {"LogGroups": state.reader.pages("logs", region, "describe_log_groups", "logGroups")}


def _cognito(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    pools = []
    for entry in listed(r.pages("cognito-idp", region, "list_user_pools", "UserPools", MaxResults=60)):
        pool_id = entry.get("Id", "")
        got = r.call("cognito-idp", region, "describe_user_pool", pool_id, UserPoolId=pool_id)
        clients = []
        for client in listed(r.pages("cognito-idp", region, "list_user_pool_clients", "UserPoolClients", pool_id,
                                     UserPoolId=pool_id, MaxResults=60)):
            described = r.call("cognito-idp", region, "describe_user_pool_client", pool_id, UserPoolId=pool_id,
                               ClientId=client.get("ClientId"))
            detail = described.get("UserPoolClient") if isinstance(described, dict) and not is_unknown(described) \
                else described
            if isinstance(detail, dict) and detail.pop("ClientSecret", None) is not None:
                detail["HasClientSecret"] = True  # never keep the secret itself
            clients.append(detail)
        pools.append({"UserPool": got.get("UserPool") if isinstance(got, dict) and not is_unknown(got) else got,
                      "Clients": clients})
    identity = []
    for entry in listed(r.pages("cognito-identity", region, "list_identity_pools", "IdentityPools", MaxResults=60)):
        pool_id = entry.get("IdentityPoolId", "")
        got = r.call("cognito-identity", region, "describe_identity_pool", pool_id, IdentityPoolId=pool_id)
        roles = r.call("cognito-identity", region, "get_identity_pool_roles", pool_id, IdentityPoolId=pool_id)
        identity.append({"Pool": _bare(got), "Roles": _bare(roles)})
    return {"UserPools": pools, "IdentityPools": identity}


def _cloudformation(state: _State, region: str) -> dict[str, Any]:
    r = state.reader
    stacks = []
    for stack in listed(r.pages("cloudformation", region, "describe_stacks", "Stacks")):
        name = stack.get("StackName", "")
        template = r.call("cloudformation", region, "get_template", stack.get("StackId", name), StackName=name)
        body = template.get("TemplateBody") if isinstance(template, dict) and not is_unknown(template) else template
        stacks.append({"StackName": name, "StackId": stack.get("StackId"), "Status": stack.get("StackStatus"),
                       "Template": body})
    return {"Stacks": stacks}


REGIONAL: dict[str, Callable[[_State, str], dict[str, Any]]] = {
    "lambda": _lambda, "apigateway": _apigateway, "apigatewayv2": _apigatewayv2, "sqs": _sqs, "sns": _sns,
    "secretsmanager": _secretsmanager, "kms": _kms, "dynamodb": _dynamodb, "events": _events,
    "scheduler": _scheduler, "stepfunctions": _stepfunctions, "logs": _logs, "cognito": _cognito,
    "cloudformation": _cloudformation,
}
SERVICES = ("iam", "s3", *REGIONAL)
