"""Domain logic (workflow, markdown, SLA clocks, git); never imports Textual."""
