"""The summary of a plain branch copy read from its blobs: it equals what
loading the copy as an Incident gives, on the upstream formats and on hand-edited, hostile files.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from gitfix import git, make_repo, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_tui.core.clocks import utc_now
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.markdown import record_md
from hotfix_tui.core.markdown.record_md import iter_lines
from hotfix_tui.core.markdown.tasks_md import parse_tasks
from hotfix_tui.core.markdown.tasks_tally import tally
from hotfix_tui.core.reports import catalog, summary_scan
from hotfix_tui.core.workflow.loader import resolve_workflow

TESTS = Path(__file__).resolve().parents[1]
CORPUS = sorted((TESTS / "corpus" / "markdown").glob("*.md"))
UPSTREAM = sorted((TESTS / "fixtures").rglob("*.md"))
FOLDER = "specs/hotfix-042-cache-stampede"


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> dict[str, str]:
    """tasks.md, hotfix.md and post-mortem.md of an incident as `new` makes them."""
    root = make_repo(tmp_path_factory.mktemp("real") / "repo")
    folder = create_incident(
        root, "cache stampede", "P1", resolve_workflow("hotfix", root), branch=False
    )
    names = ("tasks.md", "hotfix.md", "post-mortem.md")
    return {n: (folder / n).read_text(encoding="utf-8") for n in names}


def reference(text: str) -> tuple[object, ...]:
    """What the full parse says of the title, the fields and the tasks of every phase."""
    doc = parse_tasks(text)
    phased = [doc.task(k) for p in doc.phases for k in p.task_keys]
    tasks = sorted(
        ((t.id, t.done, t.skip.text if t.skip else None) for t in phased if t is not None),
        key=repr,
    )
    return doc.title, {k: f.value for k, f in doc.fields.items()}, tasks


def tallied(text: str) -> tuple[object, ...] | None:
    got = tally(text)
    if got is None:
        return None
    return got.title, got.fields, sorted(((t.id, t.done, t.skip) for t in got.tasks), key=repr)


def full_and_scanned(
    root: Path, texts: dict[str, bytes], path: str = FOLDER
) -> tuple[object, object]:
    """The copy's summary data as the catalog's full load makes it, and as scan_summary does."""
    folder = root / "scratch" / path
    folder.mkdir(parents=True)
    for name, data in texts.items():
        (folder / name).write_bytes(data)
    probe = catalog.Entry(path, "hotfix", 42, "hotfix/x")
    catalog._open(probe, folder, root, utc_now, root / path, {})
    full = catalog._summary_data(probe)
    files = {n: ("100644", hashlib.sha1(d).hexdigest()) for n, d in texts.items()}
    blobs = {files[n][1]: d for n, d in texts.items()}
    memo: dict = {}
    scanned = summary_scan.scan_summary(
        path,
        files,
        blobs,
        catalog.MAX_FILE_BYTES,
        lambda head: catalog.workflow_for(root / path, head, root, memo),
    )
    return full, scanned


def as_bytes(texts: dict[str, str]) -> dict[str, bytes]:
    return {n: t.encode("utf-8") for n, t in texts.items()}


# --- tasks.md: the tally against the full parse ----------------------------------------------


@pytest.mark.parametrize("path", UPSTREAM + CORPUS, ids=lambda p: p.name)
def test_the_tally_says_what_the_parse_says_of_every_file_of_the_corpus(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    got = tallied(text)
    if got is not None:
        assert got == reference(text)


def test_the_upstream_formats_are_tallied_not_left_to_the_full_parse(real) -> None:
    for path in UPSTREAM:  # all but what the parser itself leaves to markdown-it
        text = path.read_text(encoding="utf-8")
        assert (tallied(text) is None) == (parse_tasks(text).engine == "markdown-it"), path
    assert tallied(real["tasks.md"]) == reference(real["tasks.md"])


def test_texts_outside_the_fast_scanners_subset_are_left_to_the_full_parse() -> None:
    assert tally("# T\n\n- [ ] **T001** a\r\n") is None  # a CR
    assert tally("\ufeff# T\n- [ ] **T001** a\n") is None  # a BOM
    assert tally("# T\n> - [ ] **T001** quoted\n") is None  # markdown-it decides
    assert tally("# T\n- [ ] **T001** a\x00\n") is None


LINES = [
    "# Tasks: Hotfix - the title",
    "# Another title",
    "## Phase 1: Triage (URGENT)",
    "## Phase 2: Fix",
    "### Phase 3: Deeper",
    "## Notes",
    "### Sub heading",
    "**Hotfix ID**: hotfix-007",
    "**Severity**: P0",
    "**Workflow**: hotfix",
    "- [ ] **T001** Open task",
    "- [x] **T002** Done task",
    "- [X] T003: plain id",
    "* [ ] **T001** duplicate id",
    "- [ ] no id at all",
    "- [ ]",
    "- []  not a box",
    "1. [ ] **T010** ordered task",
    "2) plain ordered",
    "  - a step",
    "  - **Note** (2026-01-01 10:00, ana): a note",
    "  - **Skipped** (2026-01-01 10:00, ana): not needed",
    "  - **Skipped** (2026-01-01 10:00): ",
    "  - [ ] **T020** nested task",
    "    - deeper step",
    "    - **Skipped** (t, x): deep skip",
    "    a skip reason's next line",
    "    \\- an escaped next line",
    '    \\"carriage\\rreturn"',
    "   continuation indented 3",
    "      code-like indent",
    "lazy paragraph line",
    "---",
    "***",
    "===",
    "```",
    "~~~ text",
    "<!-- comment -->",
    "<div>",
    "> quote",
    "[ref]: http://example.com",
    "\t- [ ] **T030** tabbed",
    "- [ ] **T031**\ttab after id",
    "-\titem after a tab",
    "  -\tsub-item after a tab",
    "",
    "",
    "",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=40), st.booleans())
def test_the_tally_equals_the_parse_on_any_mix_of_lines(lines: list[str], final: bool) -> None:
    text = "\n".join(lines) + ("\n" if final else "")
    got = tallied(text)
    if got is not None:
        assert got == reference(text)


PLAIN = [  # lines the tally reads itself (before a heading where the fast scanner takes over)
    "# Tasks: Hotfix - plain",
    "## Phase 1: One",
    "## Phase 2: Two (NOTE)",
    "## Other",
    "**Hotfix ID**: hotfix-009",
    "**Severity**: P2",
    "- [ ] **T001** open",
    "- [x] **T002** done",
    "+ [X] T003 plus",
    "- plain item",
    "  - step",
    "  * star step",
    "  - **Skipped** (2026-01-01 10:00, ana): reason",
    "  - **Skipped** (2026-01-01 10:00):",
    "  - **Note** (t): note",
    "paragraph text",
    "**bold** paragraph",
    "---",
    "-\tafter a tab",
    "",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PLAIN), max_size=30), st.lists(st.sampled_from(LINES), max_size=3))
def test_the_tally_equals_the_parse_on_plain_files_with_a_few_other_lines(
    plain: list[str], other: list[str]
) -> None:
    lines = list(plain)
    for i, line in enumerate(other):
        lines.insert((i * 7) % (len(lines) + 1), line)
    text = "\n".join(lines) + "\n"
    got = tallied(text)
    if got is not None:
        assert got == reference(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_tally_equals_the_parse_on_hand_edits_of_the_real_file(real, data) -> None:
    lines = real["tasks.md"].split("\n")
    for _ in range(data.draw(st.integers(0, 6))):
        at = data.draw(st.integers(0, len(lines)))
        if data.draw(st.booleans()):
            lines.insert(at, data.draw(st.sampled_from(LINES)))
        elif at < len(lines):
            del lines[at]
    text = "\n".join(lines)
    got = tallied(text)
    if got is not None:
        assert got == reference(text)


def test_record_lines_split_as_the_line_pattern_splits_them() -> None:
    line_re = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")

    def by_pattern(text: str) -> list[tuple[int, str]]:
        out, pos = [], 0
        while pos < len(text):
            m = line_re.match(text, pos)
            assert m is not None
            out.append((pos, m.group(0).rstrip("\r\n")))
            pos = m.end()
        return out

    for text in ("", "a", "a\n", "a\n\nb", "\n", "\n\n", "x\ny\n\n", "é\nü", "a\r\nb\rc\n"):
        assert iter_lines(text) == by_pattern(text), text


def _fields_line_by_line(text: str) -> dict[str, record_md.Field]:
    """record_md's fields as it read them before, every line in turn (the reference)."""
    found: dict[str, record_md.Field] = {}
    fence = ""
    for idx, (off, line) in enumerate(iter_lines(text)):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            mark = stripped[:3]
            fence = "" if fence == mark else (fence or mark)
            continue
        if fence:
            continue
        m = record_md._FIELD_RE.match(line)
        if m and m.group("name") not in found:
            name = m.group("name").strip()
            found[name] = record_md.Field(
                name, m.group("value"), idx, off + m.start("value"), off + m.end("value")
            )
    return found


