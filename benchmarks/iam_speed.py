"""How much of a scan the IAM machinery costs: the corpus folders and a generated app of many roles.

    .venv/bin/python benchmarks/iam_speed.py [--corpus DIR ...] [--roles 50,200,500] [--profile N] [--no-corpus]

Each target is scanned in this process (``remit.api.scan``, one process, every rule, the attack graph and the
blast radius of the JSON report) while a sampling thread looks at the scanning thread's stack every millisecond.
A sample counts as *IAM* when some frame on the stack is in ``remit/iam/`` or ``remit/rules/iam/`` (whoever
called it: a rule, the least-privilege analysis, the graph), and as *privesc* when one is in
``remit/iam/privesc.py``. The table gives the wall-clock time of the scan and those shares; ``--profile N``
also runs the scan under cProfile and prints the N functions with the most time of their own.

The generated app (``--roles``) is one CloudFormation template of N roles, each with a function and an inline
policy drawn from a rotation of shapes real templates have: ``Action: "*"``, ``s3:*`` and ``iam:Pass*`` on every
resource, ``lambda:UpdateFunctionCode`` on ``*``, scoped table access, a ``Deny`` beside a wildcard, a
permissions boundary. Plain CloudFormation, so the SAM translator's cost stays out of the figure.

CPU time is shared with whatever else the machine runs: compare the shares and the figures of one run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REMIT_SHARED", ROOT.parent / "shared"))
CORPORA = SHARED / "corpora"

_IAM = (os.sep + os.path.join("remit", "iam") + os.sep, os.sep + os.path.join("remit", "rules", "iam") + os.sep)
_PRIVESC = os.path.join("remit", "iam", "privesc.py")


@dataclass(frozen=True)
class Measure:
    name: str
    seconds: float
    samples: int
    iam: int
    privesc: int
    findings: int

    def row(self) -> str:
        share = (lambda n: f"{100 * n / self.samples:5.1f} %") if self.samples else (lambda _n: "    -")
        iam_seconds = self.seconds * self.iam / max(self.samples, 1)
        return (f"{self.name:<28} {self.seconds:8.2f} s {share(self.iam):>9} {iam_seconds:8.2f} s"
                f" {share(self.privesc):>9} {self.findings:>9}")


class Sampler(threading.Thread):
    """Looks at one thread's stack every ``interval`` seconds and counts where it is."""

    def __init__(self, target: int, interval: float = 0.001) -> None:
        super().__init__(daemon=True)
        self.target, self.interval = target, interval
        self.counts: Counter[str] = Counter()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            frame = sys._current_frames().get(self.target)  # a sampling profiler's one way in
            iam = privesc = False
            while frame is not None:
                name = frame.f_code.co_filename
                if any(part in name for part in _IAM):
                    iam = True
                    if name.endswith(_PRIVESC):
                        privesc = True
                        break
                frame = frame.f_back
            self.counts["all"] += 1
            self.counts["iam"] += iam
            self.counts["privesc"] += privesc
            time.sleep(self.interval)


def _scan(target: Path) -> int:
    from remit.api import scan
    from remit.options import ScanOptions
    from remit.report import Format, render

    result = scan([target], ScanOptions(fail_on=None, parallel=False))
    render(result, Format.JSON)  # the blast radius of every function is part of the JSON report
    return len(result.findings)


def measure(name: str, target: Path) -> Measure:
    sys.setswitchinterval(0.0005)
    sampler = Sampler(threading.get_ident())
    sampler.start()
    start = time.perf_counter()
    try:
        findings = _scan(target)
    finally:
        elapsed = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    c = sampler.counts
    return Measure(name, elapsed, c["all"], c["iam"], c["privesc"], findings)


def profile(target: Path, top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    _scan(target)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------
# the generated app

_SHAPES: tuple[list[dict[str, object]], ...] = (
    [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
     {"Effect": "Allow", "Action": ["iam:Pass*"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      "Resource": {"Fn::GetAtt": ["Table", "Arn"]}},
     {"Effect": "Allow", "Action": "sqs:Send*", "Resource": "*"}],
    [{"Effect": "Allow", "Action": "*", "Resource": "*"},
     {"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
      "Resource": "*"},
     {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
      "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:*:*:*"}},
     {"Effect": "Allow", "Action": ["ec2:*", "iam:Get*", "iam:List*"], "Resource": "*",
      "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}],
)


def generated(roles: int) -> dict[str, object]:
    """A CloudFormation template: ``roles`` roles, each with a function and one of :data:`_SHAPES`."""
    resources: dict[str, object] = {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
        "Boundary": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "sqs:*",
                                                                                 "logs:*"], "Resource": "*"}]}}},
    }
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    for i in range(roles):
        props: dict[str, object] = {
            "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": f"p{i}", "PolicyDocument": {"Version": "2012-10-17",
                                                                     "Statement": _SHAPES[i % len(_SHAPES)]}}],
        }
        if i % 11 == 10:
            props["PermissionsBoundary"] = {"Ref": "Boundary"}
        resources[f"Role{i}"] = {"Type": "AWS::IAM::Role", "Properties": props}
        resources[f"Fn{i}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": [f"Role{i}", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", type=Path, default=[],
                        help="a folder to scan (default: each folder of ../shared/corpora)")
    parser.add_argument("--no-corpus", action="store_true", help="only the generated apps")
    parser.add_argument("--roles", default="50,200,500", help="sizes of the generated app (comma-separated; "
                        "empty for none)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile each target and print its N most expensive functions")
    args = parser.parse_args(argv)

    targets: list[tuple[str, Path]] = []
    if not args.no_corpus:
        folders = args.corpus or (sorted(p for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else [])
        targets += [(p.name, p) for p in folders]
    scratch = tempfile.TemporaryDirectory(prefix="remit-iam-speed-")
    for size in (int(s) for s in args.roles.split(",") if s.strip()):
        folder = Path(scratch.name) / f"roles-{size}"
        folder.mkdir()
        (folder / "template.json").write_text(json.dumps(generated(size)), encoding="utf-8")
        targets.append((f"generated, {size} roles", folder))

    print(f"{'target':<28} {'scan':>10} {'IAM share':>9} {'IAM time':>9} {'privesc':>9} {'findings':>9}")
    with scratch:
        for name, path in targets:
            print(measure(name, path).row(), flush=True)
            if args.profile:
                print(profile(path, args.profile), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
