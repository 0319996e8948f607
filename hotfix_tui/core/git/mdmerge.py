"""Merge the incident's markdown without conflict markers: git's merge driver and marker repair.

Both sides' lines are kept (one line per task ID, field and timeline row); the projection from the
merged event log then settles every checkbox, field and row.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from hotfix_tui.core.git.gitcmd import run_git, run_git_bytes

DRIVER = "hotfix-tui"
_TASK_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s+(?:\*\*)?(T\d+)\b")
_FIELD_RE = re.compile(r"^\s*(?:[-*+]\s+)?\*\*([^*\n]+?)\*\*:")
_SUB_RE = re.compile(r"^\s*[-*+]\s+\*\*(?:Note|Skipped)\*\*\s*\(")
_CHECK_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s")


def _is_marker(line: str, mark: str) -> bool:
    return line.startswith(mark) and (len(line) == 7 or line[7] in " \r\n")


def line_key(line: str) -> tuple[str, ...]:
    """What makes two lines the same thing: a task ID, a field name, a row's first cells."""
    body = line.rstrip("\r\n")
    m = _TASK_RE.match(body)
    if m:
        return ("task", m.group(1))
    m = _FIELD_RE.match(body)
    if m and not _SUB_RE.match(body):
        return ("field", m.group(1).strip())
    s = body.strip()
    if s.startswith("|") and s.endswith("|"):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", s.strip("|"))]
        return ("row", *cells[:3])
    return ("line", s)


def projected(line: str) -> bool:
    """True for a line the tool projects from the log (so a conflict on it can be settled)."""
    body = line.rstrip("\r\n")
    s = body.strip()
    return (
        not s
        or bool(_CHECK_RE.match(body))
        or bool(_SUB_RE.match(body))
        or bool(_FIELD_RE.match(body))
        or (s.startswith("|") and s.endswith("|"))
    )


def union(ours: list[str], theirs: list[str], base: list[str] | None = None) -> list[str]:
    """Our lines, then each of theirs that is not already there (by `line_key`); where only
    their side changed a keyed line since the base, their version replaces ours."""
    return _keyed(ours, theirs, base, lambda x: bool(x.strip()), only=False)


def _keyed(
    primary: list[str],
    other: list[str],
    base: list[str] | None,
    counts: Callable[[str], bool],
    *,
    only: bool,
) -> list[str]:
    """`primary`'s lines, then `other`'s it lacks by `line_key` (the lines `counts` keys; with
    `only`, no others); where only `other` changed a keyed line since the base, its version."""
    was = {line_key(x): x for x in base or [] if counts(x)}
    at = {line_key(x): i for i, x in enumerate(primary) if counts(x)}
    out = list(primary)
    for x in other:
        keyed = counts(x)
        if only and not keyed:
            continue
        k = line_key(x)
        if keyed and k in at:
            i = at[k]
            if k in was and out[i] == was[k] and x != was[k]:
                out[i] = x
            continue
        at[k] = len(out)
        out.append(x)
    return out


def _fact(line: str) -> bool:
    """A projected line that says something (a blank line goes with the text around it)."""
    return bool(line.strip()) and projected(line)


def _facts(primary: list[str], other: list[str], base: list[str] | None) -> list[str]:
    """`primary`'s lines, then `other`'s projected lines it lacks (by `line_key`); where only
    `other` changed a keyed line since the base, its version."""
    return _keyed(primary, other, base, _fact, only=True)


def settle_block(
    base: list[str] | None,
    ours: list[str],
    theirs: list[str],
    labels: tuple[str, str] = ("ours", "theirs"),
) -> tuple[list[str], bool]:
    """One conflicting part of a three-way merge: projected lines of both sides kept once (the
    projection from the log settles them), text people wrote taken from the side that changed
    it; when both changed it, both sides in a marked block. Returns (lines, marked)."""
    if ours == theirs or theirs == base:
        return list(ours), False
    if ours == base:
        return list(theirs), False
    free_o = [x for x in ours if not _fact(x)]
    free_t = [x for x in theirs if not _fact(x)]
    free_b = None if base is None else [x for x in base if not _fact(x)]
    if any(_is_marker(x, m) for x in (*ours, *theirs) for m in ("<<<<<<<", ">>>>>>>")):
        return _facts(theirs, ours, base), False  # never a block in a block: the edit's side

    def blank(lines: list[str]) -> bool:
        return free_b is None and not any(x.strip() for x in lines)

    if free_o == free_t or free_t == free_b or blank(free_t):
        return _facts(ours, theirs, base), False
    if free_o == free_b or blank(free_o):
        return _facts(theirs, ours, base), False
    facts = _facts([x for x in ours if _fact(x)], [x for x in theirs if _fact(x)], base)
    block = [f"<<<<<<< {labels[0]}\n", *_ended(free_o), "=======\n", *_ended(free_t)]
    return [*_ended(facts), *block, f">>>>>>> {labels[1]}\n"], True


