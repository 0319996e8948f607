"""`@frozen` records: compared and hashed by their fields at run time, immutable to the type
checker (the run time spares the guards: see core/frozen.py)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from hotfix_tui.core.frozen import frozen

ROOT = Path(__file__).resolve().parents[2]


@frozen
class Point:
    """Two numbers."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = dataclasses.field(default=())


@frozen(slots=True)
class Slotted:
    """A slotted record."""

    name: str


def test_a_record_compares_hashes_and_replaces_by_its_fields():
    a, b = Point(1, 2), Point(1, 2)
    assert a == b and hash(a) == hash(b) and a is not b
    assert {a: "here"}[b] == "here"
    assert Point(1) != Point(2) and Point(1).y == 0
    assert dataclasses.replace(a, y=5) == Point(1, 5)
    assert [f.name for f in dataclasses.fields(a)] == ["x", "y", "tags"]
    assert repr(a) == "Point(x=1, y=2, tags=())"
    assert Slotted("n") == Slotted("n") and not hasattr(Slotted("n"), "__dict__")


def test_the_type_checker_refuses_to_change_a_record(tmp_path):
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from hotfix_tui.core.frozen import frozen\n\n\n"
        "@frozen\nclass P:\n    x: int\n\n\n"
        "@frozen(slots=True)\nclass Q:\n    y: int\n\n\n"
        "p, q = P(1), Q(2)\np.x = 2\nq.y = 3\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent",
         str(snippet)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'snippet.py:15: error: Property "x" defined in "P" is read-only' in proc.stdout
    assert 'snippet.py:16: error: Property "y" defined in "Q" is read-only' in proc.stdout
