"""Finding the processes a test's student code left behind."""

from pathlib import Path


def sleeping(mark: str) -> list[int]:
    """The pids of ``sleep <mark>`` processes running anywhere on this machine."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == (
                    b"sleep\0" + mark.encode() + b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found
