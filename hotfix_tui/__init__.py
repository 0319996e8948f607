"""hotfix-tui: a keyboard-driven incident checklist backed by git and plain markdown."""

__version__ = "0.1.0"
