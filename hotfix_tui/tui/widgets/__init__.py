"""Widgets of the incident screen and its dialogs; each shows state handed to it and posts intent.

Every piece of text read from markdown goes through `text.clean()` into a `Text`/`Content`, so it
is never parsed as markup nor sent to the terminal as control sequences."""
