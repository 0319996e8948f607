"""The folder layouts under `specs/`, one table: discovery, numbering, branch reading and `new`
read it, so a new layout is one entry of LAYOUTS."""

# A layout is declared by templates: `path` (below `specs/`, segments split at `/`), `branch`
# (the branch its folders are worked on) and `kind`/`workflow`. Placeholders: {prefix} a
# workflow's prefix (`hotfix`), {num} its number (3+ digits, written 001), {words} the slug,
# {feature} a spec-kit feature folder (`001-name`). The same template reads and makes a name.

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import field
from pathlib import Path

from hotfix_tui.core.frozen import frozen

FEATURE, MODIFICATION = "feature", "modification"
KIND_ORDER = ("hotfix", "bugfix", "refactor", "deprecate", MODIFICATION, FEATURE)
RECORD_FILES = ("tasks.md", "hotfix.md")  # a folder holding one of these is a spec folder
# each kind's own record, as spec-kit-extensions' scripts name it (its `spec.md` links to it):
# read for its title, severity, status and branch when the folder holds no hotfix.md
RECORDS = {
    "hotfix": "hotfix.md",
    "bugfix": "bug-report.md",
    "refactor": "refactor-spec.md",
    "deprecate": "deprecation.md",
    MODIFICATION: "modification-spec.md",
}

_READS = {
    "prefix": r"(?P<prefix>[a-z][a-z0-9]*)",
    "num": r"(?P<num>\d{3,})",
    "words": r"(?P<words>[^/]+)",
    "feature": r"\d{3,}-[^/]+",
}
_BRANCH_WORDS = r"(?P<words>.+)"  # a branch's words may hold `/`
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _check(template: str, what: str) -> None:
    """ValueError for a placeholder a layout cannot read."""
    for name in _PLACEHOLDER.findall(template):
        if name not in _READS:
            raise ValueError(
                f"layout {what}: unknown placeholder {{{name}}} in {template!r}; "
                f"use {', '.join(_READS)}"
            )


def _regex(template: str, branch: bool = False) -> re.Pattern[str]:
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        name = m.group(1)
        out += [re.escape(template[pos : m.start()])]
        out += [_BRANCH_WORDS if branch and name == "words" else _READS[name]]
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out))


def same_prefix(found: Found, prefix: str) -> bool:
    """Each workflow numbers its own folders from 001, in every layout alike."""
    return bool(found.prefix) and found.prefix == prefix


# When `new` makes folders in a layout: a rule given the names of the layouts the repository's
# workflow folders are in (the work tree's and every branch's).
NewRule = Callable[["Layout", Collection[str]], bool]


def always(layout: Layout, in_use: Collection[str]) -> bool:
    """`new` makes this layout whatever the repository holds."""
    return True


def while_alone(layout: Layout, in_use: Collection[str]) -> bool:
    """`new` keeps this layout while the repository holds folders in it and in no other layout
    `new` makes (a team that has not moved on)."""
    others = {lay.name for lay in LAYOUTS if lay.new is not None and lay is not layout}
    return layout.name in in_use and not others.intersection(in_use)


