"""The read-only live web board (`hotfix-tui serve`): JSON API, event stream and static page.

Nothing here imports the CLI or Textual; aiohttp is imported only by the server modules.
"""