def _ended(lines: list[str]) -> list[str]:
    return [x if x.endswith(("\n", "\r")) else x + "\n" for x in lines]


Hunk = tuple[int, int, list[str], int]  # base lines [i1, i2) become the lines; the side (0, 1)


def merge3(
    base: str, ours: str, theirs: str, labels: tuple[str, str] = ("ours", "theirs")
) -> tuple[str, int]:
    """A three-way merge of texts by lines in which changes that only touch are both applied
    (git conflicts on them); returns the text and the number of blocks left marked for a person
    (see `settle_block`)."""
    b = base.splitlines(keepends=True)
    o = ours.splitlines(keepends=True)
    t = theirs.splitlines(keepends=True)
    hunks = sorted(
        [(*h, 0) for h in _hunks(b, o)] + [(*h, 1) for h in _hunks(b, t)],
        key=lambda h: (h[0], h[1]),
    )
    out: list[str] = []
    marked = 0
    pos = 0
    i = 0
    while i < len(hunks):
        group = [hunks[i]]
        lo, hi = hunks[i][0], hunks[i][1]
        i += 1
        while i < len(hunks) and _overlaps(hunks[i][0], hunks[i][1], lo, hi, group):
            group.append(hunks[i])
            hi = max(hi, hunks[i][1])
            i += 1
        out += b[pos:lo]
        pos = hi
        sides = [_apply(b, lo, hi, [h for h in group if h[3] == s]) for s in (0, 1)]
        if len({h[3] for h in group}) == 1:
            out += sides[group[0][3]]
            continue
        lines, was_marked = settle_block(b[lo:hi], sides[0], sides[1], labels)
        if out and not out[-1].endswith(("\n", "\r")) and lines:
            out[-1] += "\n"
        out += lines
        marked += was_marked
    out += b[pos:]
    return "".join(out), marked


