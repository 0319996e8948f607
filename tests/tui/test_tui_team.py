"""Who does what in the TUI: `A` assigns a task, `R` gives a role, `H` hands the incident over
and `K` accepts it, `U` composes a status update; each is an event, shown, undoable."""

from __future__ import annotations

import json

from conftest import drawn

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.record import events
from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen
from hotfix_tui.tui.screens.team_dialogs import NameScreen, RoleScreen, UpdateScreen
from hotfix_tui.tui.widgets.header import HeaderLine

SIZE = (120, 40)


def header(app) -> str:
    return str(app.main.query_one(HeaderLine).render())


def logged(inc, kind: str) -> list[events.Event]:
    return [e for e in events.read_log(inc.folder) if e.kind == kind]


async def on_task(app, pilot, tid: str) -> str:
    await pilot.pause()
    key = app.main.incident.view.find(tid).key
    app.main.reveal(key)
    await pilot.pause()
    return key


async def type_name(pilot, name: str) -> None:
    inp = pilot.app.screen.query_one("#name-input")
    inp.value = ""
    await pilot.press(*name, "enter")
    await pilot.pause()


async def test_a_assigns_the_task_under_the_cursor_shown_on_its_row_and_undone_by_u(
    incident, make_app
):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        key = await on_task(app, pilot, "T005")
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        await type_name(pilot, "Ben")
        assert [e.get("name") for e in logged(incident, "assign")] == ["Ben"]
        assert "@Ben" in drawn(app, f"t:{key}")
        await pilot.press("u")
        await pilot.pause()
        assert "@Ben" not in drawn(app, f"t:{key}")
        assert app.main.incident.view.team().assignees == {}


async def test_r_gives_a_role_shown_in_the_header(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "IC " not in header(app)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RoleScreen)
        await pilot.press("enter")  # the first role: the incident commander
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        assert app.screen.query_one("#name-input").value == "Ana Lyst"  # the git user
        await pilot.press("enter")
        await pilot.pause()
        assert "IC Ana Lyst" in header(app)
        assert [(e.get("role"), e.get("name")) for e in logged(incident, "role")] == [
            ("commander", "Ana Lyst")
        ]


async def test_h_hands_over_and_k_accepts(incident, make_app):
    incident.set_role("commander", "Ana")
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        await type_name(pilot, "Ben")
        assert "IC Ana -> Ben (handing over)" in header(app)
        assert app.main.incident.view.team().commander == "Ana"
        ev = logged(incident, "handover")[0]
        assert "# Status: hotfix-001" in ev.get("report")
        await pilot.press("K")  # Ana Lyst (git's user.name) is not Ben: asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Accept it on Ben's behalf?" in str(app.screen.question)
        await pilot.press("n")
        await pilot.pause()
        assert "IC Ana -> Ben (handing over)" in header(app)  # nothing written
        await pilot.press("K", "y")
        await pilot.pause()
        assert "IC Ben" in header(app) and "handing over" not in header(app)


async def test_k_without_a_hand_over_says_so_and_writes_nothing(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("K")
        await pilot.pause()
        assert any("no hand-over" in str(n.message) for n in app._notifications)
        assert logged(incident, "accept") == []


async def test_u_composes_an_update_from_the_template_sends_and_posts_it(
    incident, make_app, tmp_path
):
    out = tmp_path / "posted.json"
    settings = Settings(advance_after_check=False, alert_command=f"cat > {out}")
    app = make_app(incident, settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, UpdateScreen)
        area = app.screen.query_one("#update-text")
        assert "State of service" in area.text and "Next update at" in area.text
        assert "hotfix-001" in area.text
        await pilot.press("end", *" ok")  # the end of the first line
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        sent = logged(incident, "reminder_sent")
        assert len(sent) == 1 and "(P0, Investigating) ok\n" in sent[0].get("text")
        assert sent[0].get("text").endswith("Next update at: 2026-11-25 14:30:00 UTC")
        assert sent[0].get("reminder") == "stakeholder-update"
        posted = json.loads(out.read_text())
        assert posted["kind"] == "update" and posted["message"] == sent[0].get("text")


async def test_u_then_escape_sends_nothing(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("U")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
        assert logged(incident, "reminder_sent") == []


async def test_an_update_sent_empty_marks_it_sent_without_text(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("U")
        await pilot.pause()
        app.screen.query_one("#update-text").text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        sent = logged(incident, "reminder_sent")
        assert len(sent) == 1 and sent[0].get("text") is None


async def test_the_picker_marks_the_incidents_i_command_and_my_tasks(repo, clock):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow
    from hotfix_tui.tui.app import HotfixApp
    from hotfix_tui.tui.screens.dialogs import PickerScreen

    wf = resolve_workflow("hotfix", repo)  # git's user: Ana Lyst, ana@example.invalid
    folders = [create_incident(repo, d, "P1", wf, clock=clock, branch=False)
               for d in ("Checkout down", "Search slow", "Queue stuck")]
    Incident(folders[0], wf, clock=clock, repo_root=repo).set_role("commander", "ANA LYST")
    Incident(folders[1], wf, clock=clock, repo_root=repo).assign("T004", "ana@example.invalid")
    Incident(folders[2], wf, clock=clock, repo_root=repo).set_role("commander", "Ben")
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        lines = [it.label.plain for it in app.screen.items]
        assert "★ IC  Checkout down" in lines[0]
        assert "★ 1 task  Search slow" in lines[1]
        assert "★" not in lines[2]


async def test_the_overview_lists_mine_first(tmp_path, clock):
    import subprocess

    from gitfix import clone, git, make_repo

    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow
    from hotfix_tui.tui.app import HotfixApp
    from hotfix_tui.tui.screens.overview import OverviewScreen

    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    wf = resolve_workflow("hotfix", alice)
    for desc, give in (("Checkout returns 500", "role"), ("DB replica lag", "task"),
                       ("Cache cold", "")):
        folder = create_incident(alice, desc, "P1", wf, clock=clock)
        inc = Incident(folder, wf, clock=clock, repo_root=alice)
        if give == "role":  # Bob, by name in another case
            inc.handover("bob roe", "report")
        elif give == "task":  # Bob, by his email
            inc.assign("T003", "bob@example.invalid")
        git(alice, "add", "specs")
        git(alice, "commit", "-q", "-m", desc)
        git(alice, "push", "-q", "-u", "origin", git(alice, "branch", "--show-current").strip())
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    app = HotfixApp(None, root=bob, clock=clock, settings=Settings(fetch_interval=0),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.show_overview()
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, OverviewScreen) and app.screen.leaves:
                break
        from textual.widgets import Tree

        tree = app.screen.query_one(Tree)
        groups = [str(n.label) for n in tree.root.children]
        assert groups[0] == "mine  2"
        mine = [leaf.label.plain for leaf in tree.root.children[0].children]
        assert any("★ IC  Checkout returns 500" in m for m in mine)
        assert any("★ 1 task  DB replica lag" in m for m in mine)


async def test_keys_typed_right_behind_u_land_in_the_composer(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("U", *"EU only. ", "ctrl+s")  # one burst: none lost, none to the list
        await pilot.pause()
        sent = logged(incident, "reminder_sent")
        assert len(sent) == 1 and sent[0].get("text").startswith("EU only. hotfix-001 ")
        assert app.screen is app.main and logged(incident, "note") == []
