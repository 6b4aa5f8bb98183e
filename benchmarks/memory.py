"""Peak memory of a benchmark process."""

from __future__ import annotations

import resource
import sys

# A process that only starts the command and waits for it.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def measured(command: list[str]) -> list[str]:
    """`command`, started so that the peak memory it reports (``peak_rss_mb``) is its own.

    Linux carries ru_maxrss across fork and exec: a child of a large process starts at that
    process's size (800 MB seen). Started by a small launcher, it starts at the launcher's.
    """
    return [sys.executable, "-c", LAUNCHER, *command]


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss, in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
