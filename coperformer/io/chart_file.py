"""A chord chart kept in a text file: bars between bar lines or line breaks, `#` lines for a
title or notes (the format `--chords` and the window's Chords line read)."""

from __future__ import annotations

import os
from pathlib import Path

from coperformer.common.files import input_problem
from coperformer.music.chord_chart import MAX_CHART_BARS, ChartError

MAX_CHART_FILE_BYTES = 64 * MAX_CHART_BARS  # a long bar of four chords with slash basses fits


def read_chart_file(path: str | os.PathLike) -> str:
    """The text of a chart file (any thread); a one-line ChartError naming the file when it
    is not a readable, small, UTF-8 text file. The text is not parsed here."""
    problem = input_problem(path)
    if problem is None and os.stat(path).st_size > MAX_CHART_FILE_BYTES:
        problem = f"larger than {MAX_CHART_FILE_BYTES // 1024} KiB: not a chord chart"
    if problem is None:
        try:
            return Path(path).read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = "not UTF-8 text"
        except OSError as exc:
            problem = exc.strerror or type(exc).__name__
    raise ChartError(f"{path}: {problem}")
