"""What jam tests share."""

from coperformer.engine.listener import QuietListener

# Real-time jams that re-plan inside bars (a chart's eighths, the left hand's beats) decide with
# this margin, not the default 40 ms: a shared CI host stole 40 ms there now and then. Those
# tests judge which chord sounds; time is judged in virtual time (tests/engine/) and by
# `coperformer bench`. Under the shortest re-plan step they play (167 ms: eighths at 180 BPM).
REPLAN_MARGIN_MS = 120.0


class ChordBoard(QuietListener):
    """Keeps each chord the band decided, as (bar, name), in order."""

    def __init__(self):
        self.decided: list[tuple[int, str]] = []

    def on_chord(self, bar: int, name: str, provisional: bool) -> None:
        """A chord shown on the board; only decided ones are kept."""
        if not provisional:
            self.decided.append((bar, name))
