"""A repository laid out as spec-kit-extensions lays one out: bugfix, refactor, deprecate and
modification folders, a spec-kit feature, and hotfix incidents (the tests' own fixtures)."""

from __future__ import annotations

from pathlib import Path

CHECKLIST = """# Tasks: {title}

**Input**: bug-report.md

## Phase 1: Reproduce

- [ ] **T001** Write a failing test
  - run it on the main branch
- [x] **T002** Find the cause

## Phase 2: Fix

- [ ] **T003** Fix it

```
- [ ] **T999** not a task (inside a code fence)
```
"""

FEATURE = """# Tasks: Checkout

## Phase 1: Setup

- [ ] T001 Create project structure
- [X] T002 [P] [US1] Create User model in src/models/user.py
- [ ] T003 [P] [US1] Create Order model in src/models/order.py
"""

FOLDERS = {
    "specs/bugfix-001-login-crash": ("bugfix", CHECKLIST.format(title="Bugfix - Login crash")),
    "specs/refactor-001-split-billing": ("refactor", CHECKLIST.format(title="Refactor billing")),
    "specs/deprecate-001-legacy-api": ("deprecate", CHECKLIST.format(title="Deprecate v1 API")),
    "specs/001-checkout/modifications/001-add-coupons": (
        "modification",
        CHECKLIST.format(title="Modification - coupons"),
    ),
    "specs/001-checkout": ("feature", FEATURE),
    "specs/002-search": ("feature", FEATURE.replace("Checkout", "Search")),
}


def lay_out(root: Path) -> dict[str, str]:
    """Write the family's folders under `root`; returns folder -> kind."""
    for rel, (_kind, text) in FOLDERS.items():
        (root / rel).mkdir(parents=True, exist_ok=True)
        (root / rel / "tasks.md").write_text(text, encoding="utf-8")
    (root / "specs/bugfix-001-login-crash/bug-report.md").write_text("# Bug report\n")
    return {rel: kind for rel, (kind, _t) in FOLDERS.items()}
