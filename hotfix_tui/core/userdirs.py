"""The user's folders for hotfix-tui (config, state, cache), each with its environment override.

platformdirs, imported only when no override is set, gives the platform's own folders.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "hotfix-tui"
ENV_CONFIG_DIR = "HOTFIX_TUI_CONFIG_DIR"
ENV_STATE_DIR = "HOTFIX_TUI_STATE_DIR"
ENV_CACHE_DIR = "HOTFIX_TUI_CACHE_DIR"
ENV_NO_CACHE = "HOTFIX_TUI_NO_CACHE"


def _given(name: str) -> Path | None:
    env = os.environ.get(name)
    return Path(env).expanduser() if env else None


def config_dir() -> Path:
    """The folder of config.yaml and the user's workflows (`$HOTFIX_TUI_CONFIG_DIR` or the
    platform's user config dir)."""
    given = _given(ENV_CONFIG_DIR)
    if given is not None:
        return given
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def state_dir() -> Path:
    """The user state folder (`$HOTFIX_TUI_STATE_DIR` or the platform's user state dir)."""
    given = _given(ENV_STATE_DIR)
    if given is not None:
        return given
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)


def cache_on() -> bool:
    """False when `$HOTFIX_TUI_NO_CACHE` turns every cache off."""
    return os.environ.get(ENV_NO_CACHE, "") in ("", "0")


def cache_dir(part: str) -> Path:
    """One cache's folder: `part` under `$HOTFIX_TUI_CACHE_DIR` or the platform's cache dir."""
    given = _given(ENV_CACHE_DIR)
    if given is not None:
        return given / part
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME) / part
