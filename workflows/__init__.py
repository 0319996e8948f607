"""Workflow definitions shipped with hotfix-tui (YAML files, schema and format reference)."""
