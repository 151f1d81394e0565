"""Code rules speak the language of the code: each finding's remediation is the fix for its file's language."""

from __future__ import annotations

import pytest

from remit.api import scan
from remit.code.facts import Language
from remit.engine import all_rules
from remit.options import ScanOptions
from remit.rules.code._common import fix_for, language_of

from .conftest import FIXTURES

RULES = FIXTURES / "rules"

# rule -> (a fragment of the Python fix, a fragment of the JavaScript / TypeScript fix)
EXPECTED = {
    "RMT-CODE-001": ("subprocess.run([", "execFile("),
    "RMT-CODE-003": ("cursor.execute(", "$1"),
    "RMT-CODE-005": ("os.path.basename", "path.basename(name)"),
    "RMT-CODE-006": ("urllib.parse.urlsplit", "new URL(value)"),
    "RMT-CODE-007": ("yaml.safe_load", "JSON.parse"),
    "RMT-CODE-011": ("html.escape", "escape-html"),
    "RMT-CODE-013": ("algorithms=[", "jsonwebtoken.verify"),
}


def test_every_code_rule_names_the_fix_in_both_languages() -> None:
    code_rules = [r for r in all_rules() if r.family == "CODE" and r.id != "RMT-CODE-016"]
    assert len(code_rules) == 15
    for r in code_rules:
        assert "Python: " in r.remediation, r.id
        assert "JavaScript / TypeScript: " in r.remediation, r.id
        assert "JavaScript" in r.help or "Node" in r.help or "both" in r.help.lower(), r.id


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_findings_carry_the_fix_of_their_language(rule_id: str) -> None:
    python_fix, js_fix = EXPECTED[rule_id]
    result = scan([RULES / rule_id], ScanOptions(select=(rule_id,), strict=True))
    seen: set[str] = set()
    for finding in result.findings:
        language = dict(finding.details)["language"]
        seen.add(language)
        if language == "python":
            assert finding.location.path.endswith(".py")
            assert python_fix in finding.remediation
            assert js_fix not in finding.remediation
        else:
            assert language in ("javascript", "typescript")
            assert finding.location.path.endswith((".js", ".mjs", ".cjs", ".ts", ".tsx"))
            assert js_fix in finding.remediation
            assert python_fix not in finding.remediation
    assert "python" in seen, seen
    assert seen & {"javascript", "typescript"}, seen


def test_language_by_suffix_then_by_function() -> None:
    assert language_of("src/app.py", None) is Language.PYTHON
    assert language_of("src/a.mjs", None) is Language.JAVASCRIPT
    assert language_of("src/a.tsx", None) is Language.TYPESCRIPT
    assert language_of("template.yaml", None) is Language.OTHER  # inline code without its function: unknown
    fixes = {Language.PYTHON: "py", Language.JAVASCRIPT: "js"}
    assert fix_for(fixes, Language.TYPESCRIPT) == "js"
    assert fix_for(fixes, Language.OTHER) == ""  # the rule's remediation (both languages) applies
