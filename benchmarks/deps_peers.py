"""Agreement between remit's advisory matching and pip-audit's, on the same advisories, offline.

pip-audit has no offline mode, but it can be pointed at any OSV-compatible API (``--osv-url``). This script
serves the PyPA advisory database (``../shared/advisories/pypa`` or ``--db``) from a local OSV stand-in on
127.0.0.1 that answers ``/v1/query`` the way OSV answers for PyPI: a version is affected when the record
enumerates it in ``affected[].versions`` (independent of remit's range logic). It then builds pinned
requirements files from the database itself (for a sample of packages: versions the records name as
affected, the first fixed versions, and versions just past them), runs ``pip-audit --no-deps --disable-pip
-s osv --osv-url ...`` on them and compares, per (package, version), the advisory ids with remit's
(:func:`remit.deps.advisories.matches` over the same records). It prints the agreement and the differences.

Usage: ``python benchmarks/deps_peers.py [--pip-audit /tmp/peers-deps/bin/pip-audit] [--packages 120]``.
Skips cleanly (exit 0 with a message) when pip-audit or the database is absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from remit.deps import advisories  # noqa: E402 - after sys.path names the sibling benchmark modules
from remit.deps.facts import Ecosystem, normalise  # noqa: E402 - after sys.path names the sibling benchmark modules


class _Osv(http.server.BaseHTTPRequestHandler):
    db: ClassVar[advisories.Database]

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = normalise(Ecosystem.PYPI, query["package"]["name"])
        version = query.get("version", "")
        vulns = []
        for record in self.db.for_package(Ecosystem.PYPI, name):
            for affected in record.get("affected") or ():
                pkg = affected.get("package") or {}
                if normalise(Ecosystem.PYPI, str(pkg.get("name"))) == name and \
                        version in (affected.get("versions") or ()):
                    vulns.append(record)
                    break
        body = json.dumps({"vulns": [_api_form(v) for v in vulns]} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _api_form(record: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as the OSV API writes them (``2021-01-01T00:00:00Z``); database files vary."""
    out = dict(record)
    for key in ("published", "modified", "withdrawn"):
        if isinstance(out.get(key), str):
            try:
                stamp = dt.datetime.fromisoformat(out[key].replace("Z", "+00:00"))
            except ValueError:
                continue
            out[key] = stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def _cases(db: advisories.Database, count: int, seed: int) -> list[tuple[str, str]]:
    """(package, version) pairs drawn from the records: affected versions, first fixed, just past fixed."""
    rng = random.Random(seed)
    names = sorted({key for (eco, key) in db.index if eco is Ecosystem.PYPI})
    rng.shuffle(names)
    cases: set[tuple[str, str]] = set()
    for name in names[:count]:
        versions: set[str] = set()
        for record in db.for_package(Ecosystem.PYPI, name):
            for affected in record.get("affected") or ():
                listed = list(affected.get("versions") or ())
                versions |= set(rng.sample(listed, min(2, len(listed))))
                versions |= set(advisories.fixed_versions(affected)[:2])
        for v in sorted(versions)[:6]:
            if advisories._key(Ecosystem.PYPI, v) is not None:
                cases.add((name, v))
    return sorted(cases)


Prepared = tuple[argparse.Namespace, advisories.Database, list[tuple[str, str]], dict[tuple[str, str], set[str]]]


def prepare(description: str, peer: str, install: str) -> Prepared | None:
    """The command line (``--<peer>`` names the peer's program), the database, the cases and remit's answers;
    None (after saying why) when the peer or the database is absent."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{peer}", dest="peer", default=shutil.which(peer) or f"/tmp/peers-deps/bin/{peer}")
    parser.add_argument("--db", type=Path, default=ROOT.parent / "shared" / "advisories" / "pypa")
    parser.add_argument("--packages", type=int, default=120)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if not Path(args.peer).exists():
        print(f"skip: {peer} not found at {args.peer} ({install})")
        return None
    if not args.db.is_dir():
        print(f"skip: no advisory database at {args.db}")
        return None
    db = advisories.load_database([args.db])
    cases = _cases(db, args.packages, args.seed)
    ours = {(n, v): {a.id for a, _ in advisories.matches(db, Ecosystem.PYPI, n, v)} for n, v in cases}
    return args, db, cases, ours


def main() -> int:
    prepared = prepare(__doc__.split("\n\n")[0], "pip-audit",
                       "python3 -m venv /tmp/peers-deps && /tmp/peers-deps/bin/pip install pip-audit")
    if prepared is None:
        return 0
    args, db, cases, ours = prepared

    _Osv.db = db
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Osv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    theirs: dict[tuple[str, str], set[str]] = {case: set() for case in cases}
    rounds = rounds_of(cases)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, batch in enumerate(rounds):
            req = Path(tmp) / f"requirements-{i}.txt"
            req.write_text("".join(f"{n}=={v}\n" for n, v in batch))
            run = subprocess.run([args.peer, "-r", str(req), "--no-deps", "--disable-pip", "-s", "osv",
                                  "--osv-url", url, "-f", "json", "--progress-spinner", "off",
                                  "--cache-dir", str(Path(tmp) / "cache")],
                                 capture_output=True, text=True, check=False, timeout=600)
            try:
                report = json.loads(run.stdout)
            except ValueError:
                failures += 1
                print(f"pip-audit failed on round {i}: {run.stderr.strip()[-300:]}")
                continue
            for dep in report.get("dependencies", []):
                key = (normalise(Ecosystem.PYPI, dep["name"]), dep.get("version", ""))
                if key in theirs:
                    theirs[key] = {v["id"] for v in dep.get("vulns", [])}
    server.shutdown()

    print(f"advisory database: {args.db} ({len(db.records)} records)")
    compare("pip-audit", cases, ours, theirs, f"{args.packages} packages, {len(rounds)} pip-audit runs"
            f"{f', {failures} failed' if failures else ''}")
    return 0


def rounds_of(cases: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The cases split into requirements files: one file cannot pin one package twice."""
    rounds: list[list[tuple[str, str]]] = []
    for case in cases:
        for batch in rounds:
            if all(n != case[0] for n, _ in batch):
                batch.append(case)
                break
        else:
            rounds.append([case])
    return rounds


def compare(peer: str, cases: list[tuple[str, str]], ours: dict[tuple[str, str], set[str]],
            theirs: dict[tuple[str, str], set[str]], how: str) -> None:
    """Print the agreement per case and per (case, advisory) pair, and every difference."""
    ids_ours = {(c, i) for c, found in ours.items() for i in found}
    ids_theirs = {(c, i) for c, found in theirs.items() for i in found}
    same_cases = sum(1 for c in cases if ours[c] == theirs[c])
    both = ids_ours & ids_theirs
    print(f"cases: {len(cases)} (package, version) pairs from {how}")
    print(f"verdict agreement per case: {same_cases}/{len(cases)} ({100 * same_cases / max(len(cases), 1):.1f}%)")
    print(f"(case, advisory) pairs: remit {len(ids_ours)}, {peer} {len(ids_theirs)}, both {len(both)}; "
          f"only remit {len(ids_ours - ids_theirs)}, only {peer} {len(ids_theirs - ids_ours)}")
    for case in cases:
        if ours[case] != theirs[case]:
            extra, missing = sorted(ours[case] - theirs[case]), sorted(theirs[case] - ours[case])
            print(f"  {case[0]}=={case[1]}: only remit {len(extra)} ({', '.join(extra[:3])}), "
                  f"only {peer} {len(missing)} ({', '.join(missing[:3])})")

if __name__ == "__main__":
    raise SystemExit(main())
