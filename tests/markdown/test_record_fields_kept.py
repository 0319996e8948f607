"""The fields of the last texts read are kept parsed (`record_md.fields`): versions of one file
share the names they repeat, and a field holds no dictionary of its own."""

from __future__ import annotations

from hotfix_tui.core.markdown import record_md

TEXT = (
    "# Hotfix: pool\n\n**Hotfix ID**: hotfix-007\n**Severity**: P1\n"
    "**Root Cause Identified**: {t}\n"
)


def test_versions_of_a_text_share_their_field_names() -> None:
    one = record_md.fields(TEXT.format(t="2026-01-01 09:00 UTC"))
    two = record_md.fields(TEXT.format(t="2026-01-01 09:05 UTC"))
    assert one["Root Cause Identified"].value != two["Root Cause Identified"].value
    for name in ("Hotfix ID", "Severity", "Root Cause Identified"):
        assert one[name].name is two[name].name
        assert next(k for k in one if k == name) is next(k for k in two if k == name)
    assert not hasattr(one["Severity"], "__dict__")
