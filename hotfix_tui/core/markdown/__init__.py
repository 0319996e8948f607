"""The markdown files: tasks.md edits, hotfix.md fields and timeline, atomic writes, merging."""
