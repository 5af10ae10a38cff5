"""Importing TensorFlow without its start-up chatter on the user's terminal.

TensorFlow 2.21 prints absl/oneDNN notices to file descriptor 2 while it is imported, and no
environment variable turns them off; they would bury tsgan's own one-line messages. The
import runs with descriptor 2 pointed at a temporary file, which is replayed only if the
import fails. ``TSGAN_DEBUG=1`` leaves stderr alone.
"""

from __future__ import annotations

import os
import sys
import tempfile


def import_tensorflow_quietly() -> None:
    """Import TensorFlow once, hiding its import-time log lines unless the import fails."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or os.environ.get("TSGAN_DEBUG"):
        import tensorflow  # noqa: F401

        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode("utf-8", errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
