"""Alerts from the clocks: thresholds, reminders, the hook command, terminal signals."""
