"""The workflow format: its model, its one description (the schema), loading, rendering."""
