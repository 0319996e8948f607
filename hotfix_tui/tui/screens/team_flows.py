"""The incident screen's flows of who does what: assign a task, give a role, hand over and
accept the commander role, compose and send a status update (posted through `alerts.command`
in a worker thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hotfix_tui.tui.host import host
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from hotfix_tui.core.alerting.alerts import Alert

MainScreen = Any  # the incident screen (`screens/main.py`, which imports this module)


def _post(screen: MainScreen, alert: Alert | None) -> None:
    """Post an update or hand-over through `alerts.command` in the background, if one is set."""
    from hotfix_tui.core.alerting.updates import post
    from hotfix_tui.tui.services.alerter import AlertCommandFailed

    command = host(screen.app).settings.alert_command
    if not command or alert is None:
        return
    app = screen.app

    def job() -> None:
        error = post(command, alert)
        if error:
            app.post_message(AlertCommandFailed(error))

    app.run_worker(job, thread=True, group="alerts", exit_on_error=False)


def assign(screen: MainScreen) -> None:
    """Ask who the task under the cursor is assigned to (empty: nobody)."""
    from hotfix_tui.tui.screens.team_dialogs import NameScreen

    if screen.flows.refuse_while_syncing():
        return
    row = screen._need_task()
    if row is None:
        return
    key, what = row.key, row.view.id or row.view.title

    def done(name: str | None) -> None:
        if name is None:
            return
        change = screen.flows.act(lambda: screen.incident.assign(key, name))
        screen.refresh_task(key)
        if change is not None:
            screen.notify(clean(change.label), markup=False)

    screen.app.push_screen(
        NameScreen(f"Assign {what} to", row.view.assignee or screen.incident.who,
                   "the person working on this task"), done)


def give_role(screen: MainScreen) -> None:
    """Choose a role, then who holds it."""
    from hotfix_tui.tui.screens.team_dialogs import NameScreen, RoleScreen

    if screen.flows.refuse_while_syncing():
        return
    team = screen.incident.view.team()
    roles = [(rid, label, team.roles.get(rid)) for rid, label in team.labels.items()]

    def named(rid: str, name: str | None) -> None:
        if name is None:
            return
        change = screen.flows.act(lambda: screen.incident.set_role(rid, name))
        screen.update_header()
        if change is not None:
            screen.notify(clean(change.label), markup=False)

    def chosen(rid: str | None) -> None:
        if rid is None:
            return
        label = team.labels.get(rid, rid)
        screen.app.push_screen(
            NameScreen(f"Who is the {label}?", team.roles.get(rid) or screen.incident.who),
            lambda name: named(rid, name))

    screen.app.push_screen(RoleScreen(roles, team.handover_to or ""), chosen)


def hand_over(screen: MainScreen) -> None:
    """Ask who takes over as commander; the hand-over is recorded with the report and posted."""
    from hotfix_tui.core.alerting.updates import hand_over
    from hotfix_tui.tui.screens.team_dialogs import NameScreen

    if screen.flows.refuse_while_syncing():
        return
    inc = screen.incident
    team = inc.view.team()

    def done(name: str | None) -> None:
        if not name:
            return

        made: list[Any] = []

        def record() -> Any:
            change, alert = hand_over(inc, name)
            made.append(alert)
            return change

        if screen.flows.act(record) is None:
            return
        screen.update_header()
        if made:
            _post(screen, made[0])
        screen.notify(clean(f"handing over to {name}: {name} accepts with K (or "
                            "`hotfix-tui accept`)"), title="Hand-over", markup=False)

    now = team.commander or "nobody"
    screen.app.push_screen(
        NameScreen("Hand over the incident to", team.handover_to or "",
                   f"commander now: {now}; the next one accepts to take over"), done)


def accept(screen: MainScreen) -> None:
    """Accept the pending hand-over: its person is the commander now (someone else is asked
    first whether they accept on that person's behalf)."""
    from hotfix_tui.core.git.repo import user_identity
    from hotfix_tui.core.record.team import is_me
    from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen

    if screen.flows.refuse_while_syncing():
        return
    inc = screen.incident
    me = user_identity(inc.repo_root)  # two `git config` reads: a rare key
    to = inc.view.team().handover_to

    def go(for_them: bool) -> None:
        change = screen.flows.act(lambda: inc.accept(me, for_them=for_them))
        screen.update_header()
        if change is not None:
            screen.notify(clean(change.label), title="Hand-over", markup=False)

    if to is None or not me or is_me(to, me):
        go(False)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            go(True)

    screen.app.push_screen(
        ConfirmScreen(f"The hand-over is to {to}. Accept it on {to}'s behalf?"), answered)


def compose_update(screen: MainScreen) -> None:
    """Open the composer on the workflow's template filled in; sending records the update,
    restarts the reminder and posts it (kind `update`)."""
    from hotfix_tui.core.alerting.updates import running, send_update
    from hotfix_tui.core.clocks import format_duration
    from hotfix_tui.core.reports.updates import compose
    from hotfix_tui.tui.screens.team_dialogs import UpdateScreen

    if screen.flows.refuse_while_syncing():
        return
    inc = screen.incident
    now = inc.clock()
    live = running(inc, now)
    text = compose(inc, now, live)

    def done(result: str | None) -> None:
        if result is None:
            return
        sent = screen.flows.act(lambda: send_update(inc, result))
        if sent is None:
            return
        _post(screen, sent.alert)
        what = "Status update sent" if sent.alert is not None else "Update marked sent (no text)"
        if sent.reminder is not None:
            every = format_duration(sent.reminder.interval_seconds)
            what += f"; the next {sent.reminder.label.lower()} is due in {every}"
        screen.notify(clean(what), title="Update", markup=False)
        screen.after_reminder()

    screen.app.push_screen(UpdateScreen(text, live[0].label if live else ""), done)
