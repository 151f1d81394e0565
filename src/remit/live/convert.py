"""A snapshot as a CloudFormation-shaped template of the deployed resources.

Like the Terraform loader, this writes what was read as the CloudFormation resources it amounts to, so the
model builder (which already knows how a bucket policy attaches, what a route's authorization is, how a
trigger is wired) reads it unchanged. Decisions:

* **Logical ids**: the ``aws:cloudformation:logical-id`` tag when the resource has one (and it is not taken),
  else a stable name from the service, kind and name (``LambdaFunctionOrdersApi``), with a short hash of the
  ARN when that is taken too.
* **Locations**: every node of a resource is marked at line 1 of ``aws://ACCOUNT/REGION/SERVICE/KIND/NAME``
  (``global`` for IAM and S3 listings), through ``SourceMap.files``; never a local path.
* **References**: an ARN (or queue URL) of a collected resource becomes ``Fn::GetAtt``/``Ref`` of it, an ARN
  inside a longer string ``Fn::Sub`` with ``${Id.Arn}``; the account id and the collected regions inside ARNs
  become ``${AWS::AccountId}`` / ``${AWS::Region}``, so the IAM engine compares deployed ARNs the way it
  compares template ARNs. Other accounts stay literal (trust to them is what the rules look for).
* **Unknowns**: a value the collector could not read is ``Fn::Unknown`` with its reason.
* **Account-level settings** fold into the resources they govern: the account's S3 public access block is
  ORed into every bucket's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.live.snapshot import MASKED, UNKNOWN_KEY, Snapshot, is_unknown

LOGICAL_ID_TAG = "aws:cloudformation:logical-id"
STACK_TAG = "aws:cloudformation:stack-name"
MAX_LOGICAL_ID = 200
DEPLOYED_KEY = "remit:deployed"  # Metadata of a resource whose logical id is its CloudFormation tag
ARN_KEY = "remit:arn"  # Metadata: the deployed resource's ARN (kept beside the aws:// address)


@dataclass
class Converted:
    template: dict[str, Any]
    marks: dict[tuple[Any, ...], tuple[int, int]]
    files: dict[tuple[Any, ...], str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    arns: dict[str, str] = field(default_factory=dict)  # logical id -> deployed ARN


def _camel(text: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", text)
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and not is_unknown(value):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(t.get("Key")): str(t.get("Value")) for t in value if isinstance(t, dict)}
    return {}


def _unknown_or(value: Any) -> Any:
    """A collected value with its unknown markers turned into ``Fn::Unknown``."""
    if isinstance(value, dict):
        if UNKNOWN_KEY in value:
            return {"Fn::Unknown": f"not read from the account: {value[UNKNOWN_KEY]}"}
        return {k: _unknown_or(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_or(v) for v in value]
    if value == MASKED:
        return {"Fn::Unknown": "masked when collected (remit collect aws --keep-values keeps values)"}
    return value


def _arn_name(arn: str) -> str:
    tail = arn.split(":", 5)[-1] if arn.count(":") >= 5 else arn
    return tail.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


class _Builder:
    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.account = snap.account
        self.resources: dict[str, dict[str, Any]] = {}
        self.files: dict[tuple[Any, ...], str] = {}
        self.arns: dict[str, str] = {}
        self.exact: dict[str, dict[str, Any]] = {}  # normalised ARN / URL -> intrinsic
        self.inside: dict[str, str] = {}  # normalised ARN -> Fn::Sub text standing for it
        self.diagnostics: list[Diagnostic] = []
        self._pattern: re.Pattern[str] | None = None
        regions = sorted({*snap.regions, *snap.regional}, key=len, reverse=True)
        self._region = re.compile(":(" + "|".join(map(re.escape, regions)) + "):") if regions else None

    # -- resources ------------------------------------------------------------------------------------
    def add(self, rtype: str, kind: str, name: str, region: str, props: Mapping[str, Any], *,
            arn: str = "", tags: Mapping[str, str] | None = None, ref: str = "") -> str:
        """Add a resource; ``arn`` (GetAtt Arn) and ``ref`` (what Ref returns, when not the ARN) register it for
        linking. Returns its logical id."""
        service = rtype.split("::")[1].lower()
        tagged = (tags or {}).get(LOGICAL_ID_TAG)
        lid = self._logical_id(tagged, f"{service} {kind} {name}", arn or name)
        self.resources[lid] = {"Type": rtype, "Properties": {k: v for k, v in props.items() if v is not None}}
        metadata: dict[str, Any] = {ARN_KEY: arn} if arn else {}
        if tagged == lid:  # CloudFormation made it: the template that did can be joined to it (remit.live.join)
            metadata[DEPLOYED_KEY] = {"stack": (tags or {}).get(STACK_TAG, "")}
        if metadata:
            self.resources[lid]["Metadata"] = metadata
        where = f"aws://{self.account}/{region or 'global'}/{service}/{kind}/{name}"
        self.files[("Resources", lid)] = where
        if arn:
            self.arns[lid] = arn
            self.exact[self.normal(arn)] = {"Fn::GetAtt": [lid, "Arn"]}
            self.inside[self.normal(arn)] = f"${{{lid}.Arn}}"
        if ref:
            self.exact[self.normal(ref)] = {"Ref": lid}
        return lid

    def _logical_id(self, tagged: str | None, readable: str, arn: str) -> str:
        if tagged and re.fullmatch(r"[A-Za-z0-9]{1,255}", tagged) and tagged not in self.resources:
            return tagged
        lid = _camel(readable)[:MAX_LOGICAL_ID] or "Resource"
        if lid in self.resources:
            lid = f"{lid}{hashlib.sha256(arn.encode()).hexdigest()[:8]}"
        return lid

    def name_link(self, lid: str, *extra: str) -> None:
        """Also an ARN form remit sees in references (an execute-api ARN stands for its API)."""
        for value in extra:
            self.inside[self.normal(value)] = f"${{{lid}}}"

    # -- references -------------------------------------------------------------------------------------
    def normal(self, value: str) -> str:
        if not value.startswith("arn:"):
            return value
        text = value.replace("${", "${!")
        if self._region is not None:
            text = self._region.sub(":${AWS::Region}:", text)
        return re.sub(f":{re.escape(self.account)}:", ":${AWS::AccountId}:", text) if self.account else text

    def link(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.link(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.link(v) for v in value]
        if not isinstance(value, str):
            return value
        if value == self.account:
            return {"Ref": "AWS::AccountId"}
        if not value.startswith(("arn:", "https://")):
            return value  # a bare name is linked only where the converter writes the Ref itself
        normal = self.normal(value)
        if normal in self.exact:
            return self.exact[normal]
        if not value.startswith("arn:"):
            return value
        if self._pattern is None:
            known = sorted(self.inside, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(k) + r"(?![A-Za-z0-9_.-])" for k in known)) \
                if known else re.compile(r"(?!x)x")
        text = self._pattern.sub(lambda m: self.inside[m.group(0)], normal)
        return value if text == value else {"Fn::Sub": text}

    def finish(self) -> Converted:
        for res in self.resources.values():
            res["Properties"] = _unknown_or(self.link(res["Properties"]))
        template = {"AWSTemplateFormatVersion": "2010-09-09",
                    "Description": f"AWS account {self.account} as deployed "
                                   f"({', '.join(self.snap.regions) or 'no region'}), read by remit collect",
                    "Resources": self.resources}
        marks: dict[tuple[Any, ...], tuple[int, int]] = {(): (1, 1), ("Resources",): (1, 1)}
        marks.update(dict.fromkeys(self.files, (1, 1)))
        return Converted(template, marks, dict(self.files), self.diagnostics, self.arns)


# -- IAM ------------------------------------------------------------------------------------------------


def _policy_document(version: Any) -> Any:
    """The default version of a managed policy from GetAccountAuthorizationDetails."""
    for v in version if isinstance(version, list) else ():
        if isinstance(v, dict) and v.get("IsDefaultVersion"):
            return v.get("Document")
    return None


def _inline(entries: Any, key: str) -> list[dict[str, Any]] | None:
    if not isinstance(entries, list):
        return None
    return [{"PolicyName": e.get("PolicyName"), "PolicyDocument": e.get("PolicyDocument")} for e in entries
            if isinstance(e, dict) and e.get(key) is not None]


def _iam(b: _Builder, iam: Mapping[str, Any]) -> None:
    aws_managed: set[str] = set()
    attached: dict[str, dict[str, list[str]]] = {}
    policies = iam.get("Policies")
    customer: dict[str, Any] = {}
    for policy in policies if isinstance(policies, list) else ():
        arn = str(policy.get("Arn", ""))
        if ":iam::aws:policy/" in arn:
            aws_managed.add(arn)
        else:
            customer[arn] = policy
            attached[arn] = {"Roles": [], "Users": [], "Groups": []}

    def managed(entries: Any, kind: str, name: str) -> list[str] | dict[str, str]:
        if is_unknown(entries):
            return {"Fn::Unknown": "attached managed policies not read"}
        out = []
        for entry in entries if isinstance(entries, list) else ():
            arn = str(entry.get("PolicyArn", ""))
            if arn in attached:
                attached[arn][kind].append(name)
            else:
                out.append(arn)  # AWS managed: the model has their documents
        return out

    for role in iam.get("RoleDetailList") or () if isinstance(iam.get("RoleDetailList"), list) else ():
        name = str(role.get("RoleName", ""))
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        b.add("AWS::IAM::Role", "role", name, "", {
            "RoleName": name, "Path": role.get("Path"),
            "AssumeRolePolicyDocument": role.get("AssumeRolePolicyDocument"),
            "Policies": _inline(role.get("RolePolicyList"), "PolicyDocument"),
            "ManagedPolicyArns": managed(role.get("AttachedManagedPolicies"), "Roles", name) or None,
            "PermissionsBoundary": boundary}, arn=str(role.get("Arn", "")), tags=_tags(role.get("Tags")), ref=name)
    for group in iam.get("GroupDetailList") or () if isinstance(iam.get("GroupDetailList"), list) else ():
        name = str(group.get("GroupName", ""))
        b.add("AWS::IAM::Group", "group", name, "", {
            "GroupName": name, "Path": group.get("Path"),
            "Policies": _inline(group.get("GroupPolicyList"), "PolicyDocument"),
            "ManagedPolicyArns": managed(group.get("AttachedManagedPolicies"), "Groups", name) or None},
            arn=str(group.get("Arn", "")), ref=name)
    for user in iam.get("UserDetailList") or () if isinstance(iam.get("UserDetailList"), list) else ():
        name = str(user.get("UserName", ""))
        boundary = (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        login = user.get("LoginProfile")
        lid = b.add("AWS::IAM::User", "user", name, "", {
            "UserName": name, "Path": user.get("Path"), "Groups": user.get("GroupList"),
            "Policies": _inline(user.get("UserPolicyList"), "PolicyDocument"),
            "ManagedPolicyArns": managed(user.get("AttachedManagedPolicies"), "Users", name) or None,
            "PermissionsBoundary": boundary, "LoginProfile": {"Password": MASKED} if login is True else None},
            arn=str(user.get("Arn", "")), tags=_tags(user.get("Tags")), ref=name)
        for key in user.get("AccessKeys") or () if isinstance(user.get("AccessKeys"), list) else ():
            if key.get("Status") == "Active":
                b.add("AWS::IAM::AccessKey", "access-key", f"{name}/{key.get('AccessKeyId', '')[-4:]}", "",
                      {"UserName": {"Ref": lid}, "Status": "Active"})
    for arn, policy in customer.items():
        name = str(policy.get("PolicyName", ""))
        users = attached[arn]
        b.add("AWS::IAM::ManagedPolicy", "policy", name, "", {
            "ManagedPolicyName": name, "Path": policy.get("Path"),
            "PolicyDocument": _policy_document(policy.get("PolicyVersionList")),
            **{k: v for k, v in users.items() if v}}, arn=arn)
    for provider in iam.get("OpenIDConnectProviders") or () if isinstance(iam.get("OpenIDConnectProviders"),
                                                                          list) else ():
        arn = str(provider.get("Arn", ""))
        b.add("AWS::IAM::OIDCProvider", "oidc-provider", _arn_name(arn) or arn, "", {
            "Url": provider.get("Url"), "ClientIdList": provider.get("ClientIDList"),
            "ThumbprintList": provider.get("ThumbprintList")}, arn=arn)
    for provider in iam.get("SAMLProviders") or () if isinstance(iam.get("SAMLProviders"), list) else ():
        arn = str(provider.get("Arn", ""))
        b.add("AWS::IAM::SAMLProvider", "saml-provider", _arn_name(arn), "", {"Name": _arn_name(arn)}, arn=arn)


# -- S3 -------------------------------------------------------------------------------------------------

_ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
_AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def _canned_acl(acl: Any) -> str | None:
    """The canned ACL a bucket's grants amount to, when they open it (the model reads ``AccessControl``)."""
    if not isinstance(acl, dict) or is_unknown(acl):
        return None
    public = {g.get("Permission") for g in acl.get("Grants") or () if (g.get("Grantee") or {}).get("URI") == _ALL_USERS}
    if public & {"WRITE", "FULL_CONTROL"}:
        return "PublicReadWrite"
    if public:
        return "PublicRead"
    if any((g.get("Grantee") or {}).get("URI") == _AUTH_USERS for g in acl.get("Grants") or ()):
        return "AuthenticatedRead"
    return "Private"


