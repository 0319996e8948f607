"""Escape sequences that make a terminal ring and notify: BEL, OSC 777 and OSC 9.

Inside tmux, OSC sequences are wrapped for passthrough (`set -g allow-passthrough on`).
"""

from __future__ import annotations

import os

BEL = "\a"


def _field(text: str, limit: int = 200) -> str:
    """Text safe inside an OSC field: no control characters, no `;` (the field separator)."""
    out = "".join(" " if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) else ch for ch in text)
    return out.replace(";", ",")[:limit]


def in_tmux(env: dict[str, str] | None = None) -> bool:
    return bool((os.environ if env is None else env).get("TMUX"))


def tmux_wrap(seq: str) -> str:
    """A sequence wrapped for tmux passthrough: DCS tmux; with every ESC doubled."""
    return "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def desktop_notification(title: str, body: str, tmux: bool = False) -> str:
    """OSC 777 (notify;title;body) then OSC 9 (body), each wrapped when inside tmux."""
    osc777 = f"\x1b]777;notify;{_field(title, 80)};{_field(body)}\x1b\\"
    osc9 = f"\x1b]9;{_field(title, 80)}: {_field(body)}\x1b\\"
    if tmux:
        return tmux_wrap(osc777) + tmux_wrap(osc9)
    return osc777 + osc9