FIELD_LINES = [
    "**Severity**: [x] P1 | [ ] P2",
    "**Status**: [x] Investigating",
    "- **Owner**: ana",
    "  **Indented**: yes",
    "**Severity**: second one",
    "text with **bold** inside",
    "**Not a field** no colon",
    "```",
    "  ```bash",
    "~~~",
    "**In fence?**: maybe",
    "\u2028**Odd space**: x",
    "\x0b```",
    "plain",
    "",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FIELD_LINES), max_size=25),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_record_fields_are_those_read_line_by_line(
    lines: list[str], newline: str, final: bool
) -> None:
    text = newline.join(lines) + (newline if final else "")
    assert record_md._fields.__wrapped__(text) == _fields_line_by_line(text)


def test_record_fields_of_the_real_files_are_those_read_line_by_line(real) -> None:
    for text in (
        *real.values(),
        *(p.read_text(encoding="utf-8", errors="replace") for p in CORPUS),
    ):
        assert record_md._fields.__wrapped__(text) == _fields_line_by_line(text)


# --- the summary: scanned against the full load ----------------------------------------------


def _checked(text: str, field: str, key: str) -> str:
    """hotfix.md with the option `key` of a checkbox row checked (the others unchecked)."""
    from hotfix_tui.core.markdown.record_md import set_checked

    return set_checked(text, field, key)


