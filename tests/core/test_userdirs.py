"""The user's folders: the overrides, and on Linux the plain XDG rule applied without importing
platformdirs, which must give exactly what platformdirs gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from hotfix_tui.core import userdirs

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")

VARS = ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
CASES = {
    "home only": {"HOME": "/home/ann"},
    "home with a trailing slash": {"HOME": "/home/ann/"},
    "every XDG folder given": {
        "HOME": "/home/ann", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "/st/",
        "XDG_CACHE_HOME": "/var/tmp/c",
    },
    "empty XDG values": {
        "HOME": "/home/ann", "XDG_CONFIG_HOME": "", "XDG_STATE_HOME": "", "XDG_CACHE_HOME": "",
    },
    "relative XDG values": {
        "HOME": "/home/ann", "XDG_CONFIG_HOME": "rel", "XDG_STATE_HOME": " ",
        "XDG_CACHE_HOME": "~/c",
    },
    "no HOME, absolute XDG": {
        "XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s", "XDG_CACHE_HOME": "/k",
    },
    "a relative HOME": {"HOME": "home/ann"},
}


def _env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name in (*VARS, userdirs.ENV_CONFIG_DIR, userdirs.ENV_STATE_DIR, userdirs.ENV_CACHE_DIR):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@linux
@pytest.mark.parametrize("case", list(CASES))
def test_the_folders_are_platformdirs_own(monkeypatch, case):
    _env(monkeypatch, CASES[case])
    try:
        want = (
            platformdirs.user_config_path("hotfix-tui"),
            platformdirs.user_state_path("hotfix-tui"),
            platformdirs.user_cache_path("hotfix-tui") / "parsed",
        )
    except RuntimeError:  # platformdirs >= 4.14 finds no home: nor may we guess one
        assert all(userdirs.xdg(k) is None for k in ("config", "state", "cache"))
        return
    assert (userdirs.config_dir(), userdirs.state_dir(), userdirs.cache_dir("parsed")) == want


@linux
def test_the_plain_rule_is_applied_and_the_rest_left_to_platformdirs(monkeypatch):
    _env(monkeypatch, CASES["every XDG folder given"])
    assert userdirs.xdg("config") == Path("/cfg/hotfix-tui")
    assert userdirs.xdg("state") == Path("/st/hotfix-tui")
    _env(monkeypatch, CASES["relative XDG values"])
    assert userdirs.xdg("config") is None and userdirs.xdg("state") is None
    assert userdirs.xdg("cache") is None
    _env(monkeypatch, CASES["a relative HOME"])
    assert userdirs.xdg("config") is None


def test_the_overrides_win(monkeypatch, tmp_path):
    _env(monkeypatch, CASES["home only"])
    monkeypatch.setenv(userdirs.ENV_CONFIG_DIR, str(tmp_path / "c"))
    monkeypatch.setenv(userdirs.ENV_STATE_DIR, str(tmp_path / "s"))
    monkeypatch.setenv(userdirs.ENV_CACHE_DIR, str(tmp_path / "k"))
    assert userdirs.config_dir() == tmp_path / "c"
    assert userdirs.state_dir() == tmp_path / "s"
    assert userdirs.cache_dir("workflows") == tmp_path / "k" / "workflows"
    monkeypatch.setenv(userdirs.ENV_NO_CACHE, "1")
    assert not userdirs.cache_on()


@linux
def test_finding_the_folders_imports_no_platformdirs(tmp_path):
    code = (
        "import sys\nfrom hotfix_tui.core import userdirs\n"
        "userdirs.config_dir(); userdirs.state_dir(); userdirs.cache_dir('x')\n"
        "print('platformdirs' in sys.modules)\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