def _public_access_block(bucket: Any, account: Any) -> Any:
    flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    if is_unknown(bucket):
        return bucket
    own = bucket if isinstance(bucket, dict) else {}
    whole = account if isinstance(account, dict) and not is_unknown(account) else {}
    if not own and not whole:
        return None
    return {f: bool(own.get(f)) or bool(whole.get(f)) for f in flags}


def _notifications(config: Any) -> Any:
    if not isinstance(config, dict) or is_unknown(config):
        return config
    out: dict[str, Any] = {}
    for key, cfn, target in (("LambdaFunctionConfigurations", "LambdaConfigurations", "Function"),
                             ("QueueConfigurations", "QueueConfigurations", "Queue"),
                             ("TopicConfigurations", "TopicConfigurations", "Topic")):
        entries = []
        for entry in config.get(key) or ():
            arn = entry.get(f"{target}Arn") or entry.get("LambdaFunctionArn")
            for event in entry.get("Events") or ():
                rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
                item: dict[str, Any] = {"Event": event, target: arn}
                if rules:
                    item["Filter"] = {"S3Key": {"Rules": [{"Name": r.get("Name"), "Value": r.get("Value")}
                                                          for r in rules]}}
                entries.append(item)
        if entries:
            out[cfn] = entries
    return out or None