@pytest.mark.parametrize("severity", ["P0", "P1", "P2"])
def test_a_real_incident_is_summarized_from_its_blobs_as_when_loaded(
    tmp_path, real, severity
) -> None:
    tasks = real["tasks.md"].replace("- [ ] **T002**", "- [x] **T002**")
    tasks = tasks.replace(  # a skipped task (with a reason) and one skipped with none
        "- [ ] **T004** Investigate root cause\n",
        "- [ ] **T004** Investigate root cause\n  - **Skipped** (2026-11-25 14:00, ana): dup\n",
    ).replace(
        "- [ ] **T005** Document root cause in hotfix.md\n",
        "- [ ] **T005** Document root cause in hotfix.md\n  - **Skipped** (2026-11-25 14:00): \n",
    )
    hot = _checked(real["hotfix.md"], "Severity", severity)
    hot = _checked(hot, "Status", "Monitoring")
    for label, when in (("Fix Deployed", "15:30:00"), ("Incident End", "16:10:00")):
        hot = hot.replace(
            f"**{label}**: [YYYY-MM-DD HH:MM:SS UTC]", f"**{label}**: 2026-11-25 {when} UTC"
        )
    texts = {"tasks.md": tasks, "hotfix.md": hot, "post-mortem.md": real["post-mortem.md"]}
    full, scanned = full_and_scanned(tmp_path, as_bytes(texts))
    assert scanned is not None and full is not None
    assert scanned == full
    assert full["severity"] == severity and full["status"] == "Monitoring"
    assert {"incident_end", "fix_deployed"} <= set(full["times"])


@pytest.mark.parametrize("path", CORPUS + UPSTREAM, ids=lambda p: p.name)
def test_hostile_files_give_the_same_summary_or_the_full_load(tmp_path, real, path) -> None:
    data = path.read_bytes()
    for name in ("tasks.md", "hotfix.md", "post-mortem.md"):
        texts = as_bytes(real)
        texts[name] = data
        root = tmp_path / name
        full, scanned = full_and_scanned(root, texts)
        if scanned is not None:
            assert scanned == full, name


def test_copies_the_full_load_must_read_are_left_to_it(tmp_path, real) -> None:
    plain = as_bytes(real)
    cases = {
        "log": {**plain, "events.jsonl": b""},
        "markers": {**plain, "hotfix.md": b"<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n"},
        "binary": {**plain, "post-mortem.md": b"\x00\x01"},
        "latin1": {**plain, "hotfix.md": "caf\u00e9".encode("latin-1")},
    }
    for i, (name, texts) in enumerate(cases.items()):
        full, scanned = full_and_scanned(tmp_path / str(i), texts)
        assert scanned is None, name


def test_without_tasks_md_or_hotfix_md_or_with_another_workflow(tmp_path, real) -> None:
    plain = as_bytes(real)
    for i, texts in enumerate(({"hotfix.md": plain["hotfix.md"]}, {"tasks.md": plain["tasks.md"]})):
        full, scanned = full_and_scanned(tmp_path / str(i), texts)
        assert scanned is not None and scanned == full
    # a plain checklist (no workflow) and a named workflow that does not exist
    full, scanned = full_and_scanned(
        tmp_path / "c", {"tasks.md": b"# List\n- [x] a\n- [ ] b\n"}, "specs/001-checklist"
    )
    assert scanned == full and full is not None and (full["done"], full["total"]) == (1, 2)
    bad = {"tasks.md": b"# T\n**Workflow**: nowhere\n\n- [ ] **T001** a\n"}
    full, scanned = full_and_scanned(tmp_path / "d", bad)
    assert full is None and scanned is None


