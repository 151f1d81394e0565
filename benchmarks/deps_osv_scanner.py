"""Agreement between remit's advisory matching and osv-scanner's offline mode, on the same advisories.

osv-scanner reads OSV's per-ecosystem archives from a local directory in its offline mode
(``$OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY/osv-scanner/<ecosystem>/all.zip``), the same archives remit's
advisory cache holds. This script zips the PyPA advisory database (``../shared/advisories/pypa`` or ``--db``)
into that layout, writes pinned requirements files drawn from the records (the cases of ``deps_peers.py``),
runs osv-scanner offline on them (``scan source --offline-vulnerabilities`` in v2, ``--experimental-offline``
in v1) and compares, per (package, version), the advisory ids with remit's
(:func:`remit.deps.advisories.matches` over the same records). No network is used by either tool.

Usage: ``python benchmarks/deps_osv_scanner.py [--osv-scanner PATH] [--packages 120]``. Skips cleanly (exit 0
with a message) when osv-scanner or the database is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from deps_peers import compare, prepare, rounds_of  # noqa: E402 - after sys.path names the sibling benchmark modules

from remit.deps.facts import Ecosystem, normalise  # noqa: E402 - after sys.path names the sibling benchmark modules


def _command(binary: str, lockfile: Path) -> list[str]:
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    if "version: 1." in version or version.strip().startswith("osv-scanner version: 1"):
        return [binary, "--experimental-offline", "--format", "json", "--lockfile", f"requirements.txt:{lockfile}"]
    return [binary, "scan", "source", "--offline-vulnerabilities", "--format", "json", "-L",
            f"requirements.txt:{lockfile}"]


def main() -> int:
    prepared = prepare(__doc__.split("\n\n")[0], "osv-scanner",
                       "it needs a Go >= 1.22 toolchain: "
                       "go install github.com/google/osv-scanner/v2/cmd/osv-scanner@latest")
    if prepared is None:
        return 0
    args, db, cases, ours = prepared
    theirs: dict[tuple[str, str], set[str]] = {case: set() for case in cases}
    rounds = rounds_of(cases)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "db" / "osv-scanner" / "PyPI"
        folder.mkdir(parents=True)
        with zipfile.ZipFile(folder / "all.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for rid, record in sorted(db.records.items()):
                archive.writestr(f"{rid}.json", json.dumps(record))
        env = {**os.environ, "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY": str(Path(tmp) / "db")}
        for i, batch in enumerate(rounds):
            req = Path(tmp) / f"requirements-{i}.txt"
            req.write_text("".join(f"{n}=={v}\n" for n, v in batch))
            run = subprocess.run(_command(args.peer, req), capture_output=True, text=True, check=False,
                                 timeout=600, env=env)
            try:
                report = json.loads(run.stdout)
            except ValueError:
                failures += 1
                print(f"osv-scanner failed on round {i}: {run.stderr.strip()[-300:]}")
                continue
            for result in report.get("results") or ():
                for package in result.get("packages") or ():
                    info = package.get("package") or {}
                    key = (normalise(Ecosystem.PYPI, str(info.get("name"))), str(info.get("version", "")))
                    if key in theirs:
                        theirs[key] = {v["id"] for v in package.get("vulnerabilities") or ()}
    print(f"advisory database: {args.db} ({len(db.records)} records)")
    compare("osv-scanner", cases, ours, theirs, f"{args.packages} packages, {len(rounds)} osv-scanner runs"
            f"{f', {failures} failed' if failures else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
