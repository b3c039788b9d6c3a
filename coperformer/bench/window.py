"""The onset-error benchmark again, with the window open and the piano roll animating."""

from __future__ import annotations

from pathlib import Path

from coperformer.bench.onsets import onset_error


def onset_error_with_window(soundfont: Path) -> dict:
    """The band's onset error while the roll repaints at display rate, and the roll's fps."""
    from coperformer.gui.animate import run_while_animating

    errors, fps = run_while_animating(lambda: onset_error(soundfont))
    return {"onset_error_ms": errors, "roll_frames_per_second": fps}