def _hunks(a: list[str], b: list[str]) -> list[tuple[int, int, list[str]]]:
    import difflib

    sm = difflib.SequenceMatcher(None, a, b, autojunk=len(a) > 2000)
    return [(i1, i2, b[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def _overlaps(a1: int, a2: int, lo: int, hi: int, group: list[Hunk]) -> bool:
    """Whether a hunk on base lines [a1, a2) takes part in a group spanning [lo, hi)."""
    if a1 < hi:
        return True
    if a1 == a2 == hi:  # an insertion right after the group: only with another one there
        return any(g[0] == g[1] == a1 for g in group)
    return False


def _apply(b: list[str], lo: int, hi: int, hunks: list[Hunk]) -> list[str]:
    """base[lo:hi] with one side's hunks (inside that span) applied."""
    out: list[str] = []
    pos = lo
    for h1, h2, lines, _side in hunks:
        out += b[pos:h1]
        out += lines
        pos = h2
    out += b[pos:hi]
    return out


def resolve_markers(
    text: str, *, everything: bool = False, keep: str = "both"
) -> tuple[str, list[int]]:
    """Settle conflict blocks (`settle_block`); returns the text and the 1-based lines of the
    blocks of text people wrote left marked (with `everything`, none: `keep` ours, theirs, both)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    left: list[int] = []
    i = 0
    while i < len(lines):
        if not _is_marker(lines[i], "<<<<<<<"):
            out.append(lines[i])
            i += 1
            continue
        start = i
        j, ours, base, theirs = _block(lines, i)
        if j >= len(lines):  # an unterminated block: leave it for a person
            left.append(len(out) + 1)
            out.extend(lines[start:])
            break
        label = (lines[start][8:].strip() or "ours", lines[j][8:].strip() or "theirs")
        merged, marked = settle_block(base or None, ours, theirs, label)
        if marked:
            at = next(k for k, x in enumerate(merged) if _is_marker(x, "<<<<<<<"))
            if everything:  # the person's choice for the text; projected lines stay merged
                free_o = [x for x in ours if not _fact(x)]
                free_t = [x for x in theirs if not _fact(x)]
                kept = free_o if keep == "ours" else free_t if keep == "theirs" else []
                kept = kept if keep != "both" else union(free_o, free_t)
                merged = [*merged[:at], *_ended(kept)]
            else:
                left.append(len(out) + at + 1)
        if merged and not merged[-1].endswith(("\n", "\r")) and j + 1 < len(lines):
            merged[-1] += "\n"
        out.extend(merged)
        i = j + 1
    return "".join(out), left


def _block(lines: list[str], i: int) -> tuple[int, list[str], list[str], list[str]]:
    """The block opened at line i: (index of its `>>>>>>>` line, ours, base, theirs). A block
    nested in it (markers committed, then merged again) is settled into its side first."""
    parts: dict[str, list[str]] = {"ours": [], "base": [], "theirs": []}
    part = "ours"
    j = i + 1
    while j < len(lines) and not _is_marker(lines[j], ">>>>>>>"):
        ln = lines[j]
        if _is_marker(ln, "<<<<<<<"):
            k, o, b, t = _block(lines, j)
            if k >= len(lines):
                return k, parts["ours"], parts["base"], parts["theirs"]
            label = (ln[8:].strip() or "ours", lines[k][8:].strip() or "theirs")
            parts[part].extend(_ended(settle_block(b or None, o, t, label)[0]))
            j = k + 1
            continue
        if _is_marker(ln, "|||||||"):
            part = "base"
        elif _is_marker(ln, "======="):
            part = "theirs"
        else:
            parts[part].append(ln)
        j += 1
    return j, parts["ours"], parts["base"], parts["theirs"]


def blocks(text: str) -> list[tuple[int, list[str], list[str]]]:
    """The conflict blocks a person must settle: (1-based line, our lines, their lines)."""
    settled, left = resolve_markers(text)
    lines = settled.splitlines()
    out = []
    for start in left:
        _j, ours, _base, theirs = _block(lines, start - 1)
        out.append((start, ours, theirs))
    return out


def has_markers(text: str) -> bool:
    if "<<<<<<<" not in text:  # a search at C speed settles nearly every file
        return False
    return any(_is_marker(ln, "<<<<<<<") for ln in text.splitlines())


def merge_texts(base: str | None, ours: str | None, theirs: str | None) -> str | None:
    """A three-way merge of one markdown file with every conflict settled (no markers)."""
    if ours is None or theirs is None:
        return ours if theirs is None else theirs
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    import tempfile  # here: reading markers (every `status`) never pays for it

    with tempfile.TemporaryDirectory(prefix="hotfix-merge-") as d:
        paths = []
        for name, text in (("ours", ours), ("base", base or ""), ("theirs", theirs)):
            p = Path(d) / name
            p.write_bytes(text.encode("utf-8"))
            paths.append(str(p))
        out = run_git_bytes(
            None,
            "merge-file",
            "-p",
            "--diff3",
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
            *paths,
        )
    if out.returncode < 0 or out.returncode > 127:
        raise OSError(f"git merge-file failed: {out.stderr.decode(errors='replace')}")
    merged = out.stdout.decode("utf-8", errors="surrogateescape")
    return resolve_markers(merged, everything=True)[0]


def register(git_dir: Path) -> None:
    """Name the driver in `.git/config`, again if its command moved (`*.md merge=hotfix-tui`)."""
    config = git_dir / "config"
    cmd = f'"{sys.executable}" -m hotfix_tui.core.git.mdmerge %O %A %B %P'
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if f'[merge "{DRIVER}"]' in text and "hotfix_tui.core.git.mdmerge %O" in text:
        return
    for key, value in (("name", "hotfix-tui incident markdown"), ("driver", cmd)):
        run_git(None, "config", "--file", str(config), f"merge.{DRIVER}.{key}", value, check=False)


def main(argv: list[str]) -> int:
    """git's driver call: `%O %A %B %P`; the result goes into %A, exit 0 (never markers)."""
    base_p, ours_p, theirs_p = argv[:3]

    def read(p: str) -> str:
        try:
            return Path(p).read_bytes().decode("utf-8", errors="surrogateescape")
        except OSError:
            return ""

    merged = merge_texts(read(base_p), read(ours_p), read(theirs_p)) or ""
    tmp = ours_p + ".hotfix-merge"
    Path(tmp).write_bytes(merged.encode("utf-8", errors="surrogateescape"))
    os.replace(tmp, ours_p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
