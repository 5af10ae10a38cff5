"""The one error type tsgan raises for anything the user can fix.

The CLI turns a :class:`TsganError` into one line on stderr and a non-zero exit code,
never a traceback. Library code raises it with a message that says what is wrong and,
where possible, what to do about it.
"""

from __future__ import annotations


class TsganError(Exception):
    """A problem with the user's input, files or environment, explained in one line."""

    exit_code: int = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(" ".join(str(message).split()))
        if exit_code is not None:
            self.exit_code = exit_code
