"""Runbook steps that run: a task's `run:` command filled from the record (`run.py`) and the
user's trust in a repository workflow's exact content (`trust.py`)."""