class Layout:
    """One folder layout: where its folders lie, what they are, their branch, when `new` makes
    folders in it (numbered after the folders `numbering` counts) and whether it makes them as
    spec-kit-extensions' scripts do (`scripts`: installed templates, `spec.md` linked)."""

    __slots__ = ("name", "path", "kind", "workflow", "branch", "new", "numbering", "scripts",
                 "_segs", "_literal", "_branch_re")

    def __init__(
        self,
        name: str,
        path: str,
        *,
        kind: str = "{prefix}",
        workflow: str = "{prefix}",
        branch: str = "",
        new: bool | NewRule = False,
        numbering: Callable[[Found, str], bool] = same_prefix,
        scripts: bool = False,
    ) -> None:
        self.name, self.path, self.kind, self.workflow = name, path, kind, workflow
        self.branch, self.numbering, self.scripts = branch, numbering, scripts
        self.new: NewRule | None = always if new is True else (new or None)
        segments = path.split("/")
        for t, what in ((path, "path"), (branch, "branch"), (kind, "kind"), (workflow, "workflow")):
            _check(t, f"{name!r} {what}")
        self._segs: tuple[re.Pattern[str], ...] | None = None  # compiled on first use
        self._literal = tuple(s if not _PLACEHOLDER.search(s) else None for s in segments)
        self._branch_re: re.Pattern[str] | None = None
        if new and "{feature}" in path:
            raise ValueError(f"layout {name!r}: `new` cannot make a path naming a {{feature}}")

    def __repr__(self) -> str:
        return f"Layout({self.name!r}, {self.path!r})"

    def _segments(self) -> tuple[re.Pattern[str], ...]:
        if self._segs is None:  # (a start reads a layout or two: the others are never compiled)
            self._segs = tuple(_regex(s) for s in self.path.split("/"))
        return self._segs

    @property
    def by_prefix(self) -> bool:
        """Its folders belong to the workflow their prefix names (`hotfix`, `bugfix`, ...)."""
        return self.kind == "{prefix}"

    def read(self, parts: Sequence[str], folder: Path | None = None) -> Found | None:
        """The folder at `parts` (below `specs/`) as this layout reads it, or None; the Found
        holds `folder` when given, else the relative path."""
        segs = self._segments()
        if len(parts) != len(segs):
            return None
        groups: dict[str, str] = {}
        for seg, name in zip(segs, parts, strict=True):
            m = seg.fullmatch(name)
            if m is None:
                return None
            groups.update(m.groupdict())
        prefix = groups.get("prefix", "")
        return Found(
            Path(*parts) if folder is None else folder,
            prefix,
            int(groups.get("num") or 0),
            groups.get("words", ""),
            prefix if self.by_prefix else self.kind.format(prefix=prefix),
            self,
        )

    def leads_on(self, parts: Sequence[str]) -> bool:
        """True when folders of this layout can lie below `parts`."""
        segs = self._segments()
        if len(parts) >= len(segs):
            return False
        return all(seg.fullmatch(name) is not None for seg, name in zip(segs, parts, strict=False))

    def next_literal(self, parts: Sequence[str]) -> str | None:
        """The name of the segment after `parts` when it is written literally, else None."""
        return self._literal[len(parts)] if len(parts) < len(self._literal) else None

    def read_branch(self, name: str) -> BranchName | None:
        """A branch name as this layout reads it, or None."""
        if self._branch_re is None and self.branch:
            self._branch_re = _regex(self.branch, branch=True)
        m = self._branch_re.fullmatch(name) if self._branch_re is not None else None
        if m is None:
            return None
        g = m.groupdict()
        return BranchName(
            name, g.get("prefix") or "", int(g.get("num") or 0), g.get("words") or "", self
        )

    def branch_name(self, prefix: str, number: int, words: str) -> str:
        """The branch a folder of this layout is worked on ('' when it has none of its own)."""
        return self.branch.format(prefix=prefix, num=f"{number:03d}", words=words)

    def folder_path(self, prefix: str, number: int, words: str) -> str:
        """The folder `new` makes, below `specs/` (`hotfix-001-words`)."""
        return self.path.format(prefix=prefix, num=f"{number:03d}", words=words)


@frozen
class Found:
    """A spec folder: its path, workflow prefix, number, slug, kind (hotfix, feature, ...) and
    the layout that read it."""

    folder: Path
    prefix: str
    number: int
    words: str
    kind: str = ""
    layout: Layout | None = field(default=None, compare=False, repr=False)

    @property
    def branch(self) -> str:
        """The branch its workflow names it by (`hotfix/001-x`; a feature's `001-x`)."""
        return (self.layout or for_new()).branch_name(self.prefix, self.number, self.words)

    @property
    def id(self) -> str:
        """The ID its folder name gives (`hotfix-001`; a folder without a prefix: its name)."""
        return folder_id(self.prefix, self.number) if self.prefix else self.folder.name

    @property
    def workflow(self) -> str | None:
        """The workflow its layout names (`hotfix`, `modify`), None for a feature."""
        return (self.layout or for_new()).workflow.format(prefix=self.prefix) or None


@frozen
class BranchName:
    """A branch name as a layout reads it (`hotfix/001-words`)."""

    name: str
    prefix: str
    number: int
    words: str
    layout: Layout = field(compare=False, repr=False)

    @property
    def incident(self) -> bool:
        """A branch of a workflow's folder (`hotfix/…`, `bugfix/…`), not a feature's."""
        return self.layout.by_prefix


# The table. Order matters only where two entries read the same name: the first wins; `new`
# makes folders in the first entry whose `new` rule accepts the repository's folders.
LAYOUTS: tuple[Layout, ...] = (
    # spec-kit-extensions' original layout (`specs/hotfix-001-words/`): `new` keeps it in a
    # repository whose workflow folders are all in it
    Layout("flat", "{prefix}-{num}-{words}", branch="{prefix}/{num}-{words}", new=while_alone),
    # its newer one (`specs/hotfix/001-words/`, bugfix/refactor/deprecate alike): `new` makes
    # it everywhere else, as the extension's create-<kind>.sh scripts do
    Layout("nested", "{prefix}/{num}-{words}", branch="{prefix}/{num}-{words}", new=always,
           scripts=True),
    # a modification of a spec-kit feature: lives on its feature's branch
    Layout("modification", "{feature}/modifications/{num}-{words}", kind=MODIFICATION,
           workflow="modify"),
    # spec-kit's own features (`specs/001-name/`, branch `001-name`): no workflow
    Layout("feature", "{num}-{words}", kind=FEATURE, workflow="", branch="{num}-{words}"),
)


