"""What jam tests share."""

from coperformer.engine.listener import QuietListener


class ChordBoard(QuietListener):
    """Keeps each chord the band decided, as (bar, name), in order."""

    def __init__(self):
        self.decided: list[tuple[int, str]] = []

    def on_chord(self, bar: int, name: str, provisional: bool) -> None:
        """A chord shown on the board; only decided ones are kept."""
        if not provisional:
            self.decided.append((bar, name))
