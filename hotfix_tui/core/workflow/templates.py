"""Templates for a new incident's hotfix.md and post-mortem.md, in the upstream layout.

Field names, checkbox rows and the timeline table match what the hotfix extension writes.
"""

from __future__ import annotations

from hotfix_tui.core.workflow.model import Workflow

HOTFIX_MD = """\
# Hotfix: {title}

**Hotfix ID**: {hotfix_id}
**Branch**: `{branch}`
**Severity**: {severity_row}
**Status**: {status_row}

## Incident Timeline

**Incident Start**: {started}
**Detection**: [YYYY-MM-DD HH:MM:SS UTC] - [How was it noticed? Alert, customer report, ...]
**Investigation Start**: [YYYY-MM-DD HH:MM:SS UTC]
**Root Cause Identified**: [YYYY-MM-DD HH:MM:SS UTC]
**Fix Deployed**: [YYYY-MM-DD HH:MM:SS UTC]
**Incident End**: [YYYY-MM-DD HH:MM:SS UTC]
**Total Duration**: [X hours Y minutes]

## Input
User description: "{description}"

## Immediate Fix Applied

### What Changed
**Files Modified**:
- [path - lines: what changed]

**Change Summary**:
[One or two sentences on the change]

**Commit SHA**: [git commit hash]

### Why This Fix
[Why this change stops the problem]

## Impact

### Users Affected
- **Estimated Users**: [count or share of users]
- **Geographic Region**: [if it was regional]
- **User Segments**: [who was hit]

### Downtime
- **Total Downtime**: [if the service was down]
- **Partial Outage**: [if the service was degraded]
- **No Downtime**: [if the fix went out without an outage]

### Data Loss/Corruption
- [ ] No data loss
- [ ] Data loss occurred: [scope and recovery]
- [ ] Data corruption: [scope and remediation]

### Business Impact
- **Revenue Impact**: [estimate or "none"]
- **Customer Impact**: [tickets, complaints, cancellations]
- **SLA Breach**: [ ] Yes | [ ] No
- **Reputation**: [press, social media, status page]

## Root Cause (Quick Analysis)

### What Happened
[What went wrong, technically]

### Why It Happened
[Regression, edge case, deployment, configuration, ...]

### Why It Wasn't Caught Earlier
- [ ] No test coverage for this scenario
- [ ] Test existed but was disabled/skipped
- [ ] Edge case not anticipated
- [ ] Deployment process issue
- [ ] Monitoring gap
- [ ] Other: [explain]

## Rollback Plan

### How to Undo This Fix
```bash
# Run these if the hotfix makes things worse
git revert [commit-sha]
# OR
git reset --hard [previous-commit]
# Then deploy the previous version
```

### Rollback Testing
- [ ] Rollback tested in staging: [ ] Yes | [ ] No | [ ] N/A
- [ ] Rollback time estimate: [X minutes]
- [ ] Rollback triggers: [metrics or conditions that call for a rollback]

## Deployment Log

### Pre-Deployment Checks
- [ ] Fix tested locally (issue reproduced, fix verified)
- [ ] Code review completed (if time permitted) OR [ ] Skip review (emergency)
- [ ] Staging deployment successful (if applicable)
- [ ] Rollback plan prepared

### Deployment Steps Taken
1. [Step 1]
2. [Step 2]
3. [Step 3]

### Post-Deployment Monitoring
**Metrics Being Watched**:
- [Metric and its expected value]

**Monitoring Duration**: [24-48 hours typical]

## Constitution Bypass Justification
*The hotfix path skips the usual test-first process because of the emergency*

**Normal Process Skipped**:
- [ ] Tests before implementation (regression test added AFTER fix)
- [ ] Full planning phase
- [ ] Extended code review
- [ ] Staging soak time

**Justification**:
[Why the urgency justified skipping the usual process]

**Post-Fix Compliance**:
- [ ] Regression test added: [file path]
- [ ] Post-mortem scheduled within 48 hours
- [ ] Documentation updated
- [ ] Monitoring gaps addressed

---

## Post-Mortem (Complete within 48 hours)

**Post-Mortem Document**: [post-mortem.md](post-mortem.md)

---

## Verification Checklist

- [ ] Incident resolved (service restored)
- [ ] Users can access affected functionality
- [ ] Monitoring shows normal metrics
- [ ] No new issues introduced by fix
- [ ] Rollback plan prepared and tested
- [ ] Post-deployment monitoring active (24-48 hrs)
- [ ] Communication sent to affected users (if needed)
- [ ] Internal stakeholders notified
- [ ] Post-mortem scheduled

---
*Incident record kept by hotfix-tui - the checklist is in tasks.md*
"""

POST_MORTEM_MD = """\
# Post-Mortem: {title}

**Hotfix ID**: {hotfix_id}
**Incident Date**: {date}
**Post-Mortem Date**: [YYYY-MM-DD] (within 48 hours of resolution)
**Participants**: [Everyone involved in the response and the review]
**Incident Commander**: [Who led the response]

---

## Executive Summary
[A few paragraphs for readers outside engineering: what happened, the impact, the cause in
plain words, and what will prevent a repeat]

---

## Incident Details

### What Happened (Detailed)
[The technical story: what broke, what users saw, what the logs and monitoring showed]

### Impact Analysis

#### Users
- **Total Affected**: [number]
- **Duration of Impact**: [how long users were affected]

#### Business
- **Revenue Loss**: [amount or estimate]
- **Support Tickets**: [number]
- **SLA Credits**: [amount if any]

#### Engineering
- **Teams Involved**: [teams]
- **Engineer Hours**: [total]

### Timeline (Detailed)
**All times in UTC**

| Time | Event | Who | Notes |
|------|-------|-----|-------|
| HH:MM | Incident began | System | [What triggered it] |
| HH:MM | First detection | [Alerting/User] | [How it was noticed] |
| HH:MM | Investigation started | [Person] | [What was checked first] |
| HH:MM | Root cause identified | [Person] | [What was found] |
| HH:MM | Fix deployed | [Person] | [Where it went] |
| HH:MM | Verification complete | [Person] | [How it was verified] |
| HH:MM | Incident closed | [Person] | [Resolution confirmed] |

---

## Root Cause Analysis

### Technical Root Cause
[The cause in depth: code, architecture, deployment]

### Contributing Factors
1. **Factor 1**: [what made it worse or more likely]

### Five Whys Analysis
**Problem Statement**: [The incident in one sentence]

1. **Why?** [Answer]
2. **Why?** [Answer]
3. **Why?** [Answer]
4. **Why?** [Answer]
5. **Why?** [Root cause]

---

## What Went Well
[Detection, response, communication, remediation]

## What Went Wrong
[Detection, response, communication, remediation]

---

## Action Items

- [ ] **AI-001**: [Action item]
  - **Owner**: [Person responsible]
  - **Due**: [Date]
  - **Why**: [What it prevents]

---

## Lessons Learned
1. [Lesson]

---
*Post-mortem for {hotfix_id} - the incident record is in hotfix.md*
"""


def severity_row(workflow: Workflow, severity: str) -> str:
    """The `**Severity**` checkbox row with the chosen severity checked."""
    return " | ".join(
        f"[{'x' if s.id == severity else ' '}] {s.id} ({s.label})" for s in workflow.severities
    )


def status_row(workflow: Workflow, status: str) -> str:
    """The `**Status**` checkbox row with the current status checked."""
    return " | ".join(f"[{'x' if s == status else ' '}] {s}" for s in workflow.statuses)
