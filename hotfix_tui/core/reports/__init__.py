"""Read-only views of incidents: reports, status, every branch's summaries, stats."""
