"""Large tasks.md files kept parsed on disk, by the hash of their text and of the parser's code.

A file of thousands of tasks that did not change since the last command is read back (marshal)
instead of parsed again; any other text, engine or parser version is a different key.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from hotfix_tui.core import userdirs as dirs

MIN_CHARS = 128 * 1024  # about 1 500 tasks: below this a parse costs little
KEEP = 4  # documents kept: the latest used (100 000 tasks take about 15 MB)
FORMAT = 2  # 2: columns (doc_data)

_CODE: str | None = None


def cache_dir() -> Path | None:
    """Where parsed documents are kept; None when caching is turned off."""
    return dirs.cache_dir("parsed") if dirs.cache_on() else None


def _code() -> str:
    """The parser's version: the package's and the size and mtime of the modules that parse."""
    global _CODE
    if _CODE is None:
        from hotfix_tui import __version__

        here = Path(__file__).resolve().parent
        parts = [str(FORMAT), __version__, sys.version, str(marshal.version)]  # marshal's format
        for name in ("tasks_md.py", "parse_cache.py"):
            st = os.stat(here / name)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        _CODE = "\n".join(parts)
    return _CODE


def _key(text: str, engine: str, trim: str | None) -> str:
    import hashlib  # (large texts only: OpenSSL's hash, ~5x faster than CPython's own)

    h = hashlib.sha256(f"{_code()}\n{engine}\n{trim!r}\n".encode())
    h.update(text.encode("utf-8", errors="surrogatepass"))
    return h.hexdigest()


def load(text: str, engine: str, trim: str | None) -> Any:
    """The kept parse data of `text` (what `save` was given), or None (not kept or unreadable)."""
    d = cache_dir()
    if d is None:
        return None
    p = d / (_key(text, engine, trim) + ".marshal")
    try:
        data = marshal.loads(p.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    with contextlib.suppress(OSError):
        os.utime(p)  # the latest used are the ones kept
    return data


def save(text: str, data: Any, engine: str, trim: str | None, *, if_missing: bool = False) -> None:
    """Keep the parse data of `text` (written atomically; the oldest beyond KEEP are removed);
    `if_missing`: a kept file of that key (this code's, for this text) is only marked used."""
    d = cache_dir()
    if d is None:
        return
    p = d / (_key(text, engine, trim) + ".marshal")
    if if_missing:
        with contextlib.suppress(OSError):
            os.utime(p)
            return
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".{p.name}.{os.getpid()}.tmp"
        tmp.write_bytes(marshal.dumps(data))
        os.replace(tmp, p)
        kept = sorted(d.glob("*.marshal"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # only an optimisation: the next command parses again