def _s3(b: _Builder, s3: Mapping[str, Any]) -> None:
    account_pab = s3.get("AccountPublicAccessBlock")
    for bucket in s3.get("Buckets") or () if isinstance(s3.get("Buckets"), list) else ():
        name = str(bucket.get("Name", ""))
        region = str(bucket.get("Region") or "")
        encryption = bucket.get("Encryption")
        ownership = bucket.get("OwnershipControls")
        lid = b.add("AWS::S3::Bucket", "bucket", name, region, {
            "BucketName": name,
            "PublicAccessBlockConfiguration": _public_access_block(bucket.get("PublicAccessBlock"), account_pab),
            "AccessControl": _canned_acl(bucket.get("Acl")),
            "OwnershipControls": ownership if isinstance(ownership, dict) else None,
            "BucketEncryption": {"ServerSideEncryptionConfiguration": encryption.get("Rules")}
            if isinstance(encryption, dict) and not is_unknown(encryption) else encryption,
            "NotificationConfiguration": _notifications(bucket.get("Notification")),
            "VersioningConfiguration": {"Status": (bucket.get("Versioning") or {}).get("Status", "Suspended")}
            if isinstance(bucket.get("Versioning"), dict) and not is_unknown(bucket.get("Versioning")) else None,
        }, arn=f"arn:{b.snap.partition}:s3:::{name}", tags=_tags(bucket.get("Tags")), ref=name)
        policy = bucket.get("Policy")
        if isinstance(policy, dict):
            b.add("AWS::S3::BucketPolicy", "bucket-policy", name, region,
                  {"Bucket": {"Ref": lid}, "PolicyDocument": policy})


# -- Lambda ---------------------------------------------------------------------------------------------


def _permissions(b: _Builder, function: str, region: str, name: str, policy: Any, stack: str) -> None:
    """Each statement of a function's resource policy as the ``AWS::Lambda::Permission`` that made it.
    CloudFormation names the statement of an ``AWS::Lambda::Permission`` ``STACK-LOGICALID-SUFFIX``: when the
    function belongs to stack ``stack``, such a statement is tagged with that logical id, so it joins the
    template's permission like a tagged resource."""
    made = re.compile(re.escape(stack) + r"-([A-Za-z0-9]+)-[A-Za-z0-9]+") if stack else None
    if is_unknown(policy):
        b.diagnostics.append(Diagnostic("", Level.WARNING, "live-unknown",
                                        f"the resource policy of function {name} was not read: "
                                        f"{policy[UNKNOWN_KEY]}"))
        return
    for i, st in enumerate(policy.get("Statement") or () if isinstance(policy, dict) else ()):
        if not isinstance(st, dict) or st.get("Effect", "Allow") != "Allow":
            continue
        principal = st.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("Service") or principal.get("AWS") or principal.get("Federated")
        cond = st.get("Condition") or {}
        flat = {k.lower(): v for op in cond.values() if isinstance(op, dict) for k, v in op.items()}
        match = made.fullmatch(str(st.get("Sid") or "")) if made else None
        tags = {LOGICAL_ID_TAG: match.group(1), STACK_TAG: stack} if match else None
        b.add("AWS::Lambda::Permission", "permission", f"{name}/{st.get('Sid') or i}", region, {
            "FunctionName": {"Ref": function}, "Action": st.get("Action"), "Principal": principal,
            "SourceArn": flat.get("aws:sourcearn"), "SourceAccount": flat.get("aws:sourceaccount"),
            "PrincipalOrgID": flat.get("aws:principalorgid"),
            "FunctionUrlAuthType": flat.get("lambda:functionurlauthtype"),
            "InvokedViaFunctionUrl": flat.get("lambda:invokedviafunctionurl"),
            "EventSourceToken": flat.get("lambda:eventsourcetoken")}, tags=tags)


