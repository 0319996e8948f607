"""User configuration: config.yaml described once and read."""
