"""The periodic jobs ``candor worker`` runs once a day (DESIGN: background work).

Each entry names a function ``job(*, today) -> dict`` that does one day's work and returns counts
for the job record (no personal values). The worker records each run in ``JobRun``, whose unique
(job, day) constraint makes a job run once a day however many workers run or restart.

When you add a job: write the function beside the feature it serves, add it here, and say in
its docstring what happens when it is interrupted (every job must be safe to re-run).
"""

from __future__ import annotations

DAILY_JOBS: dict[str, str] = {
    "retention_sweep": "candor.privacy.sweep:daily_job",
    "notices_send": "candor.privacy.notices:daily_job",
    "consent_renewals": "candor.privacy.consents:daily_job",
    "introductions_expire": "candor.portal.services:daily_job",
    "stats_rollover": "candor.stats.services:daily_job",
}

# Work handed to the worker by people (a mailing queued by a consultant): run at every check, not
# once a day. Each entry names a function ``job() -> dict`` returning counts; it must be safe to
# interrupt and re-run, and finds its own work (rows in a queued state).
QUEUED_JOBS: dict[str, str] = {
    "mailings": "candor.disclosure.mailings:queued_job",
}