def _lambda(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for record in data.get("Functions") or () if isinstance(data.get("Functions"), list) else ():
        config = record.get("Configuration") or {}
        name, arn = str(config.get("FunctionName", "")), str(config.get("FunctionArn", ""))
        code: Any = record.get("Code")
        if code is None:
            code = {"ImageUri": (config.get("ImageConfigResponse") or {}).get("ImageUri") or "deployed image"} \
                if config.get("PackageType") == "Image" else \
                {"Fn::Unknown": "deployed code not downloaded (remit collect aws --download-code)"}
        env = (config.get("Environment") or {}).get("Variables")
        vpc = config.get("VpcConfig") or {}
        lid = b.add("AWS::Lambda::Function", "function", name, region, {
            "FunctionName": name, "Runtime": config.get("Runtime"), "Handler": config.get("Handler"),
            "Role": config.get("Role"), "Code": code, "PackageType": config.get("PackageType"),
            "Environment": {"Variables": env} if env else None, "MemorySize": config.get("MemorySize"),
            "Timeout": config.get("Timeout"), "Layers": [layer.get("Arn") for layer in config.get("Layers") or ()]
            or None, "TracingConfig": config.get("TracingConfig"), "KmsKeyArn": config.get("KMSKeyArn"),
            "DeadLetterConfig": config.get("DeadLetterConfig"),
            "Architectures": config.get("Architectures"),
            "VpcConfig": {"SubnetIds": vpc.get("SubnetIds"), "SecurityGroupIds": vpc.get("SecurityGroupIds")}
            if vpc.get("SubnetIds") else None,
            "LoggingConfig": config.get("LoggingConfig"),
            "ReservedConcurrentExecutions": record.get("Concurrency")},
            arn=arn, tags=_tags(record.get("Tags")), ref=name)
        if record.get("Policy") is not None:
            _permissions(b, lid, region, name, record["Policy"], _tags(record.get("Tags")).get(STACK_TAG, ""))
        for url in record.get("UrlConfigs") or () if isinstance(record.get("UrlConfigs"), list) else ():
            qualifier = str(url.get("FunctionArn", arn))[len(arn) + 1:] or None
            b.add("AWS::Lambda::Url", "url", f"{name}/{qualifier or '$LATEST'}", region, {
                "TargetFunctionArn": {"Ref": lid}, "AuthType": url.get("AuthType"), "Cors": url.get("Cors"),
                "InvokeMode": url.get("InvokeMode"), "Qualifier": qualifier})
        for cfg in record.get("EventInvokeConfigs") or () if isinstance(record.get("EventInvokeConfigs"),
                                                                         list) else ():
            dest = cfg.get("DestinationConfig") or {}
            b.add("AWS::Lambda::EventInvokeConfig", "event-invoke-config", name, region, {
                "FunctionName": {"Ref": lid}, "Qualifier": str(cfg.get("FunctionArn", arn))[len(arn) + 1:]
                or "$LATEST", "MaximumRetryAttempts": cfg.get("MaximumRetryAttempts"),
                "DestinationConfig": {k: {"Destination": v.get("Destination")} for k, v in dest.items()
                                      if isinstance(v, dict) and v.get("Destination")} or None})
        for version in record.get("Versions") or () if isinstance(record.get("Versions"), list) else ():
            b.add("AWS::Lambda::Version", "version", f"{name}/{version.get('Version')}", region, {
                "FunctionName": {"Ref": lid}, "Description": version.get("Description") or None},
                arn=str(version.get("FunctionArn", "")))  # a reference to a version stands for its function
        policies = record.get("AliasPolicies") if isinstance(record.get("AliasPolicies"), dict) else {}
        stack = _tags(record.get("Tags")).get(STACK_TAG, "")
        for alias in record.get("Aliases") or () if isinstance(record.get("Aliases"), list) else ():
            alias_lid = b.add("AWS::Lambda::Alias", "alias", f"{name}/{alias.get('Name')}", region, {
                "FunctionName": {"Ref": lid}, "Name": alias.get("Name"),
                "FunctionVersion": alias.get("FunctionVersion")}, arn=str(alias.get("AliasArn", "")))
            if policies.get(alias.get("Name")) is not None:
                _permissions(b, alias_lid, region, f"{name}:{alias.get('Name')}", policies[alias.get("Name")], stack)
    for layer in data.get("Layers") or () if isinstance(data.get("Layers"), list) else ():
        version = layer.get("Version") or {}
        name = str(layer.get("LayerName", ""))
        varn = str(version.get("LayerVersionArn", ""))
        content = layer.get("Code") if layer.get("Code") is not None else \
            {"Fn::Unknown": "layer code not downloaded"}
        lid = b.add("AWS::Lambda::LayerVersion", "layer", name, region, {
            "LayerName": name, "Content": content, "CompatibleRuntimes": version.get("CompatibleRuntimes")},
            arn=varn)
        policy = layer.get("Policy")
        for i, st in enumerate((policy or {}).get("Statement") or () if isinstance(policy, dict) else ()):
            principal = st.get("Principal")
            b.add("AWS::Lambda::LayerVersionPermission", "layer-permission", f"{name}/{st.get('Sid') or i}", region,
                  {"LayerVersionArn": {"Ref": lid}, "Action": st.get("Action"),
                   "Principal": principal.get("AWS") if isinstance(principal, dict) else principal})
    for esm in data.get("EventSourceMappings") or () if isinstance(data.get("EventSourceMappings"), list) else ():
        b.add("AWS::Lambda::EventSourceMapping", "event-source-mapping", str(esm.get("UUID", "")), region, {
            "FunctionName": esm.get("FunctionArn"), "EventSourceArn": esm.get("EventSourceArn"),
            "BatchSize": esm.get("BatchSize"), "Enabled": esm.get("State") not in ("Disabled", "Disabling"),
            "FilterCriteria": esm.get("FilterCriteria"), "StartingPosition": esm.get("StartingPosition"),
            "DestinationConfig": esm.get("DestinationConfig") or None,
            "SelfManagedEventSource": esm.get("SelfManagedEventSource")}, arn=str(esm.get("EventSourceMappingArn", "")))


# -- API Gateway ----------------------------------------------------------------------------------------


def _rest_api(b: _Builder, region: str, entry: Mapping[str, Any]) -> None:
    api = entry.get("Api") or {}
    api_id, name = str(api.get("id", "")), str(api.get("name", ""))
    arn = f"arn:{b.snap.partition}:apigateway:{region}::/restapis/{api_id}"
    policy = api.get("policy")
    lid = b.add("AWS::ApiGateway::RestApi", "restapi", f"{name or api_id}-{api_id}", region, {
        "Name": name, "EndpointConfiguration": {"Types": (api.get("endpointConfiguration") or {}).get("types")},
        "Policy": policy if isinstance(policy, dict) else None,
        "DisableExecuteApiEndpoint": api.get("disableExecuteApiEndpoint"),
        "ApiKeySourceType": api.get("apiKeySourceType")}, arn=arn, tags=_tags(api.get("tags")), ref=api_id)
    b.name_link(lid, f"arn:{b.snap.partition}:execute-api:{region}:{b.account}:{api_id}")
    authorizers: dict[str, str] = {}
    for auth in entry.get("Authorizers") or () if isinstance(entry.get("Authorizers"), list) else ():
        authorizers[str(auth.get("id"))] = b.add("AWS::ApiGateway::Authorizer", "authorizer",
                                                 f"{api_id}/{auth.get('name')}", region, {
            "RestApiId": {"Ref": lid}, "Name": auth.get("name"), "Type": auth.get("type"),
            "AuthorizerUri": auth.get("authorizerUri"), "ProviderARNs": auth.get("providerARNs"),
            "IdentitySource": auth.get("identitySource"),
            "AuthorizerResultTtlInSeconds": auth.get("authorizerResultTtlInSeconds")})
    resources = [r for r in entry.get("Resources") or () if isinstance(r, dict)] \
        if isinstance(entry.get("Resources"), list) else []
    ids: dict[str, Any] = {}
    for res in sorted(resources, key=lambda r: str(r.get("path", ""))):
        if res.get("path") == "/":
            ids[str(res.get("id"))] = {"Fn::GetAtt": [lid, "RootResourceId"]}
    for res in sorted(resources, key=lambda r: str(r.get("path", ""))):
        if res.get("path") != "/":
            ids[str(res.get("id"))] = {"Ref": b.add("AWS::ApiGateway::Resource", "resource",
                                                    f"{api_id}{res.get('path')}", region, {
                "RestApiId": {"Ref": lid}, "ParentId": ids.get(str(res.get("parentId"))),
                "PathPart": res.get("pathPart")})}
    for res in resources:
        for verb, method in (res.get("resourceMethods") or {}).items():
            if not isinstance(method, dict) or is_unknown(method):
                continue
            integration = method.get("methodIntegration") or {}
            auth_id = method.get("authorizerId")
            b.add("AWS::ApiGateway::Method", "method", f"{api_id}{res.get('path')}/{verb}", region, {
                "RestApiId": {"Ref": lid}, "ResourceId": ids.get(str(res.get("id"))), "HttpMethod": verb,
                "AuthorizationType": method.get("authorizationType"),
                "AuthorizerId": {"Ref": authorizers[auth_id]} if auth_id in authorizers else None,
                "ApiKeyRequired": method.get("apiKeyRequired"),
                "Integration": {"Type": integration.get("type"), "Uri": integration.get("uri"),
                                "IntegrationHttpMethod": integration.get("httpMethod"),
                                "Credentials": integration.get("credentials")} if integration else None})
    for stage in entry.get("Stages") or () if isinstance(entry.get("Stages"), list) else ():
        settings = []
        for path, s in (stage.get("methodSettings") or {}).items():
            resource_path, _, verb = path.rpartition("/")
            settings.append({"ResourcePath": resource_path or "/*", "HttpMethod": verb,
                             "ThrottlingRateLimit": s.get("throttlingRateLimit"),
                             "ThrottlingBurstLimit": s.get("throttlingBurstLimit"),
                             "LoggingLevel": s.get("loggingLevel"), "DataTraceEnabled": s.get("dataTraceEnabled")})
        log = stage.get("accessLogSettings") or {}
        b.add("AWS::ApiGateway::Stage", "stage", f"{api_id}/{stage.get('stageName')}", region, {
            "RestApiId": {"Ref": lid}, "StageName": stage.get("stageName"), "MethodSettings": settings or None,
            "AccessLogSetting": {"DestinationArn": log.get("destinationArn"), "Format": log.get("format")}
            if log else None, "TracingEnabled": stage.get("tracingEnabled"), "Variables": stage.get("variables"),
            "ClientCertificateId": stage.get("clientCertificateId")}, tags=_tags(stage.get("tags")))


def _apigateway(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for entry in data.get("RestApis") or () if isinstance(data.get("RestApis"), list) else ():
        _rest_api(b, region, entry)
    for plan in data.get("UsagePlans") or () if isinstance(data.get("UsagePlans"), list) else ():
        b.add("AWS::ApiGateway::UsagePlan", "usage-plan", str(plan.get("name") or plan.get("id")), region, {
            "UsagePlanName": plan.get("name"),
            "ApiStages": [{"ApiId": b.exact.get(str(s.get("apiId")), s.get("apiId")), "Stage": s.get("stage")}
                          for s in plan.get("apiStages") or ()],  # the API's Ref, so the plan joins its API
            "Throttle": {"RateLimit": (plan.get("throttle") or {}).get("rateLimit"),
                         "BurstLimit": (plan.get("throttle") or {}).get("burstLimit")} if plan.get("throttle")
            else None, "Quota": plan.get("quota")})


_V2_READ_ONLY = frozenset({"IntegrationId", "AuthorizerId", "ApiGatewayManaged",
                           "IntegrationResponseSelectionExpression"})


def _apigatewayv2(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for entry in data.get("Apis") or () if isinstance(data.get("Apis"), list) else ():
        api = entry.get("Api") or {}
        api_id, name = str(api.get("ApiId", "")), str(api.get("Name", ""))
        lid = b.add("AWS::ApiGatewayV2::Api", "api", f"{name or api_id}-{api_id}", region, {
            "Name": name, "ProtocolType": api.get("ProtocolType"), "CorsConfiguration": api.get("CorsConfiguration"),
            "DisableExecuteApiEndpoint": api.get("DisableExecuteApiEndpoint"),
            "RouteSelectionExpression": api.get("RouteSelectionExpression")},
            arn=f"arn:{b.snap.partition}:apigateway:{region}::/apis/{api_id}", tags=_tags(api.get("Tags")),
            ref=api_id)
        b.name_link(lid, f"arn:{b.snap.partition}:execute-api:{region}:{b.account}:{api_id}")
        refs: dict[str, str] = {}
        for key, rtype, kind in (("Integrations", "AWS::ApiGatewayV2::Integration", "integration"),
                                 ("Authorizers", "AWS::ApiGatewayV2::Authorizer", "authorizer")):
            for item in entry.get(key) or () if isinstance(entry.get(key), list) else ():
                item_id = str(item.get("IntegrationId") or item.get("AuthorizerId") or "")
                props = {k: v for k, v in item.items() if k not in _V2_READ_ONLY}
                refs[item_id] = b.add(rtype, kind, f"{api_id}/{item_id}", region, {"ApiId": {"Ref": lid}, **props})
        for route in entry.get("Routes") or () if isinstance(entry.get("Routes"), list) else ():
            target = str(route.get("Target") or "")
            integration = refs.get(target.removeprefix("integrations/"))
            auth = refs.get(str(route.get("AuthorizerId")))
            b.add("AWS::ApiGatewayV2::Route", "route", f"{api_id}/{route.get('RouteKey')}", region, {
                "ApiId": {"Ref": lid}, "RouteKey": route.get("RouteKey"),
                "AuthorizationType": route.get("AuthorizationType"), "ApiKeyRequired": route.get("ApiKeyRequired"),
                "AuthorizerId": {"Ref": auth} if auth else None,
                "AuthorizationScopes": route.get("AuthorizationScopes"),
                "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration}]]} if integration
                else route.get("Target")})
        for stage in entry.get("Stages") or () if isinstance(entry.get("Stages"), list) else ():
            b.add("AWS::ApiGatewayV2::Stage", "stage", f"{api_id}/{stage.get('StageName')}", region, {
                "ApiId": {"Ref": lid}, "StageName": stage.get("StageName"),
                "AccessLogSettings": stage.get("AccessLogSettings"),
                "DefaultRouteSettings": stage.get("DefaultRouteSettings"), "AutoDeploy": stage.get("AutoDeploy"),
                "StageVariables": stage.get("StageVariables")})


# -- data stores and messaging --------------------------------------------------------------------------


def _sqs(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for queue in data.get("Queues") or () if isinstance(data.get("Queues"), list) else ():
        url = str(queue.get("QueueUrl", ""))
        attrs = queue.get("Attributes") if isinstance(queue.get("Attributes"), dict) else {}
        name = url.rsplit("/", 1)[-1]
        arn = str(attrs.get("QueueArn") or f"arn:{b.snap.partition}:sqs:{region}:{b.account}:{name}")
        unknown_attrs = is_unknown(attrs)
        lid = b.add("AWS::SQS::Queue", "queue", name, region, {
            "QueueName": name, "KmsMasterKeyId": None if unknown_attrs else attrs.get("KmsMasterKeyId"),
            "SqsManagedSseEnabled": None if unknown_attrs else attrs.get("SqsManagedSseEnabled") == "true",
            "RedrivePolicy": None if unknown_attrs else attrs.get("RedrivePolicy"),
            "FifoQueue": None if unknown_attrs else attrs.get("FifoQueue") == "true" or None,
            "VisibilityTimeout": None if unknown_attrs else attrs.get("VisibilityTimeout")},
            arn=arn, tags=_tags(queue.get("Tags")), ref=url)
        policy = None if unknown_attrs else attrs.get("Policy")
        if isinstance(policy, dict):
            b.add("AWS::SQS::QueuePolicy", "queue-policy", name, region,
                  {"Queues": [{"Ref": lid}], "PolicyDocument": policy})


def _sns(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for topic in data.get("Topics") or () if isinstance(data.get("Topics"), list) else ():
        arn = str(topic.get("TopicArn", ""))
        attrs = topic.get("Attributes") if isinstance(topic.get("Attributes"), dict) else {}
        known = not is_unknown(attrs)
        name = _arn_name(arn)
        lid = b.add("AWS::SNS::Topic", "topic", name, region, {
            "TopicName": name, "KmsMasterKeyId": attrs.get("KmsMasterKeyId") if known else None,
            "FifoTopic": (attrs.get("FifoTopic") == "true" or None) if known else None},
            arn=arn, tags=_tags(topic.get("Tags")))
        b.exact[b.normal(arn)] = {"Ref": lid}  # a topic's Ref is its ARN
        policy = attrs.get("Policy") if known else None
        if isinstance(policy, dict):
            b.add("AWS::SNS::TopicPolicy", "topic-policy", name, region,
                  {"Topics": [{"Ref": lid}], "PolicyDocument": policy})
        for sub in topic.get("Subscriptions") or () if isinstance(topic.get("Subscriptions"), list) else ():
            b.add("AWS::SNS::Subscription", "subscription", _arn_name(str(sub.get("SubscriptionArn", ""))) or
                  f"{name}/{sub.get('Endpoint')}", region, {"TopicArn": {"Ref": lid}, "Protocol": sub.get("Protocol"),
                                                            "Endpoint": sub.get("Endpoint")})


def _secretsmanager(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for secret in data.get("Secrets") or () if isinstance(data.get("Secrets"), list) else ():
        arn, name = str(secret.get("ARN", "")), str(secret.get("Name", ""))
        lid = b.add("AWS::SecretsManager::Secret", "secret", name, region, {
            "Name": name, "KmsKeyId": secret.get("KmsKeyId"), "Description": secret.get("Description")},
            arn=arn, tags=_tags(secret.get("Tags")))
        b.exact[b.normal(arn)] = {"Ref": lid}
        policy = secret.get("ResourcePolicy")
        if isinstance(policy, dict):
            b.add("AWS::SecretsManager::ResourcePolicy", "secret-policy", name, region,
                  {"SecretId": {"Ref": lid}, "ResourcePolicy": policy})
        if secret.get("RotationEnabled"):
            b.add("AWS::SecretsManager::RotationSchedule", "rotation", name, region, {
                "SecretId": {"Ref": lid}, "RotationLambdaARN": secret.get("RotationLambdaARN"),
                "RotationRules": secret.get("RotationRules")})


def _kms(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for key in data.get("Keys") or () if isinstance(data.get("Keys"), list) else ():
        meta = key.get("Metadata") if isinstance(key.get("Metadata"), dict) else {}
        arn, key_id = str(meta.get("Arn", "")), str(meta.get("KeyId", ""))
        b.add("AWS::KMS::Key", "key", key_id, region, {
            "Description": meta.get("Description") or None, "KeyPolicy": key.get("Policy"),
            "EnableKeyRotation": key.get("Rotation"), "KeyUsage": meta.get("KeyUsage"),
            "KeySpec": meta.get("KeySpec"), "Enabled": meta.get("Enabled")},
            arn=arn, tags=_tags(key.get("Tags")), ref=key_id)


def _dynamodb(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for entry in data.get("Tables") or () if isinstance(data.get("Tables"), list) else ():
        table = entry.get("Table") if isinstance(entry.get("Table"), dict) else {}
        name = str(entry.get("Name", ""))
        sse = table.get("SSEDescription") or {}
        stream = table.get("StreamSpecification") or {}
        policy = entry.get("Policy")
        arn = str(table.get("TableArn") or f"arn:{b.snap.partition}:dynamodb:{region}:{b.account}:table/{name}")
        lid = b.add("AWS::DynamoDB::Table", "table", name, region, {
            "TableName": name,
            "SSESpecification": {"SSEEnabled": sse.get("Status") in ("ENABLED", "ENABLING"),
                                 "SSEType": sse.get("SSEType"), "KMSMasterKeyId": sse.get("KMSMasterKeyArn")}
            if sse else None,
            "StreamSpecification": {"StreamViewType": stream.get("StreamViewType")}
            if stream.get("StreamEnabled") else None,
            "ResourcePolicy": {"PolicyDocument": policy} if isinstance(policy, dict) else None,
            "BillingMode": (table.get("BillingModeSummary") or {}).get("BillingMode")},
            arn=arn, tags=_tags(entry.get("Tags")), ref=name)
        stream_arn = table.get("LatestStreamArn")
        if isinstance(stream_arn, str):
            b.exact[b.normal(stream_arn)] = {"Fn::GetAtt": [lid, "StreamArn"]}
            b.inside[b.normal(stream_arn)] = f"${{{lid}.StreamArn}}"


# -- events, schedules, workflows, logs, identity ---------------------------------------------------------


def _events(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for entry in data.get("Buses") or () if isinstance(data.get("Buses"), list) else ():
        bus = entry.get("Bus") or {}
        name = str(bus.get("Name", "default"))
        policy = bus.get("Policy")
        lid = b.add("AWS::Events::EventBus", "event-bus", name, region, {
            "Name": name, "Policy": policy if isinstance(policy, dict) else None},
            arn=str(bus.get("Arn", "")), ref=name, tags=_tags(entry.get("Tags")))
        for rule in entry.get("Rules") or () if isinstance(entry.get("Rules"), list) else ():
            pattern = rule.get("EventPattern")
            b.add("AWS::Events::Rule", "rule", f"{name}/{rule.get('Name')}", region, {
                "Name": rule.get("Name"), "EventBusName": {"Ref": lid} if name != "default" else None,
                "EventPattern": pattern, "ScheduleExpression": rule.get("ScheduleExpression"),
                "State": rule.get("State"), "RoleArn": rule.get("RoleArn"),
                "Targets": [{"Id": t.get("Id"), "Arn": t.get("Arn"), "RoleArn": t.get("RoleArn")}
                            for t in rule.get("Targets") or () if isinstance(t, dict)]
                if isinstance(rule.get("Targets"), list) else rule.get("Targets")}, arn=str(rule.get("Arn", "")),
                tags=_tags(rule.get("Tags")))


def _scheduler(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for schedule in data.get("Schedules") or () if isinstance(data.get("Schedules"), list) else ():
        if not isinstance(schedule, dict) or is_unknown(schedule):
            continue
        target = schedule.get("Target") or {}
        b.add("AWS::Scheduler::Schedule", "schedule", f"{schedule.get('GroupName')}/{schedule.get('Name')}", region, {
            "Name": schedule.get("Name"), "GroupName": schedule.get("GroupName"),
            "ScheduleExpression": schedule.get("ScheduleExpression"), "State": schedule.get("State"),
            "Target": {"Arn": target.get("Arn"), "RoleArn": target.get("RoleArn")},
            "FlexibleTimeWindow": schedule.get("FlexibleTimeWindow")}, arn=str(schedule.get("Arn", "")))


def _stepfunctions(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for entry in data.get("StateMachines") or () if isinstance(data.get("StateMachines"), list) else ():
        machine = entry.get("StateMachine")
        if not isinstance(machine, dict) or is_unknown(machine):
            continue
        b.add("AWS::StepFunctions::StateMachine", "state-machine", str(machine.get("name", "")), region, {
            "StateMachineName": machine.get("name"), "DefinitionString": machine.get("definition"),
            "RoleArn": machine.get("roleArn"), "StateMachineType": machine.get("type"),
            "LoggingConfiguration": machine.get("loggingConfiguration"),
            "TracingConfiguration": machine.get("tracingConfiguration"),
            "EncryptionConfiguration": machine.get("encryptionConfiguration")},
            arn=str(machine.get("stateMachineArn", "")), tags=_tags(entry.get("Tags")))


def _logs(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for group in data.get("LogGroups") or () if isinstance(data.get("LogGroups"), list) else ():
        name = str(group.get("logGroupName", ""))
        b.add("AWS::Logs::LogGroup", "log-group", name, region, {
            "LogGroupName": name, "RetentionInDays": group.get("retentionInDays"), "KmsKeyId": group.get("kmsKeyId")},
            arn=str(group.get("arn", "")).removesuffix(":*"), ref=name)


def _cognito(b: _Builder, region: str, data: Mapping[str, Any]) -> None:
    for entry in data.get("UserPools") or () if isinstance(data.get("UserPools"), list) else ():
        pool = entry.get("UserPool")
        if not isinstance(pool, dict) or is_unknown(pool):
            continue
        pool_id = str(pool.get("Id", ""))
        lid = b.add("AWS::Cognito::UserPool", "userpool", f"{pool.get('Name')}-{pool_id}", region, {
            "UserPoolName": pool.get("Name"), "Policies": pool.get("Policies"),
            "MfaConfiguration": pool.get("MfaConfiguration"),
            "Schema": [{"Name": a.get("Name"), "Mutable": a.get("Mutable"),
                        "DeveloperOnlyAttribute": a.get("DeveloperOnlyAttribute")}
                       for a in pool.get("SchemaAttributes") or ()] or None,
            "AdminCreateUserConfig": pool.get("AdminCreateUserConfig"), "LambdaConfig": pool.get("LambdaConfig"),
            "UserPoolTags": pool.get("UserPoolTags")}, arn=str(pool.get("Arn", "")), ref=pool_id,
            tags=_tags(pool.get("UserPoolTags")))
        for client in entry.get("Clients") or () if isinstance(entry.get("Clients"), list) else ():
            if not isinstance(client, dict) or is_unknown(client):
                continue
            b.add("AWS::Cognito::UserPoolClient", "client", f"{pool_id}/{client.get('ClientId')}", region, {
                "UserPoolId": {"Ref": lid}, "ClientName": client.get("ClientName"),
                "GenerateSecret": bool(client.get("HasClientSecret")),
                "WriteAttributes": client.get("WriteAttributes"), "ReadAttributes": client.get("ReadAttributes"),
                "ExplicitAuthFlows": client.get("ExplicitAuthFlows"),
                "AllowedOAuthFlows": client.get("AllowedOAuthFlows"),
                "CallbackURLs": client.get("CallbackURLs")}, ref=str(client.get("ClientId", "")))
    for entry in data.get("IdentityPools") or () if isinstance(data.get("IdentityPools"), list) else ():
        pool = entry.get("Pool")
        if not isinstance(pool, dict) or is_unknown(pool):
            continue
        pool_id = str(pool.get("IdentityPoolId", ""))
        lid = b.add("AWS::Cognito::IdentityPool", "identitypool", f"{pool.get('IdentityPoolName')}-{pool_id}",
                    region, {"IdentityPoolName": pool.get("IdentityPoolName"),
                             "AllowUnauthenticatedIdentities": pool.get("AllowUnauthenticatedIdentities"),
                             "AllowClassicFlow": pool.get("AllowClassicFlow"),
                             "CognitoIdentityProviders": pool.get("CognitoIdentityProviders")}, ref=pool_id,
                    tags=_tags(pool.get("IdentityPoolTags")))
        roles = entry.get("Roles")
        if isinstance(roles, dict) and not is_unknown(roles) and roles.get("Roles"):
            b.add("AWS::Cognito::IdentityPoolRoleAttachment", "identitypool-roles", pool_id, region, {
                "IdentityPoolId": {"Ref": lid}, "Roles": roles.get("Roles"), "RoleMappings": roles.get("RoleMappings")})


REGIONAL = {"lambda": _lambda, "apigateway": _apigateway, "apigatewayv2": _apigatewayv2, "sqs": _sqs, "sns": _sns,
            "secretsmanager": _secretsmanager, "kms": _kms, "dynamodb": _dynamodb, "events": _events,
            "scheduler": _scheduler, "stepfunctions": _stepfunctions, "logs": _logs, "cognito": _cognito}


def _register_first(b: _Builder, snap: Snapshot) -> None:
    """Global services first: regional resources refer to roles and buckets."""
    _iam(b, snap.iam)
    _s3(b, snap.s3)


def convert(snap: Snapshot) -> Converted:
    """The snapshot's resources as one CloudFormation-shaped template (the whole account is one deployment
    unit: attack paths move between every collected resource)."""
    b = _Builder(snap)
    _register_first(b, snap)
    for region in sorted(snap.regional):
        services = snap.regional[region]
        for name, step in REGIONAL.items():
            data = services.get(name)
            if isinstance(data, dict):
                step(b, region, data)
    return b.finish()


def stacks(snap: Snapshot) -> Iterable[tuple[str, str, Any]]:
    """(region, stack name, template) of every collected CloudFormation stack."""
    for region, services in sorted(snap.regional.items()):
        data = services.get("cloudformation")
        for stack in (data or {}).get("Stacks") or () if isinstance(data, dict) else ():
            if isinstance(stack, dict):
                yield region, str(stack.get("StackName", "")), stack.get("Template")
