"""A one-line progress bar on stderr for long fuzz runs: plain text, only on a terminal.

When stderr is not a TTY (CI logs, pytest capture, a pipe) nothing is drawn at all, so
logs hold the summary only.
"""

from __future__ import annotations

import sys
from typing import TextIO

BAR_WIDTH = 24


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._drawn = 0

    def show(self, label: str, done: int, total: int | None, note: str = "") -> None:
        """Redraw the line: ``label [#####.....] done/total note`` (no bar without a total)."""
        if not self.enabled:
            return
        if total:
            filled = min(BAR_WIDTH, BAR_WIDTH * done // total)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        else:
            bar = str(done)
        line = f"{label} {bar} {note}".rstrip()
        self.stream.write("\r" + line.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(line)

    def clear(self) -> None:
        """Erase the line so the next normal output starts clean."""
        if self.enabled and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0
