"""Workflow definitions shipped with hotfix-tui (YAML files, format reference) and the schemas."""
