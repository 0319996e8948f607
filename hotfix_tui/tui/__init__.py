"""The Textual user interface; thin widgets over `hotfix_tui.core`."""
