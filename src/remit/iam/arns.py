"""Template values as ARNs: how a statement's ``${Bucket.Arn}/*`` is compared with a modelled entity.

Offline, an entity's ARN is partly unknown (the account, the region, often a generated name). remit writes every
ARN with sample values for the pseudo parameters (account :data:`ACCOUNT`, region ``us-east-1``, partition
``aws``) and the entity's literal name, or, when the name is chosen at deployment, a token no literal pattern
spells (only a wildcard in that position matches it). A statement value is written the same way: a reference to
a modelled resource becomes that resource's ARN or name (``!GetAtt Q.Arn`` the ARN, ``!Ref Bucket`` the name, as
CloudFormation returns them); a reference to another resource becomes a token that matches nothing else; a
parameter, an imported value or a policy variable is *unknown* and matches only "maybe".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from remit.iam.conditions import Tri
from remit.iam.match import wildcard_match
from remit.model.entities import (
    Api,
    Bucket,
    Entity,
    Function,
    Group,
    KmsKey,
    LogGroup,
    Role,
    Table,
    User,
)
from remit.model.stores import STORES
from remit.model.values import Concat, Symbol, SymbolKind, Unknown, Value, text

#: the template's own account. Not a 12-digit id on purpose: AWS's documentation account (123456789012) is a
#: real, foreign account in users' templates, and no literal account id a template names can equal this.
ACCOUNT = "remit-own-account"
REGION = "us-east-1"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::Region": REGION,
          "AWS::URLSuffix": "amazonaws.com"}
UNNAMED = "\x01"  # prefix of the token standing for a name chosen at deployment
OTHER = "\x03"  # a resource outside the model: matches nothing but itself
UNSURE = "\x04"  # an unknown part in a strict pattern
SPELLED = "\x02"  # brackets a deploy-time value spelled symbolically: the same expression is the same name

#: entity type -> ARN form ({n}: the name); types whose ``Ref`` is the ARN
_FORMS: tuple[tuple[type[Entity], str], ...] = (
    *((s.kind, s.arn.format(region=REGION, account=ACCOUNT, n="{n}")) for s in STORES),  # the store table's
    (Function, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{n}}"),
    (Role, f"arn:aws:iam::{ACCOUNT}:role/{{n}}"),
    (User, f"arn:aws:iam::{ACCOUNT}:user/{{n}}"),
    (Group, f"arn:aws:iam::{ACCOUNT}:group/{{n}}"),
    (Api, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{{n}}"),
    (LogGroup, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{{n}}"),
)
_REF_IS_ARN = tuple(s.kind for s in STORES if s.ref_is_arn)


def _spelled(sym: Symbol) -> str | None:
    """A deploy-time value written as its expression (``${AWS::StackName}``, a parameter): two names that spell
    the same expression in one template are the same name, whatever the value turns out to be."""
    if sym.kind is SymbolKind.PARAMETER or (sym.kind is SymbolKind.PSEUDO and sym.name not in PSEUDO):
        return f"{SPELLED}{sym.kind.value}:{sym.name}{SPELLED}"
    return None


def _spelled_name(value: Value) -> str | None:
    """A name built from literals, pseudo parameters and parameters (``!Sub "${AWS::StackName}-deployer"``),
    spelled symbolically; None when it holds anything else."""
    parts = value.parts if isinstance(value, Concat) else (value,)
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        if not isinstance(part, Symbol):
            return None
        known = PSEUDO.get(part.name) if part.kind is SymbolKind.PSEUDO else None
        spelled = known or _spelled(part)
        if spelled is None:
            return None
        out.append(spelled)
    return "".join(out) or None


def entity_name(entity: Entity) -> str:
    value: Value | None = getattr(entity, "name", None)
    if value is None or isinstance(entity, (KmsKey, Api)):
        return UNNAMED + entity.logical_id
    return text(value) or _spelled_name(value) or UNNAMED + entity.logical_id


def entity_arn(entity: Entity) -> str:
    name = entity_name(entity)
    for kind, form in _FORMS:
        if isinstance(entity, kind):
            return form.format(n=name)
    return f"arn:aws:{entity.resource.type.split('::')[1].lower() if '::' in entity.resource.type else 'x'}" \
           f":{REGION}:{ACCOUNT}:{name}"


def probes(entity: Entity) -> tuple[str, ...]:
    """ARNs a statement may name the entity by (a bucket also by an object inside it, an API by a route)."""
    arn = entity_arn(entity)
    if isinstance(entity, Bucket):
        return arn, f"{arn}/{UNNAMED}object"
    if isinstance(entity, Api):
        return arn, f"{arn}/{UNNAMED}stage/GET/{UNNAMED}path"
    if isinstance(entity, Function):
        return arn, f"{arn}:{UNNAMED}qualifier"
    if isinstance(entity, Table):
        return arn, f"{arn}/index/{UNNAMED}index"
    return (arn,)


Lookup = Callable[[str], Entity | None]  # logical id (in the statement's document) -> entity


def _symbol(sym: Symbol, lookup: Lookup) -> str | None:
    """The symbol written out; None when unknown. A parameter or an unknown pseudo parameter is spelled as its
    expression (:func:`_spelled`): in the strict pattern it matches the same expression only."""
    if sym.kind is SymbolKind.PSEUDO and sym.name in PSEUDO:
        return PSEUDO[sym.name]
    if sym.kind in (SymbolKind.PSEUDO, SymbolKind.PARAMETER):
        return _spelled(sym)
    entity = lookup(sym.name)
    if entity is None:
        return OTHER + sym.name
    is_arn = sym.attribute == "Arn" or (not sym.attribute and isinstance(entity, _REF_IS_ARN))
    if is_arn:
        return entity_arn(entity)
    if sym.attribute in ("", "Name", "QueueName", "TopicName", "KeyId", "RoleId", "FunctionName"):
        return entity_name(entity)
    return OTHER + sym.name + "." + sym.attribute


def patterns(value: Value, lookup: Lookup) -> tuple[str, str] | None:
    """(strict, loose) pattern strings for a statement value: unknown parts are a character nothing spells in
    the strict one and ``*`` in the loose one. None for a value that is not a string at all."""
    if isinstance(value, str):
        if "${" in value:  # a policy variable left in: unknown here
            import re  # noqa: PLC0415 - rare path

            return re.sub(r"\$\{[^}]*\}", UNSURE, value), re.sub(r"\$\{[^}]*\}", "*", value)
        return value, value
    if isinstance(value, Symbol):
        written = _symbol(value, lookup)
        if written is None:
            return UNSURE, "*"
        return written, "*" if written.startswith(SPELLED) else written
    if isinstance(value, Concat):
        strict: list[str] = []
        loose: list[str] = []
        for part in value.parts:
            if isinstance(part, str):
                strict.append(part)
                loose.append(part)
            elif isinstance(part, Symbol):
                written = _symbol(part, lookup)
                strict.append(UNSURE if written is None else written)
                loose.append("*" if written is None or written.startswith(SPELLED) else written)
            else:
                strict.append(UNSURE)
                loose.append("*")
        return "".join(strict), "".join(loose)
    if isinstance(value, Unknown):
        return UNSURE, "*"
    return None


def request(arn: str) -> str:
    """An ARN a request names, as statements are compared with it. A request names one resource; a wildcard in
    it says what the caller does not fix. A region or account left as ``*`` is the caller's own (a call that
    names a table or queue by name: the SDK resolves the name in the caller's own account and region); any
    other wildcard (``arn:aws:s3:::uploads/*``: some object) is an unknown part (:data:`UNSURE`), which a
    statement covers for certain only with a wildcard in that place, and otherwise maybe."""
    if "*" not in arn and "?" not in arn:
        return arn
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        if parts[3] in ("*", "?"):
            parts[3] = REGION
        if parts[4] in ("*", "?"):
            parts[4] = ACCOUNT
        arn = ":".join(parts)
    return arn.replace("*", UNSURE).replace("?", UNSURE)


def covers(value: Value, targets: tuple[str, ...], lookup: Lookup) -> Tri:
    """Whether a statement value covers one of the target ARNs."""
    found = patterns(value, lookup)
    if found is None:
        return Tri.FALSE
    strict, loose = found
    if any(wildcard_match(strict, t) for t in targets):
        return Tri.TRUE
    if strict != loose and any(wildcard_match(loose, t) for t in targets):
        return Tri.UNKNOWN
    return Tri.FALSE


@dataclass(frozen=True, slots=True)
class Target:
    """The resource of a request: the ARNs it may be named by, and the modelled entity when there is one."""

    arns: tuple[str, ...]
    entity: Entity | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return self.arns
