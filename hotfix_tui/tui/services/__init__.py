"""Work the screens hand off: git jobs in thread workers, alerts, the board, raw output."""
