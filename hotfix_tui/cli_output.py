"""What the command line prints: text made safe for a terminal, and JSON (streamed).

Shared by every `cli*` module; text from the markdown is never sent to the terminal as control
sequences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

# Runs of characters that may not be printable (all but printable ASCII), each then checked
# with str.isprintable at C speed: text is never walked character by character in Python.
_SUSPECT_RE = re.compile(r"[^\x20-\x7e]+")
_SUSPECT_JSON_RE = re.compile(r"[^\x20-\x7e\n]+")
_encode_str = json.encoder.py_encode_basestring
if json.encoder.c_encode_basestring is not None:  # type: ignore[attr-defined]
    _encode_str = json.encoder.c_encode_basestring  # type: ignore[attr-defined]


def safe(text: str, keep: str = "") -> str:
    """Drop terminal control characters from text read out of a file (`keep`: allowed ones)."""
    text = str(text)
    if text.isprintable():
        return text

    def fix(m: re.Match[str]) -> str:
        run = m.group()
        if run.isprintable():
            return run
        return "".join(ch if ch.isprintable() or ch in keep else "?" for ch in run)

    return _SUSPECT_RE.sub(fix, text)


def _json_escape(m: re.Match[str]) -> str:
    run = m.group()
    if run.isprintable():
        return run
    out = []
    for ch in run:
        if ch.isprintable():
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            v = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def to_json(data: object) -> str:
    """JSON for stdout: non-ASCII text kept, but every control character (C0, DEL, C1, bidi
    overrides) escaped as \\uXXXX, so printing it can never drive the terminal."""
    try:  # whole data: json's own encoder (a third faster than the pieces below)
        text = json.dumps(data, indent=2, ensure_ascii=False)
    except TypeError:  # an iterator inside (left unread by json): written piece by piece
        return "".join(json_chunks(data))
    return _SUSPECT_JSON_RE.sub(_json_escape, text)


def json_chunks(data: object, size: int = 1 << 16) -> Iterator[str]:
    """`to_json(data)` in pieces of about `size` characters (written as they are made)."""
    parts: list[str] = []
    n = 0
    for piece in _json_pieces(data, "\n"):
        parts.append(piece)
        n += len(piece)
        if n >= size:
            yield _SUSPECT_JSON_RE.sub(_json_escape, "".join(parts))
            parts, n = [], 0
    yield _SUSPECT_JSON_RE.sub(_json_escape, "".join(parts))


def _json_pieces(obj: object, nl: str) -> Iterator[str]:
    """The text of `json.dumps(obj, indent=2, ensure_ascii=False)`, made piece by piece (an
    iterator is written as a list); a dict of plain values is one piece, made without json.dumps."""
    if isinstance(obj, dict) and obj:
        inner = nl + "  "
        flat = _flat_dict(obj, inner)
        if flat is not None:
            yield "{" + inner + flat + nl + "}"
            return
        yield "{"
        first = True
        for k, v in obj.items():
            yield (inner if first else "," + inner) + _scalar(str(k) if k is not None else k) + ": "
            first = False
            yield from _json_pieces(v, inner)
        yield nl + "}"
    elif isinstance(obj, list | tuple | Iterator):
        items = iter(obj)
        first_item = next(items, _NOTHING)
        if first_item is _NOTHING:
            yield "[]"
            return
        inner = nl + "  "
        yield "[" + inner
        yield from _json_pieces(first_item, inner)
        sep = "," + inner
        for v in items:
            yield sep
            yield from _json_pieces(v, inner)
        yield nl + "]"
    else:
        yield _scalar(obj)


_NOTHING = object()


def _json_float(x: float) -> str:
    return json.dumps(x)


# Encoders of the exact types a flat dict may hold (subclasses take the general path).
_PLAIN: dict[type, Callable[[Any], str]] = {
    str: _encode_str,
    bool: lambda b: "true" if b else "false",
    int: int.__repr__,
    float: _json_float,
    type(None): lambda _: "null",
}


def _flat_dict(obj: dict, inner: str) -> str | None:
    """The members of a dict whose keys are str and values plain, joined; else None."""
    parts = []
    plain = _PLAIN
    for k, v in obj.items():
        enc = plain.get(type(v))
        if enc is None or type(k) is not str:
            return None
        parts.append(_encode_str(k) + ": " + enc(v))
    return ("," + inner).join(parts)


def _scalar(obj: object) -> str:
    if isinstance(obj, str):
        return _encode_str(obj)
    return json.dumps(obj, ensure_ascii=False)
