"""SHA-1 and SHA-256 from CPython's own modules where it has them, else from hashlib.

`import hashlib` loads OpenSSL's bindings (~2 ms at start-up), more than all the hashing the
first frame does; the digests are the same (a test compares them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the same interface as hashlib's
    from hashlib import sha1, sha256
else:
    try:
        from _sha1 import sha1
        from _sha256 import sha256
    except ImportError:  # Python 3.12+ (`_sha2`) or a build without them
        from hashlib import sha1, sha256

__all__ = ["sha1", "sha256"]
