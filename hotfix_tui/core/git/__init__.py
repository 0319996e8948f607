"""The one git layer: where git runs, commits, sync, branches and history."""
