"""SHA-1 and SHA-256: CPython's own modules for small data, OpenSSL's (hashlib) for large.

`import hashlib` loads OpenSSL's bindings (~2 ms), more than all the hashing of the first frame;
but OpenSSL hashes large files ~5x faster, so it is loaded when a large one comes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash

try:
    from _sha1 import sha1 as _small_sha1  # type: ignore[import-not-found,unused-ignore]
    from _sha256 import sha256 as _small_sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Python 3.12+ (`_sha2`) or a build without them
    from hashlib import sha1 as _small_sha1
    from hashlib import sha256 as _small_sha256

BIG = 256 * 1024  # bytes from which OpenSSL's hash is worth loading hashlib


def sha256(data: bytes = b"") -> _Hash:
    """A SHA-256 object fed `data` (hashlib's for large data: feed large data here, not later)."""
    if len(data) >= BIG:
        import hashlib

        return hashlib.sha256(data)
    return _small_sha256(data)  # type: ignore[no-any-return,unused-ignore]


def sha1(data: bytes = b"") -> _Hash:
    """A SHA-1 object fed `data` (as `sha256`)."""
    if len(data) >= BIG:
        import hashlib

        return hashlib.sha1(data)
    return _small_sha1(data)  # type: ignore[no-any-return,unused-ignore]