def classify(parts: Sequence[str], folder: Path | None = None) -> Found | None:
    """A folder path below `specs/` (its parts) as a Found (holding `folder`, else the relative
    path), or None."""
    for layout in LAYOUTS:
        found = layout.read(parts, folder)
        if found is not None:
            return found
    return None


def leads_on(parts: Sequence[str]) -> bool:
    """True when some layout's folders can lie below `parts` (a walk goes on into it)."""
    return any(layout.leads_on(parts) for layout in LAYOUTS)


def literal_children(parts: Sequence[str]) -> tuple[str, ...] | None:
    """The only names a walk needs below `parts` when every layout going on names its next
    segment literally (`modifications`), else None (list them all)."""
    names: list[str] = []
    for layout in LAYOUTS:
        if layout.leads_on(parts):
            literal = layout.next_literal(parts)
            if literal is None:
                return None
            names.append(literal)
    return tuple(dict.fromkeys(names))


def folder_of(parts: Sequence[str]) -> Found | None:
    """The deepest spec folder holding the path `parts` (below `specs/`), or None."""
    for n in range(len(parts), 0, -1):
        found = classify(parts[:n])
        if found is not None:
            return found
    return None


def read_folder(folder: Path) -> Found | None:
    """A folder as the layouts read it below the last `specs` of its path, or None."""
    parts = folder.parts
    if "specs" not in parts:
        return None
    return classify(parts[len(parts) - parts[::-1].index("specs") :])


def read_branch(name: str) -> BranchName | None:
    """A branch name as the first layout whose branch template fits reads it, or None."""
    for layout in LAYOUTS:
        read = layout.read_branch(name)
        if read is not None:
            return read
    return None


def for_new(in_use: Collection[str] = ()) -> Layout:
    """The layout `new` makes folders in, given the layouts the repository's workflow folders
    are in (`in_use`, layout names): the first entry whose `new` rule accepts them."""
    for layout in LAYOUTS:
        if layout.new is not None and layout.new(layout, in_use):
            return layout
    raise LookupError("no entry of layouts.LAYOUTS has a `new` rule that accepts this repository")


def folder_id(prefix: str, number: int) -> str:
    """The ID of a workflow's folder (`hotfix-001`), as `new` writes it into the files."""
    return f"{prefix}-{number:03d}"


def record_file(folder: Path) -> str | None:
    """The name of the record file of the folder's kind (`bug-report.md`), None for none."""
    found = read_folder(folder)
    return RECORDS.get(found.kind) if found is not None else None


def kind_rank(kind: str) -> int:
    """Where a kind sorts: the family's order, then any other kind."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


# spec-kit-extensions' `generate_branch_name` (scripts/bash/extension-utils.sh): its stop words,
# as its pattern's alternatives write them (its whole-word match is membership)
STOP_WORDS = frozenset({
    "i", "a", "an", "the", "to", "for", "of", "in", "on", "at", "by", "with", "from", "is",
    "are", "was", "were", "be", "been", "being", "have", "has", "had", "do", "does", "did",
    "will", "would", "should", "could", "can", "may", "might", "must", "shall", "this",
    "that", "these", "those", "my", "your", "our", "their", "want", "need", "add", "get",
    "set",
})
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def branch_words(description: str) -> str:
    """The words of a new folder and branch, as spec-kit-extensions' `generate_branch_name`
    makes them: stop words and words under 3 letters dropped (unless written in capitals, as
    `DB`), then 3 words, or 4 when there are exactly 4."""
    lowered = description.translate(_ASCII_LOWER)  # `tr` lowercases ASCII only
    words = re.sub(r"[^a-z0-9]", " ", lowered).split()
    kept = [
        w for w in words
        if w not in STOP_WORDS
        and (len(w) >= 3 or re.search(rf"\b{re.escape(w.upper())}\b", description))
    ]
    if kept:
        return "-".join(kept[: 4 if len(kept) == 4 else 3])
    # its fallback: the first 3 words of any kind; a description without one gets a word
    return "-".join(words[:3]) or "incident"
