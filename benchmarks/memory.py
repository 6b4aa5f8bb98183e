"""Peak memory of a benchmark process."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started.

    Linux carries ru_maxrss across exec, so a child started by a large parent would report the
    parent's size; VmHWM belongs to the process image alone.
    """
    status = Path("/proc/self/status")  # the kernel's view of this process, where there is one
    for line in status.read_text().splitlines() if status.exists() else ():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
