"""Merge the incident's markdown without conflict markers: git's merge driver and marker repair.

Both sides' lines are kept (one line per task ID, field and timeline row); the projection from the
merged event log then settles every checkbox, field and row.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
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
    was = {line_key(x): x for x in base or [] if x.strip()}
    at = {line_key(x): i for i, x in enumerate(ours) if x.strip()}
    out = list(ours)
    for x in theirs:
        k = line_key(x)
        if x.strip() and k in at:
            i = at[k]
            if k in was and out[i] == was[k] and x != was[k]:
                out[i] = x
            continue
        at[k] = len(out)
        out.append(x)
    return out


def resolve_markers(
    text: str, *, everything: bool = False, keep: str = "both"
) -> tuple[str, list[int]]:
    """Settle conflict blocks made only of projected lines; returns the text and the 1-based
    lines of blocks left for a person (with `everything`, all: `keep` ours, theirs or both)."""
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
            left.append(start + 1)
            out.extend(lines[start:])
            break
        if everything or all(projected(x) for x in (*ours, *theirs)):
            if not everything or keep == "both":
                merged = union(ours, theirs, base)
            else:
                merged = list(ours if keep == "ours" else theirs)
            if merged and not merged[-1].endswith(("\n", "\r")) and j + 1 < len(lines):
                merged[-1] += "\n"
            out.extend(merged)
        else:
            left.append(start + 1)
            out.extend(lines[start : j + 1])
        i = j + 1
    return "".join(out), left


def _block(lines: list[str], i: int) -> tuple[int, list[str], list[str], list[str]]:
    """The block opened at line i: (index of its `>>>>>>>` line, ours, base, theirs)."""
    parts: dict[str, list[str]] = {"ours": [], "base": [], "theirs": []}
    part = "ours"
    j = i + 1
    while j < len(lines) and not _is_marker(lines[j], ">>>>>>>"):
        ln = lines[j]
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
    _, left = resolve_markers(text)
    lines = text.splitlines()
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
