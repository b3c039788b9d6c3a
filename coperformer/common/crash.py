"""The last resort: an error nobody expected becomes one line for the user and a full report
in a log file (the state folder), never a traceback on the terminal."""

from __future__ import annotations

import datetime
import os
import traceback
from pathlib import Path

from coperformer.common.paths import logs_dir


def write_report(exc: BaseException, context: str) -> Path | None:
    """Write the traceback of ``exc`` to a new log file; its path, or None if even that
    failed (a full disk). Any thread."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        folder = logs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"error-{stamp}-{os.getpid()}.log"
        path.write_text(f"coperformer {context}\n\n{text}", errors="backslashreplace")
        return path
    except OSError:
        return None


def os_error_line(exc: OSError) -> str:
    """One line for a file the system refused: the file, what was done, and the reason."""
    reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
    names = " and ".join(str(name) for name in (exc.filename, exc.filename2) if name)
    return f"{names}: {reason}" if names else f"the system refused: {reason}"


def one_line(exc: BaseException, report: Path | None) -> str:
    """What the user reads: the error's kind and message, and where the details are."""
    message = " ".join(str(exc).split())[:300] or "no message"
    where = f" (details in {report})" if report else ""
    return f"an unexpected {type(exc).__name__}: {message}{where}"
