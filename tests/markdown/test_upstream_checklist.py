"""Upstream's hotfix.md as the checklist (tasks.md links to it): stable task ids, single-choice
groups, `**T020 [P]**` ids, and events that name tasks a replaced tasks.md no longer has."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from upstream import TASKS_TEMPLATES, create, fill_like_agent, git, make_upstream_repo

from hotfix_tui.cli import main
from hotfix_tui.core.markdown import tasks_md, tasks_tally
from hotfix_tui.core.opening import open_incident
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record import kinds


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real upstream repo with a hotfix declared by the extension's script (built once)."""
    repo = make_upstream_repo(tmp_path_factory.mktemp("up") / "shop", features=("002-search",))
    out = create(repo, "hotfix", "Checkout returns 500 errors")
    fill_like_agent(Path(out["HOTFIX_FILE"]), "Checkout returns 500 errors", "Checkout down")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hotfix declared")
    return repo


@pytest.fixture
def shop(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "shop"
    shutil.copytree(built, repo, symlinks=True)
    monkeypatch.chdir(repo)
    return repo


def folder_of(repo: Path) -> Path:
    return next((repo / "specs" / "hotfix").iterdir())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def status_json(capsys: pytest.CaptureFixture[str]) -> dict:
    code, out, _err = run(capsys, "status", "--json")
    assert code == 0
    return json.loads(out)


def task_id(data: dict, title: str) -> str:
    return next(t["id"] for t in data["tasks"] if t["title"].startswith(title))


def differing_bytes(a: bytes, b: bytes) -> list[int]:
    assert len(a) == len(b), "the edit changed the file's length"
    return [i for i in range(len(a)) if a[i] != b[i]]


# --- stable ids ---------------------------------------------------------------------------


def test_a_box_keeps_its_id_after_a_line_is_inserted_above_it(shop, capsys):
    folder = folder_of(shop)
    hot = folder / "hotfix.md"
    data = status_json(capsys)
    target = task_id(data, "Monitoring gap")
    assert not target.startswith("L")
    assert run(capsys, "done", task_id(data, "Fix tested locally"))[0] == 0
    # someone adds a line above the box (by hand, in their editor)
    text = hot.read_text()
    hot.write_text(text.replace("## Root Cause", "A line added by hand.\n\n## Root Cause", 1))
    again = status_json(capsys)
    assert task_id(again, "Monitoring gap") == target
    before = hot.read_bytes()
    code, out, err = run(capsys, "done", target)
    assert code == 0, err
    after = hot.read_bytes()
    (at,) = differing_bytes(before, after)
    line = after[: at + 1].decode().splitlines()[-1]
    assert line == "- [x"
    assert after.decode().splitlines()[after[:at].decode().count("\n")] == "- [x] Monitoring gap"
    assert (folder / "tasks.md").is_symlink()


def test_old_line_ids_in_a_log_still_replay_and_stay_on_their_box(shop, capsys):
    folder = folder_of(shop)
    hot = folder / "hotfix.md"
    line = hot.read_text().splitlines().index("- [ ] Monitoring gap") + 1
    inc = open_incident(str(folder))
    inc.repair()  # a first log seeded from the folder, as an older version wrote it
    rec = evlog.Recorder("0ld0ld00", "Old Version")
    from hotfix_tui.core.clocks import utc_now

    old = rec.make(kinds.DONE, utc_now(), inc.view.events[-1:], task=f"L{line}")
    evlog.append(folder, [old])
    assert "- [x] Monitoring gap" in open_incident(str(folder)).view.texts["tasks.md"]
    # two lines added above the box by hand: the old event stays on its box
    hot.write_text(hot.read_text().replace("## Root Cause", "Added.\n\n## Root Cause", 1))
    data = status_json(capsys)
    assert run(capsys, "note", task_id(data, "Fix tested locally"), "checked")[0] == 0
    text = hot.read_text()
    assert "- [x] Monitoring gap" in text
    assert text.count("- [x]") == 1  # the box now on that line number stays as it was
    log = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    assert [e["map"] for e in log if e["kind"] == "ids"] == [
        {f"L{line}": "why-it-wasnt/monitoring-gap"}
    ]
    # an `L…` id typed today names the box on that line today
    assert run(capsys, "done", f"L{line}")[0] == 0
    lines = hot.read_text().splitlines()
    assert lines[line - 1] == "- [x] Edge case not anticipated"
    assert "- [x] Monitoring gap" in lines


def test_done_accepts_the_short_id_shown_in_the_tui(shop, capsys):
    data = status_json(capsys)
    full = task_id(data, "Monitoring gap")
    short = full.rsplit("/", 1)[-1]
    assert short == "monitoring-gap"
    assert run(capsys, "done", short)[0] == 0
    assert "- [x] Monitoring gap" in (folder_of(shop) / "hotfix.md").read_text()


def test_ids_are_unique_and_a_repeated_box_gets_a_numbered_suffix():
    text = "# T\n\n## Checks\n\n- [ ] Same box\n- [ ] Same box\n- [ ] Other: [fill]\n"
    doc = tasks_md.parse_tasks(text)
    assert [t.key for t in doc.tasks] == ["checks/same-box", "checks/same-box-2", "checks/other"]
    moved = tasks_md.parse_tasks(text.replace("## Checks", "Intro.\n\n## Checks"))
    assert [t.key for t in moved.tasks] == [t.key for t in doc.tasks]


# --- single-choice groups -------------------------------------------------------------------


def upstream_doc(shop: Path) -> tasks_md.TasksDoc:
    return tasks_md.parse_tasks((folder_of(shop) / "hotfix.md").read_text())


def test_the_data_loss_group_is_one_choice_not_three_tasks(shop):
    doc = upstream_doc(shop)
    titles = [t.title for t in doc.tasks]
    assert not any(t.startswith(("No data loss", "Data loss", "Data corruption")) for t in titles)
    groups = {c.label: c for c in doc.choices}
    loss = groups["Data Loss/Corruption"]
    assert loss.options == ("No data loss", "Data loss occurred", "Data corruption")
    assert loss.value is None and loss.task_key is None
    assert "SLA Breach" not in groups  # a field the record fills from the clock
    assert "Severity" not in groups and "Status" not in groups
    assert len(doc.tasks) == 35  # 38 boxes of list items, less the three of the group
    # cold counts agree with the parser (the whole file has a line only markdown-it reads)
    part = doc.text[: doc.text.index("## Rollback Plan")]
    tally = tasks_tally.tally(part)
    assert tally is not None
    assert len(tally.tasks) == len(tasks_md.parse_tasks(part).tasks) == 6


def test_a_task_with_a_choice_inside_is_one_task_whose_choice_can_be_set(shop):
    doc = upstream_doc(shop)
    rollback = next(t for t in doc.tasks if t.title == "Rollback tested in staging")
    review = next(t for t in doc.tasks if t.title.startswith("Code review completed"))
    by_task = {c.task_key: c for c in doc.choices if c.task_key}
    assert by_task[rollback.key].options == ("Yes", "No", "N/A")
    assert by_task[review.key].options == ("Skip review (emergency)",)
    assert not any(t.title.startswith("Skip review") for t in doc.tasks)


def test_choosing_flips_exactly_the_right_boxes(shop, capsys):
    folder = folder_of(shop)
    hot = folder / "hotfix.md"
    inc = open_incident(str(folder))
    key = next(c.key for c in inc.view.doc.choices if c.label == "Data Loss/Corruption")
    inc.choose(key, "Data loss occurred")
    before = hot.read_bytes()
    inc.choose(key, "Data corruption")
    after = hot.read_bytes()
    flipped = differing_bytes(before, after)
    lines = after.decode().splitlines()
    at_lines = {after[:i].decode().count("\n") for i in flipped}
    assert {lines[i][:5] for i in at_lines} == {"- [ ]", "- [x]"}
    assert len(flipped) == 2
    assert "- [x] Data corruption: [describe and remediation]" in lines
    assert "- [ ] Data loss occurred: [describe scope and recovery plan]" in lines
    log = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    assert [e["value"] for e in log if e["kind"] == "choice"] == [
        "Data loss occurred",
        "Data corruption",
    ]
    # an inline choice inside a task row: one box of the row, the task's own box untouched
    rollback = next(t for t in inc.view.doc.tasks if t.title == "Rollback tested in staging")
    before = hot.read_bytes()
    inc.choose(rollback.key, "N/A")
    (at,) = differing_bytes(before, hot.read_bytes())
    line = hot.read_text().splitlines()[before[:at].decode().count("\n")]
    assert line == "- [ ] Rollback tested in staging: [ ] Yes | [ ] No | [x] N/A"


def test_a_choice_ticked_by_hand_is_recorded_as_a_choice_event(shop, capsys):
    folder = folder_of(shop)
    hot = folder / "hotfix.md"
    open_incident(str(folder)).repair()
    hot.write_text(hot.read_text().replace("- [ ] No data loss", "- [x] No data loss"))
    inc = open_incident(str(folder))
    inc.repair()
    assert [e.get("value") for e in inc.view.events if e.kind == "choice"] == ["No data loss"]
    key = next(c.key for c in inc.view.doc.choices if c.label == "Data Loss/Corruption")
    inc.choose(key, "Data corruption")
    text = hot.read_text()
    assert "- [ ] No data loss" in text and "- [x] Data corruption:" in text
    # a task checked afterwards leaves the choice as chosen (one file: tasks.md is hotfix.md)
    data = status_json(capsys)
    assert run(capsys, "done", data["next"]["id"])[0] == 0
    assert "- [x] Data corruption:" in hot.read_text()


def test_the_sla_breach_row_is_the_records_field_not_a_choice(shop, capsys):
    hot = folder_of(shop) / "hotfix.md"
    data = status_json(capsys)
    assert "SLA Breach" not in [c["label"] for c in data["choices"]]
    assert run(capsys, "done", data["next"]["id"])[0] == 0
    assert "- **SLA Breach**: [ ] Yes | [ ] No" in hot.read_text()  # the clock runs: unset


# --- `**T020 [P]**` -------------------------------------------------------------------------


def test_a_bold_id_with_its_marker_is_the_task_id():
    text = (TASKS_TEMPLATES / "modify-tasks.md").read_text()
    doc = tasks_md.parse_tasks(text)
    assert [t.id for t in doc.tasks] == [f"T{n:03d}" for n in range(1, 35)]
    t20 = doc.task("T020")
    assert t20 is not None and t20.markers == ("P",)
    assert t20.title == "Update [file2.tsx] per modification spec"
    assert [t.id for t in doc.tasks if t.markers == ("P",)] == [
        "T014", "T015", "T016", "T017", "T019", "T020", "T021",
    ]
    tally = tasks_tally.tally(text)
    assert tally is not None and [t.id for t in tally.tasks] == [t.id for t in doc.tasks]


def test_done_t020_on_the_modify_template(shop, capsys):
    folder = shop / "specs" / "modify" / "001-search-filters"
    folder.mkdir(parents=True)
    shutil.copy(TASKS_TEMPLATES / "modify-tasks.md", folder / "tasks.md")
    before = (folder / "tasks.md").read_bytes()
    code, out, err = run(capsys, "done", "T020", "--spec", str(folder))
    assert code == 0, err
    assert "T020 done" in out
    after = (folder / "tasks.md").read_bytes()
    (at,) = differing_bytes(before, after)
    line = after.decode().splitlines()[after[:at].decode().count("\n")]
    assert line.startswith("- [x] **T020 [P]** Update [file2.tsx]")


# --- a tasks.md replaced by another tool ----------------------------------------------------


SPECKIT_TASKS = """# Tasks: Checkout

## Phase 1: Setup

- [ ] T001 Create the project structure
- [ ] T002 [P] Configure linting
"""


def test_events_naming_tasks_a_replaced_tasks_md_lacks_are_kept_and_named(shop, capsys):
    folder = folder_of(shop)
    data = status_json(capsys)
    gone = task_id(data, "Monitoring gap")
    other = task_id(data, "Fix tested locally")
    assert run(capsys, "done", gone)[0] == 0
    assert run(capsys, "done", other)[0] == 0
    log_before = (folder / "events.jsonl").read_text()
    (folder / "tasks.md").unlink()  # /speckit.tasks writes its own tasks.md
    (folder / "tasks.md").write_text(SPECKIT_TASKS)
    code, out, err = run(capsys, "status")
    assert code == 0
    assert "2 recorded events name tasks that tasks.md no longer has" in err
    assert gone in err
    data = status_json(capsys)
    assert data["orphaned_tasks"] == sorted([gone, other])
    assert run(capsys, "done", "T001")[0] == 0
    assert (folder / "events.jsonl").read_text().startswith(log_before)


def test_choose_sets_a_single_choice_from_the_command_line(shop, capsys):
    hot = folder_of(shop) / "hotfix.md"
    data = status_json(capsys)
    loss = next(c for c in data["choices"] if c["label"] == "Data Loss/Corruption")
    code, out, err = run(capsys, "choose", loss["id"], "Data", "corruption")
    assert code == 0, err
    assert "Data Loss/Corruption: Data corruption" in out
    assert "- [x] Data corruption:" in hot.read_text()
    assert "- [ ] No data loss" in hot.read_text()
    again = next(c for c in status_json(capsys)["choices"] if c["id"] == loss["id"])
    assert again["value"] == "Data corruption"
    # an option the group does not offer is refused and writes nothing
    before = hot.read_bytes()
    code, out, err = run(capsys, "choose", loss["id"], "Maybe")
    assert code != 0 and "no option 'Maybe'" in err and "Traceback" not in err
    assert hot.read_bytes() == before
    assert run(capsys, "choose", loss["id"], "none")[0] == 0
    assert "- [x] Data corruption:" not in hot.read_text()
