"""The errors a user is shown and the exit status of each, shared by every front end.

0 done, 1 the action could not be done, 2 bad input, 3 no incident found or several match.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND = 0, 1, 2, 3


class UserError(Exception):
    """A message for the user and the exit status that goes with it."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code
