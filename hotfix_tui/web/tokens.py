"""The board's generated token, kept per repository in the user's state dir across restarts.

A restarted `serve` keeps its token, so the pages and links teammates hold keep working;
`serve --new-token` replaces it (then every open page says the token changed).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from hotfix_tui.core.config.settings import state_dir
from hotfix_tui.core.store import atomic_write

TOKEN_BYTES = 32  # 256 bits; 43 URL-safe characters


def token_file(root: Path | None) -> Path:
    """Where the token of the board of `root` is kept (a folder of the user state dir, 0700)."""
    where = str(root.resolve()) if root is not None else ""
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", root.name if root is not None else "none")[:40]
    return state_dir() / "board-tokens" / f"{name}-{digest}.token"


def board_token(root: Path | None, renew: bool = False) -> str:
    """The repository's kept token, made (or replaced, with renew) when there is none."""
    path = token_file(root)
    if not renew:
        try:
            kept = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            kept = ""
        if re.fullmatch(r"[A-Za-z0-9_-]{22,}", kept):
            return kept
    token = secrets.token_urlsafe(TOKEN_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    atomic_write(path, token + "\n")
    os.chmod(path, 0o600)
    return token