# --- end to end: `list` with and without the scan --------------------------------------------


def test_list_over_plain_branch_copies_is_the_same_with_and_without_the_scan(
    tmp_path, real, capsys, monkeypatch
) -> None:
    from test_catalog import quiet_config

    quiet_config(0)
    root = make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    for i, sev in enumerate(("P0", "P1", "P2"), start=1):
        git(root, "switch", "-q", "-c", f"hotfix/{i:03d}", "main")
        folder = root / "specs" / f"hotfix-{i:03d}-plain-copy"
        folder.mkdir(parents=True)
        tasks = real["tasks.md"].replace("hotfix-001", f"hotfix-{i:03d}")
        (folder / "tasks.md").write_text(tasks.replace("- [ ] **T00", "- [x] **T00", i))
        (folder / "hotfix.md").write_text(_checked(real["hotfix.md"], "Severity", sev))
        git(root, "add", "specs")
        git(root, "commit", "-q", "-m", f"incident {i}")
    git(root, "switch", "-q", "main")
    scanned: list[str] = []
    real_scan = summary_scan.scan_summary

    def spy(path, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        got = real_scan(path, *a, **kw)
        if got is not None:
            scanned.append(path)
        return got

    monkeypatch.setattr(summary_scan, "scan_summary", spy)
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    assert len(scanned) == 3
    (root / ".git" / "hotfix-tui" / "summaries.json").unlink()
    monkeypatch.setattr(summary_scan, "scan_summary", lambda *a, **kw: None)
    code, out2, err = run(capsys, "list", "--json")
    assert code == 0, err

    def steady(text: str) -> list[dict]:
        rows = json.loads(text)
        for r in rows:
            r["sla"] = {k: r["sla"][k] for k in ("target_seconds", "state")} if r["sla"] else None
        return rows

    assert steady(out) == steady(out2)
    assert [r["progress"]["done"] for r in json.loads(out)] == [1, 2, 3]


def test_upstreams_folder_with_tasks_md_linked_to_hotfix_md_is_scanned_from_its_blobs(
    tmp_path, capsys, monkeypatch
) -> None:
    from test_catalog import quiet_config
    from upstream import create, fill_like_agent, make_upstream_repo
    from upstream import git as ugit

    quiet_config(0)
    root = make_upstream_repo(tmp_path / "shop", features=("002-search",))
    out = create(root, "hotfix", "Checkout returns 500")
    hotfix_md = Path(out["HOTFIX_FILE"])
    fill_like_agent(hotfix_md, "Checkout returns 500 for EU cards", "[INCIDENT TITLE]")
    text = hotfix_md.read_text().replace("[ ] P2 (", "[x] P2 (", 1)
    # (its `[List follow-up work ...]:` line reads as a link definition, which the tally leaves
    # to the full parse: a person's edit of it keeps the copy plain)
    text = text.replace("[List follow-up work to prevent this class of issue]:", "Follow-up:")
    hotfix_md.write_text(text)
    ugit(root, "add", "-A")
    ugit(root, "commit", "-qm", "hotfix declared")
    ugit(root, "switch", "-q", "main")
    monkeypatch.chdir(root)
    scanned: list[str] = []
    real_scan = summary_scan.scan_summary

    def spy(path, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        got = real_scan(path, *a, **kw)
        if got is not None:
            scanned.append(path)
        return got

    monkeypatch.setattr(summary_scan, "scan_summary", spy)
    code, out_scan, err = run(capsys, "list", "--json")
    assert code == 0, err
    assert scanned == ["specs/hotfix/003-checkout-returns-500"]  # the link blob followed
    (root / ".git" / "hotfix-tui" / "summaries.json").unlink()
    monkeypatch.setattr(summary_scan, "scan_summary", lambda *a, **kw: None)
    code, out_full, err = run(capsys, "list", "--json")
    assert code == 0, err
    hotfix = [r for r in json.loads(out_scan) if r["kind"] == "hotfix"]
    assert [(r["id"], r["title"], r["severity"]) for r in hotfix] == [
        ("hotfix-003", "Checkout returns 500 for EU cards", "P2")
    ]
    assert json.loads(out_scan) == json.loads(out_full)
