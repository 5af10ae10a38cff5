"""The one error type tsgan raises for anything the user can fix.

The CLI turns a :class:`TsganError` into one line on stderr and a non-zero exit code,
never a traceback. Library code raises it with a message that says what is wrong and,
where possible, what to do about it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


class TsganError(Exception):
    """A problem with the user's input, files or environment, explained in one line."""

    #: :data:`tsgan.checks.EXIT_USAGE` (written out: tsgan.checks imports this module).
    exit_code: int = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(" ".join(str(message).split()))
        if exit_code is not None:
            self.exit_code = exit_code


def run_script(main: Callable[[], int], prog: str) -> int:
    """Run a script's ``main()`` the way the CLI runs a command: a :class:`TsganError` becomes
    one stderr line ``PROG: error: …`` and its exit code, Ctrl-C exit 130 — no traceback."""
    try:
        return int(main() or 0)
    except TsganError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130  # tsgan.checks.EXIT_INTERRUPTED
