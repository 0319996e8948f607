"""The incident record: the event log, its projection into the files, the incident actions."""
