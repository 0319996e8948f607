"""Post-mortem action items (`- [ ] **AI-001**: what` with `**Owner**` and `**Due**`
sub-items): read, written and placed under `## Action Items`. No I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hotfix_tui.core.frozen import frozen

HEADING = "## Action Items"
_ITEM = re.compile(r"^(\s*)[-*+] \[([ xX])\] \*\*(AI-\d+)\*\*:?\s*(.*?)\s*$")
_SUB = re.compile(r"^\s+[-*+] (?:\*\*)?([A-Za-z ]+?)(?:\*\*)?:\s*(.*?)\s*$")
_REF = re.compile(r"AI-(\d+)")


@frozen
class Item:
    """One action item as written: its id, title, owner, due date, whether done, its lines."""

    ref: str
    title: str
    owner: str
    due: str
    done: bool
    line: int  # 0-based first line
    end: int  # one past its last line

    @property
    def placeholder(self) -> bool:
        """The template's own item (`[Action item]`), no action anyone took."""
        return self.title.startswith("[") and self.title.endswith("]")


def _value(text: str) -> str:
    text = text.strip()
    return "" if text.startswith("[") and text.endswith("]") else text


def parse(text: str) -> list[Item]:
    """Every action item of a post-mortem text, in order."""
    lines = text.splitlines()
    out: list[Item] = []
    i = 0
    while i < len(lines):
        m = _ITEM.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        fields: dict[str, str] = {}
        j = i + 1
        while j < len(lines) and lines[j].strip() and \
                len(lines[j]) - len(lines[j].lstrip()) > indent:
            sub = _SUB.match(lines[j])
            if sub:
                fields.setdefault(sub.group(1).strip().lower(), sub.group(2))
            j += 1
        out.append(Item(m.group(3), m.group(4), _value(fields.get("owner", "")),
                        _value(fields.get("due", "")), m.group(2) != " ", i, j))
        i = j
    return out


def render(ref: str, title: str, owner: str, due: str) -> list[str]:
    """The lines of a new action item."""
    return [f"- [ ] **{ref}**: {title}", f"  - **Owner**: {owner}", f"  - **Due**: {due}"]


def placeholder_lines(text: str) -> str:
    """The lines of the template's placeholder item ("" when there is none)."""
    holder = next((it for it in parse(text) if it.placeholder), None)
    if holder is None:
        return ""
    return "\n".join(text.splitlines()[holder.line:holder.end])


def next_ref(refs: Sequence[str]) -> str:
    """The next free `AI-NNN` after the ones given."""
    top = max((int(m.group(1)) for r in refs if (m := _REF.fullmatch(r))), default=0)
    return f"AI-{top + 1:03d}"


def place(text: str, wanted: Sequence[tuple[str, str, str, str]],
          dropped: Sequence[tuple[str, str, str, str, str]] = ()) -> str:
    """The text with each wanted item (ref, title, owner, due) written once under the Action
    Items heading: an item of the same title is that item (its box and extra lines kept, its
    ref, owner and due set; a second copy removed), the template's placeholder item is
    replaced by the first new one, and each dropped item (with the placeholder it replaced) is
    removed while still as written, the placeholder back when no item is left."""
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    trailing = text.endswith(("\n", "\r"))

    def items() -> list[Item]:
        return parse(nl.join(lines))

    for *d, put_back in dropped:
        want = render(*d)
        for it in items():
            if it.title == d[1] and [ln.rstrip() for ln in lines[it.line:it.end]] == want:
                del lines[it.line:it.end]
                if put_back and not items():
                    lines[it.line:it.line] = put_back.split("\n")
                break
    for ref, title, owner, due in wanted:
        same = [it for it in items() if it.title == title and not it.placeholder]
        for extra in reversed(same[1:]):  # a merge of two clones' writes: one copy stays
            del lines[extra.line:extra.end]
        if same:
            _settle(lines, same[0], ref, owner, due)
            continue
        new = render(ref, title, owner, due)
        current = items()
        holder = next((it for it in current if it.placeholder), None)
        if holder is not None:
            lines[holder.line:holder.end] = new
            continue
        real = [it for it in current if not it.placeholder]
        if real:
            at = real[-1].end
        else:
            head = next((k for k, ln in enumerate(lines) if ln.strip() == HEADING), None)
            if head is None:
                lines += ["", HEADING, ""] if lines else [HEADING, ""]
                at = len(lines)
            else:
                at = head + 1
                if at < len(lines) and not lines[at].strip():
                    at += 1
                new = [*new, ""] if at < len(lines) and lines[at].strip() else new
        lines[at:at] = new
    out = nl.join(lines)
    return out + nl if trailing or not text else out


def _settle(lines: list[str], it: Item, ref: str, owner: str, due: str) -> None:
    """An existing item given its ref, owner and due (what else it holds is kept)."""
    first = lines[it.line]
    lines[it.line] = re.sub(r"\*\*AI-\d+\*\*", f"**{ref}**", first, count=1)
    have = set()
    for ln in lines[it.line + 1:it.end]:
        m = _SUB.match(ln)
        if m:
            have.add(m.group(1).strip().lower())
    add = []
    for key, value in (("owner", owner), ("due", due)):
        if key not in have:
            add.append(f"  - **{key.capitalize()}**: {value}")
    lines[it.end:it.end] = add
