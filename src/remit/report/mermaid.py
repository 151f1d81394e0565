"""The attack graph as a Mermaid flowchart (renders in GitHub and GitLab Markdown).

Only the hops of reported attack paths are drawn (the whole reachable graph is unreadable in a flowchart;
``--format dot`` has it all). Every character of a label outside a small safe set is written as a Mermaid
entity code (``#60;``), so a hostile resource name can neither close a label nor inject markup.
"""

from __future__ import annotations

from remit.report.graph_export import drawing
from remit.result import ScanResult

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/_-+()*$@")
_CLASS = {"attacker": "attacker", "entry": "entry", "function": "fn", "role": "role", "user": "role", "data": "data",
          "secret": "secret", "key": "secret", "admin": "admin"}


def label(value: str) -> str:
    flat = " ".join(value.split())
    return "".join(ch if ch in _SAFE else f"#{ord(ch)};" for ch in flat)


def render(result: ScanResult) -> str:
    d = drawing(result, only_paths=True)
    out = ["flowchart LR"]
    if not d.nodes:
        out.append('  none["no attack path found"]')
    for nid, node in d.nodes:
        out.append(f'  {nid}["{label(node.kind.value + ": " + node.resource)}"]:::{_CLASS.get(node.kind.value, "fn")}')
    for src, dst, edge, _ in d.edges:
        out.append(f'  {src} -->|"{label(edge.kind.value)}"| {dst}')
    out += ["  classDef attacker fill:#fde2e1,stroke:#b91c1c", "  classDef entry fill:#fff3cd,stroke:#a16207",
            "  classDef fn fill:#dbeafe,stroke:#1d4ed8", "  classDef role fill:#ede9fe,stroke:#6d28d9",
            "  classDef data fill:#dcfce7,stroke:#15803d", "  classDef secret fill:#fee2e2,stroke:#b91c1c",
            "  classDef admin fill:#fecaca,stroke:#7f1d1d,stroke-width:3px"]
    return "\n".join(out) + "\n"
