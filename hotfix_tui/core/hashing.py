"""SHA-1 and SHA-256 through hashlib, imported on the first hash (not by every import).

`import hashlib` loads OpenSSL's bindings (~2-3 ms); commands that hash nothing never pay it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash


def sha256(data: bytes = b"") -> _Hash:
    """A SHA-256 object fed `data`."""
    import hashlib

    return hashlib.sha256(data)


def sha1(data: bytes = b"") -> _Hash:
    """A SHA-1 object fed `data`."""
    import hashlib

    return hashlib.sha1(data)
