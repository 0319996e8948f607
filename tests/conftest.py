"""Shared fixtures: isolated config dirs, real git repos in temp folders, a frozen clock."""

from __future__ import annotations

from pathlib import Path

import pytest
import reliability_report
from gitfix import FakeClock, make_repo


@pytest.fixture(autouse=True)
def _isolate_user_dirs(tmp_path_factory, monkeypatch):
    """Never read or write the real user's config, state or cache: point them at a temp folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(home / "hotfix-config"))
    monkeypatch.setenv("HOTFIX_TUI_STATE_DIR", str(home / "hotfix-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("HOTFIX_TUI_CACHE_DIR", str(home / "hotfix-cache"))
    monkeypatch.delenv("HOTFIX_TUI_NO_CACHE", raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("HOTFIX_TUI_DEBUG", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo")


# --- figures for docs/reliability.md's table (tests/reliability_report.py) -------------------
_RELIABILITY_TESTS: reliability_report.Tests = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note the outcome and recorded properties of the tests the Reliability table counts."""
    reliability_report.note(
        _RELIABILITY_TESTS, report.nodeid, report.when, report.outcome, report.user_properties
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write those figures to tests/.reliability/ once, in the main process (not xdist workers)."""
    if not hasattr(session.config, "workerinput"):
        reliability_report.write_figures(_RELIABILITY_TESTS)


@pytest.fixture
def parsed_texts(monkeypatch) -> list[str]:
    """The tasks.md texts really parsed from now on (not read back from a cache or derived)."""
    from hotfix_tui.core.markdown import tasks_md

    seen: list[str] = []
    real = tasks_md._parse

    def spy(text: str, engine: str) -> tasks_md.TasksDoc:
        seen.append(text)
        return real(text, engine)

    monkeypatch.setattr(tasks_md, "_parse", spy)
    return seen
