"""Fixtures for the TUI tests: a real repo with a real incident and an app on a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

WHO = "Ana Lyst"


def make_incident(root: Path, clock, severity: str = "P0",
                  description: str = "Checkout returns 500 errors") -> Incident:
    wf = resolve_workflow("hotfix", root)
    folder = create_incident(root, description, severity, wf, clock=clock)
    return Incident(folder, wf, clock=clock, who=WHO, repo_root=root)


@pytest.fixture
def incident(repo: Path, clock) -> Incident:
    return make_incident(repo, clock)


@pytest.fixture
def make_app(clock):
    from hotfix_tui.tui.app import HotfixApp

    def make(inc: Incident, settings: Settings | None = None, watch: bool = False) -> HotfixApp:
        # the cursor stays after a check unless a test gives settings (tests/tui/test_tui_moves.py
        # covers the default, advance_after_check on)
        return HotfixApp(inc, root=inc.repo_root, clock=clock,
                         settings=settings or Settings(advance_after_check=False), watch=watch)

    return make


async def click_line(pilot, ref: str, x: int = 0, chain: int = 1) -> None:
    """Click the checklist's line of `ref` ("p:<index>" or "t:<key>") at column `x`."""
    tree = pilot.app.screen.checklist
    span = tree.span(ref)
    assert span is not None, f"{ref} is not listed"
    y = span[0] - int(tree.scroll_offset.y)
    assert 0 <= y < tree.size.height, f"{ref} is not in view"
    await pilot.click("#tree", offset=(x, y), times=chain)


def drawn(app, ref: str) -> str:
    """The text the checklist draws for `ref`'s lines (scrolled into view first)."""
    tree = app.screen.checklist
    tree.scroll_to_ref(ref)
    span = tree.span(ref)
    assert span is not None, f"{ref} is not listed"
    top = int(tree.scroll_offset.y)
    return "\n".join(tree.render_line(span[0] - top + i).text for i in range(span[1]))


async def settle_until(pilot, app, cond, rounds: int = 300) -> None:
    """Wait (bounded) for the workers and their messages until `cond()` holds."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if cond():
            return
    raise AssertionError("condition not reached")


def static_texts(screen) -> str:
    """The text of every Static of a screen, a line each."""
    return "\n".join(str(w.render()) for w in screen.query("Static"))
