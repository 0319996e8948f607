"""The write path of an incident: one transaction under its lock (see `transact`).

Hand edits are recorded, the action's events appended (fsynced), then the markdown projected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from hotfix_tui.core import store
from hotfix_tui.core.locking import FileLock, LockTimeout
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record.change import IncidentError
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.projection import project
from hotfix_tui.core.record.view import HOTFIX, POSTMORTEM, TASKS, IncidentView
from hotfix_tui.core.store import ChangedUnderneath, StoreError
from hotfix_tui.core.workflow.model import Workflow

Build = Callable[[list[Event], Callable[..., Event]], list[Event]]


class IncidentTransaction:
    """The write path of an incident's read view: lock, reconcile, append, project, replace.

    It writes the folder `view` reads and loads the view again after each write."""

    def __init__(self, view: IncidentView) -> None:
        self.view = view
        self.notices: list[str] = []  # what the last write did besides the action (log kept)
        self._prepared = False  # the repository's exclude and merge driver are set up
        self._disk: dict[str, str | None] = {}  # the files as read by the last attempt
        self.made: list[Event] = []  # the events the last action appended (its undo names one)
        self.undoes: str | None = None  # while an undo runs: the id its events name as undone

    @property
    def folder(self) -> Path:
        return self.view.folder

    @property
    def repo_root(self) -> Path | None:
        return self.view.repo_root

    @property
    def workflow(self) -> Workflow | None:
        return self.view.workflow

    def _prepare_repo(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        from hotfix_tui.core.git.repo import ensure_excluded, git_dir

        if self.repo_root is None:
            return
        ensure_excluded(self.repo_root)
        g = git_dir(self.repo_root)
        if g is not None:
            from hotfix_tui.core.git.mdmerge import register

            register(g)

    def _lock(self) -> FileLock:
        from hotfix_tui.core.record.journal import incident_lock

        lock = incident_lock(self.repo_root, self.folder)
        try:
            lock.acquire()
        except LockTimeout as exc:
            raise IncidentError(
                f"another hotfix-tui is changing {self.folder} (a sync or another window; "
                f"lock {lock.lock_file} held for more than {lock.timeout:g}s); try again"
            ) from exc
        except OSError as exc:
            raise IncidentError(f"cannot take the incident's lock: {exc}") from exc
        return lock

    def transact(
        self,
        build: Build | None = None,
        edit: tuple[str, Callable[[str], str]] | None = None,
        task: str | None = None,
        edits: dict[str, Callable[[str], str]] | None = None,
    ) -> list[Event]:
        """Under the incident's lock: record hand edits, append the action's events (fsynced),
        then project and write the markdown; returns the action's events."""
        from hotfix_tui.core.record import journal

        lock = self._lock()
        try:
            self.notices = []
            self._prepare_repo()
            self._sweep_temps()
            torn = evlog.set_aside_torn(self.folder, evlog.torn_file(self.folder, self.repo_root))
            self.notices += [torn] if torn else []
            made: list[Event] | None = None
            appended: list[Event] = []
            for _attempt in range(8):
                texts = self._read_current()
                if task is not None and made is None:
                    self._require_task(texts, task)
                events = self._keep_log(self._current_log(), appended)
                pin = self._pin_ids(events)
                pre = [*pin, *self._reconcile(texts, [*events, *pin])]
                base = [*events, *pre]
                new = list(pre)
                if made is None:
                    made = build(base, self.view.maker(base)) if build else []
                    if self.undoes:  # an undo's events name the event they undo (`undoes`)
                        made = [_undoing(e, self.undoes) for e in made]
                    new += made
                if new:
                    try:
                        evlog.append(self.folder, new)
                    except OSError as exc:
                        raise IncidentError(
                            str(store._write_error(str(self.folder / evlog.LOG), exc))
                        ) from exc
                    appended += new
                all_events = list({e.id: e for e in [*events, *new]}.values())
                linked = self.view.linked
                for name, fn in ([edit] if edit else []) + list((edits or {}).items()):
                    if linked and name in (TASKS, HOTFIX) and texts.get(TASKS) is not None:
                        shared = fn(texts[TASKS] or "")  # one file: each edit on the one text
                        texts = {**texts, TASKS: shared, HOTFIX: shared}
                    elif texts.get(name) is not None:
                        texts = {**texts, name: fn(texts[name] or "")}
                proj = project(texts, all_events, self.workflow, linked)
                if self._write_all(proj):
                    journal.save_hashes(self.repo_root, self.folder, proj)
                    self._keep_view(proj)
                    break
            else:
                raise IncidentError(
                    f"{self.folder}: the files kept changing while being written (an editor "
                    "saving continuously?); nothing of yours is lost, run the command again"
                )
            self.view.load()
            from hotfix_tui.core.record import logkeep

            logkeep.remember(
                self.repo_root, self.folder, self.view.events, appended, len(all_events)
            )
            self.made = made
            return made
        finally:
            lock.release()

    def _pin_ids(self, events: list[Event]) -> list[Event]:
        """An `ids` event pinning the `L<n>` ids an older version gave boxes without an ID to
        their keys, read on the text that version last projected here (else the file's)."""
        from hotfix_tui.core.record import journal, kinds

        done = kinds.pinned(events)
        old = sorted(
            {r for e in events if (r := e.task) and r not in done and tasks_md.is_line_key(r)}
        )
        if not old:
            return []
        last = journal.load_projection(self.repo_root, self.folder).get(TASKS)
        doc = tasks_md.parse_tasks(last if last is not None else self.view.text(TASKS))
        ids = {}
        for ref in old:
            i = doc.line_index(ref)
            if i is not None:
                task = doc.task_at(i)
                ids[ref] = task.id or task.key
        return [self.view.maker(events)(kinds.IDS, map=ids)] if ids else []

    def _keep_log(self, events: list[Event], appended: list[Event]) -> list[Event]:
        """The log's events with the lines that vanished from it appended again, and the revert
        events of the commits that removed them (see `logkeep`)."""
        from hotfix_tui.core.record import logkeep

        back = logkeep.check(self.repo_root, self.folder, events)
        if not back.events:
            return events
        try:
            evlog.append_text(self.folder, back.text)
            evlog.remember_written(back.events)
        except OSError as exc:
            raise IncidentError(
                str(store._write_error(str(self.folder / evlog.LOG), exc))
            ) from exc
        appended += back.events
        self.notices += back.messages
        return sorted({e.id: e for e in [*events, *back.events]}.values(), key=lambda e: e.order)

    def _keep_view(self, proj: dict[str, str | None]) -> None:
        """Remember that the files just written are the projection of the log as it is now
        (read again under the lock: the events projected are exactly the ones it holds)."""
        from hotfix_tui.core.record import journal

        try:
            log = (self.folder / evlog.LOG).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        journal.save_view(self.repo_root, self.folder, journal.view_key(log, self.workflow), proj)

    def _sweep_temps(self) -> None:
        """Remove the temp files of a writer killed mid-write (writers hold the lock we hold)."""
        from contextlib import suppress

        for name in (TASKS, HOTFIX, POSTMORTEM, evlog.LOG):
            for p in self.folder.glob(f".{name}.*.tmp"):
                with suppress(OSError):
                    p.unlink()

    def _require_task(self, texts: dict[str, str | None], ref: str) -> None:
        doc = tasks_md.parse_tasks(texts.get(TASKS) or "")
        if doc.task(ref) is None:
            raise IncidentError(
                f"{self.view.path(TASKS)}: task {ref} is gone from the file on disk "
                "(someone else changed it); nothing was written"
            )

    def repair(self) -> list[Event]:
        """Bring the files in line with the log (and record hand edits); writes only if needed.

        Files that are, as read now, what the last projection of the log wrote need no lock."""
        from hotfix_tui.core.record import logkeep

        self.view.refresh()
        if (
            self.view.settled
            and not self._stale_temps()
            and logkeep.settled(self.repo_root, self.folder)
        ):
            self._prepare_repo()
            return []
        return self.transact(None)

    def _stale_temps(self) -> bool:
        return any(True for n in (TASKS, HOTFIX, POSTMORTEM, evlog.LOG)
                   for _ in self.folder.glob(f".{n}.*.tmp"))

    def _read_current(self) -> dict[str, str | None]:
        from hotfix_tui.core.git.mdmerge import has_markers, resolve_markers
        from hotfix_tui.core.record import journal

        texts: dict[str, str | None] = {}
        self._disk = {}
        for name in (TASKS, HOTFIX, POSTMORTEM):
            p = self.view.path(name)
            try:
                if p.exists():
                    self.view.inside(p)
                text = journal.read_stable(p)
            except StoreError as exc:
                raise IncidentError(str(exc)) from exc
            self._disk[name] = text
            if text is not None and has_markers(text):
                # projected lines are settled (the projection rebuilds them from the log); a
                # block of text people wrote stays marked for `resolve` and never blocks a write
                text, _left = resolve_markers(text)
            texts[name] = text
        if texts[TASKS] is None and texts[HOTFIX] is None:
            raise IncidentError(f"{self.folder}: no tasks.md or hotfix.md here")
        return texts

    def _current_log(self) -> list[Event]:
        p = self.folder / evlog.LOG
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise IncidentError(f"{p}: cannot read the event log: {exc}") from exc
        events, _problems = evlog.parse_log(text, str(p))  # the view's load says them
        from hotfix_tui.core.git.mdmerge import has_markers

        if has_markers(text):  # merged without the union rule: keep every event, drop the marks
            store.atomic_write(p, "".join(e.line() for e in events))
        return events

    def _reconcile(self, texts: dict[str, str | None], events: list[Event]) -> list[Event]:
        """Seed a first log from the files, or turn hand edits into events."""
        from hotfix_tui.core.record import journal
        from hotfix_tui.core.record.reconcile import seed

        if not events:
            # the files as found are a text of ours (a folder another tool made and committed:
            # its index text is not one git brought over an edit, see `_came_by_git`)
            journal.remember(self.repo_root, self.folder, {n: t for n, t in texts.items() if t})
            return seed(texts, self.view.workflow, self.view.maker([]))
        last = journal.load_projection(self.repo_root, self.folder)
        names = {n for n, t in texts.items() if t is not None and t != last.get(n)}
        if not names:
            return []
        arrived = self._arrived_by_git(names) if self.repo_root is not None else {}
        out: list[Event] = []
        make = self.view.maker(events)
        order = (TASKS, HOTFIX, POSTMORTEM)
        local = sorted(names - set(arrived), key=order.index)
        came = self._came_by_git(local, last) if self.repo_root is not None else {}
        for name, (text, commit) in came.items():  # git brought it before the editor saved
            out += self._git_edits({**texts, name: text}, [*events, *out], name, commit)
        ours = {**last, **{n: t for n, (t, _c) in came.items()}}
        found, merged = self.view.hand_edits(texts, [*events, *out], local, make, ours)
        if local:
            journal.remember(self.repo_root, self.folder, {n: texts[n] for n in local})
        texts.update(merged)
        out += found
        for name, commit in arrived.items():
            out += self._git_edits(texts, [*events, *out], name, commit)
        return out

    def _came_by_git(
        self, names: list[str], last: dict[str, str]
    ) -> dict[str, tuple[str, tuple[str, int, str, int]]]:
        """Files edited here whose index text is not the last projection written here: git
        brought a newer text (pull, merge, revert) that the edit was saved over; that text and
        its last commit, so its lines are merged in and its commits' hand edits recorded."""
        from hotfix_tui.core.record import journal

        assert self.repo_root is not None
        rels = {n: self.view.rel(n) for n in names if n in last}
        try:
            blobs = journal.index_blobs(self.repo_root, list(rels.values()))
        except OSError:
            return {}
        out = {}
        for name, rel in rels.items():
            blob = blobs.get(rel)
            if blob is None or blob == journal.git_blob_id(last[name]):
                continue
            ours = journal.candidates(self.repo_root, self.folder, name)
            if blob in {journal.git_blob_id(t) for t in ours}:
                continue  # a text of ours that is committed, not one git brought
            text = journal.show(self.repo_root, "", rel)
            commit = journal.last_commit(self.repo_root, rel)
            if text is not None and commit is not None:
                out[name] = (text, commit)
        return out

    def _arrived_by_git(self, names: set[str]) -> dict[str, tuple[str, int, str, int]]:
        """The files that are as git left them (checkout, pull, merge), with their last commit."""
        from hotfix_tui.core.record import journal

        assert self.repo_root is not None
        rels = {n: self.view.rel(n) for n in names}
        try:
            blobs = journal.index_blobs(self.repo_root, list(rels.values()))
        except OSError:
            return {}
        out = {}
        for name, rel in rels.items():
            text = self._disk.get(name)
            if text is None or blobs.get(rel) != journal.git_blob_id(text):
                continue
            commit = journal.last_commit(self.repo_root, rel)
            if commit is not None:
                out[name] = commit
        return out

    def _git_edits(
        self,
        texts: dict[str, str | None],
        events: list[Event],
        name: str,
        commit: tuple[str, int, str, int],
    ) -> list[Event]:
        """Edits a commit carried without events, credited to its author and time (the same
        events, ids included, as `sync` makes of that commit: `credit.commit_edits`)."""
        from hotfix_tui.core.record.credit import commit_edits, range_edits

        assert self.repo_root is not None
        rel = self.view.rel(name).rpartition("/")[0]
        have = {e.id for e in events}
        found = commit_edits(self.repo_root, rel, name, commit, self.workflow)
        found += range_edits(self.repo_root, rel, name, commit[0], None, self.workflow)
        return list({e.id: e for e in found if e.id not in have}.values())

    def _write_all(self, proj: dict[str, str | None]) -> bool:
        """Write each projected file that differs; False when one changed under us (redo)."""
        linked = self.view.linked
        for name, text in proj.items():
            disk = self._disk.get(name)
            if text is None or disk is None or text == disk or (linked and name == HOTFIX):
                continue  # a linked hotfix.md is written as tasks.md
            try:
                store.atomic_write(self.view.path(name), text, expect=disk)
            except ChangedUnderneath:
                return False
            except StoreError as exc:
                raise IncidentError(str(exc)) from exc
        return True

    def emit(self, kind: str, happened: datetime | None = None, **data: object) -> list[Event]:
        """Record one event of `kind` (about the task `data` names, if any); its events."""
        ref = data.get("task")
        return self.transact(
            lambda _evs, make: [make(kind, happened=happened, **data)],
            task=str(ref) if ref is not None else None,
        )


def _undoing(ev: Event, undone: str) -> Event:
    """An undo's event with the id of the event it undoes (the log's own link)."""
    if not ev.get("undo") or ev.get("undoes"):
        return ev
    return replace(ev, data={**ev.data, "undoes": undone})
