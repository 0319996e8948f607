"""The screens of the TUI: the incident, its dialogs, the overview of every branch, stats."""
