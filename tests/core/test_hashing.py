"""SHA-1 and SHA-256 through hashlib's public API, with the same digests on every supported Python
(cache keys, the clone's file names and git blob ids are made of them)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotfix_tui.core import hashing

ROOT = Path(__file__).resolve().parents[2]

# published test vectors (FIPS 180-2 "abc" and one million "a"; git's blob id of "hello\n")
VECTORS = [
    (b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (b"blob 6\0hello\n", "ce013625030ba8dba906f756967f9e9ca394464a",
     "2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4"),
    (b"a" * 1_000_000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
]

# run by another interpreter on this checkout: the vectors again, and the modules hashing loaded
CHECK = """
import json, sys
sys.path.insert(0, sys.argv[1])
from hotfix_tui.core import hashing
vectors = json.loads(sys.stdin.read())
bad = [d for d, one, two in vectors
       if hashing.sha1(d.encode("latin-1")).hexdigest() != one
       or hashing.sha256(d.encode("latin-1")).hexdigest() != two]
h = hashing.sha256(b"a")
h.update(b"bc")
private = sorted(m for m in sys.modules if m in ("_sha1", "_sha256", "_sha2"))
print(json.dumps({"bad": bad, "update": h.hexdigest(), "private": private}))
"""


@pytest.mark.parametrize(("data", "one", "two"), VECTORS, ids=["empty", "abc", "blob", "million"])
def test_digests_are_the_published_ones(data: bytes, one: str, two: str) -> None:
    assert hashing.sha1(data).hexdigest() == one
    assert hashing.sha256(data).hexdigest() == two


def test_a_hash_fed_in_parts_is_the_hash_of_the_whole() -> None:
    h = hashing.sha256(b"a")
    h.update(b"bc")
    assert h.hexdigest() == VECTORS[1][2]
    s = hashing.sha1()
    s.update(b"abc")
    assert s.hexdigest() == VECTORS[1][1]


def run_check(python: str) -> dict:
    vectors = [(d.decode("latin-1"), one, two) for d, one, two in VECTORS]
    out = subprocess.run(
        [python, "-I", "-c", CHECK, str(ROOT)],
        input=json.dumps(vectors), capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(out.stdout)


def test_hashing_uses_no_private_module_of_cpython() -> None:
    """`_sha1`/`_sha256` are CPython's internals (`_sha256` is gone in 3.12): never imported."""
    got = run_check(sys.executable)
    assert got == {"bad": [], "update": VECTORS[1][2], "private": []}


def other_pythons() -> dict[str, str]:
    """Other interpreters of a supported version on this machine: version -> executable."""
    found: dict[str, str] = {}
    pyenv = shutil.which("pyenv")
    roots = [os.environ.get("PYENV_ROOT", "")]
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        roots.append(root)
    candidates = [p for r in roots if r for p in glob.glob(f"{r}/versions/3.*/bin/python3")]
    candidates += glob.glob("/usr/bin/python3.1[1-9]") + glob.glob("/usr/local/bin/python3.1[1-9]")
    for exe in candidates:
        try:
            v = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            continue
        here = "{}.{}".format(*sys.version_info[:2])
        if v and tuple(map(int, v.split("."))) >= (3, 11) and v != here:
            found.setdefault(v, exe)
    return found


def test_digests_are_the_same_on_the_other_supported_pythons_here() -> None:
    others = other_pythons()
    if not others:
        pytest.skip("no other Python >= 3.11 on this machine")
    for version, exe in sorted(others.items()):
        assert run_check(exe) == {"bad": [], "update": VECTORS[1][2], "private": []}, version
