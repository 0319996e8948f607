"""A 16-colour terminal (`TERM=screen`): the cursor row readable, severities distinct."""

from __future__ import annotations

import textual.constants
from rich.color import Color, ColorSystem

from hotfix_tui.tui.widgets.text import severity_color


def sixteen(color: Color) -> int:
    """The colour number a 16-colour terminal shows (as Textual's driver downgrades it)."""
    number = color.downgrade(ColorSystem.STANDARD).number
    assert number is not None
    return number


def test_severities_are_distinct_in_16_colours():
    shown = [sixteen(Color.parse(severity_color(s))) for s in ("P0", "P1", "P2")]
    assert len(set(shown)) == 3, shown


async def test_the_cursor_row_is_readable_in_16_colours(incident, make_app, monkeypatch):
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")  # TEXTUAL_COLOR_SYSTEM
    app = make_app(incident)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.console.color_system == "standard"
        tree = app.screen.checklist
        top = int(tree.scroll_offset.y)
        span = tree.span(f"t:{app.screen.cursor[2:]}")
        assert span is not None
        strip = tree.render_line(span[0] - top)
        checked = 0
        for seg in strip:
            style = seg.style
            if not seg.text.strip() or style is None or not (style.color and style.bgcolor):
                continue
            fg, bg = sixteen(style.color), sixteen(style.bgcolor)
            # the same hue (cyan on bright cyan) is as unreadable as the same colour
            assert fg % 8 != bg % 8, (seg.text, fg, bg)
            checked += 1
        assert checked
