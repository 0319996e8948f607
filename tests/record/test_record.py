"""hotfix.md fields, checkbox rows and the post-mortem timeline table, edited in place."""

from pathlib import Path

from hotfix_tui.core.markdown import record_md as record

UPSTREAM = Path(__file__).parents[1] / "fixtures" / "upstream"
HOTFIX = """# Hotfix: X

**Hotfix ID**: hotfix-001
**Severity**: [ ] P0 (Critical - Service Down) | [x] P1 (Major) | [ ] P2 (Minor)
**Status**: [x] Investigating | [ ] Fix Deployed | [ ] Monitoring | [ ] Post-Mortem Complete

**Incident Start**: 2026-11-25 14:00:00 UTC
**Detection**: [YYYY-MM-DD HH:MM:SS UTC] - [How was it detected?]
**Root Cause Identified**: [YYYY-MM-DD HH:MM:SS UTC]
**Total Duration**: [X hours Y minutes]

```bash
**Fake**: inside a fence
```
"""


def _diff_lines(a: str, b: str) -> list[int]:
    la, lb = a.splitlines(), b.splitlines()
    assert len(la) == len(lb)
    return [i for i, (x, y) in enumerate(zip(la, lb, strict=True)) if x != y]


def test_fields_and_values():
    f = record.fields(HOTFIX)
    assert f["Hotfix ID"].value == "hotfix-001"
    assert "Fake" not in f
    assert record.field_time(HOTFIX, "Incident Start").hour == 14
    assert record.field_time(HOTFIX, "Detection") is None


def test_set_field_time_keeps_detail_and_never_overwrites_a_written_time():
    out = record.set_field_time(HOTFIX, "Detection", "2026-11-25 14:05:00 UTC")
    assert "**Detection**: 2026-11-25 14:05:00 UTC - [How was it detected?]" in out
    assert _diff_lines(HOTFIX, out) == [7]
    again = record.set_field_time(out, "Detection", "2026-11-25 15:00:00 UTC")
    assert again == out
    forced = record.set_field_time(out, "Detection", "2026-11-25 15:00:00 UTC", overwrite=True)
    assert "15:00:00" in forced


def test_checkbox_rows_exclusive_and_appending():
    out = record.set_checked(HOTFIX, "Severity", "P0")
    assert record.checked_options(out, "Severity") == ["P0 (Critical - Service Down)"]
    assert _diff_lines(HOTFIX, out) == [3]
    out = record.set_checked(out, "Status", "Resolved")
    assert out.splitlines()[4].endswith("| [x] Resolved")
    assert record.last_checked_key(out, "Status", ["Investigating", "Resolved"]) == "Resolved"


def test_upstream_template_fields_are_found():
    text = (UPSTREAM / "hotfix-template.md").read_text()
    f = record.fields(text)
    for name in (
        "Hotfix ID",
        "Severity",
        "Status",
        "Incident Start",
        "Detection",
        "Investigation Start",
        "Root Cause Identified",
        "Fix Deployed",
        "Incident End",
        "Total Duration",
        "Commit SHA",
        "SLA Breach",
    ):
        assert name in f, name
    assert [o[0] for o in record.checkbox_options(f["SLA Breach"].value)] == ["Yes", "No"]


def test_log_rows_replace_placeholders_and_keep_order(tmp_path):
    from gitfix import FakeClock, make_repo

    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    repo, clock = make_repo(tmp_path / "repo"), FakeClock()
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    before = inc.view.text("post-mortem.md")
    clock.advance(minutes=10)
    inc.note("T001", "pool at 100 | db ok")
    inc.set_done("T001")  # investigation starts: its placeholder row goes
    out = inc.view.text("post-mortem.md")
    rows, _, _ = record.log_table(out)
    real = [(r.event, r.notes) for r in rows if not r.placeholder]
    assert real == [
        ("Incident began", "Declared P1: Checkout broken"),
        ("Note on T001 Assess severity and impact", "pool at 100 | db ok"),
        ("T001 done: Assess severity and impact", ""),
    ]
    assert "Investigation started" not in [r.event for r in rows]
    assert "pool at 100 \\| db ok" in out  # the pipe is escaped in the file
    assert len(out.splitlines()) == len(before.splitlines()) + 1


def test_crlf_is_kept():
    text = HOTFIX.replace("\n", "\r\n")
    out = record.set_checked(text, "Severity", "P2")
    assert out.count("\r\n") == text.count("\r\n") and "\n" not in out.replace("\r\n", "")


def test_log_cells_carry_no_control_characters():
    cell = record.escape_cell("T001 \x1b[2J\x1b]52;c;ZXZpbA==\x07 done\nnext | x")
    assert all(ch.isprintable() for ch in cell)
    assert cell.startswith("T001 [2J ]52;c;ZXZpbA== done next \\| x")
