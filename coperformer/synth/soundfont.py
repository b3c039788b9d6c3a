"""Finding the General MIDI soundfont: user's choice, env var, setting, the user's soundfonts
folder, the shipped soundfonts/ folder, the system.

Pure look-ups on the file system: any thread.
"""

from __future__ import annotations

import os
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.common.files import input_problem
from coperformer.common.paths import soundfonts_dir, user_soundfonts_dir

ENV_VAR = "COPERFORMER_SOUNDFONT"
SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/local/share/soundfonts/default.sf2",
    "/opt/homebrew/share/soundfonts/default.sf2",
    "C:/soundfonts/default.sf2",
)


def how_to_get() -> str:
    """What to do when no soundfont is found."""
    return ("install one (Debian/Ubuntu: sudo apt install fluid-soundfont-gm), drop a GM .sf2 "
            f"into {user_soundfonts_dir()}, or pass --soundfont FILE.sf2 / set {ENV_VAR}")


class SoundfontError(CoperformerError, FileNotFoundError):
    """No usable soundfont, with a message that says how to get one."""


def _is_soundfont(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head[:4] == b"RIFF" and head[8:12] == b"sfbk"


def _checked(path: Path, origin: str) -> Path:
    if not path.exists():
        raise SoundfontError(f"soundfont from {origin} not found: {path}; {how_to_get()}")
    if problem := input_problem(path):  # before opening: a FIFO must not hang the reader
        raise SoundfontError(f"cannot read the soundfont {path} (from {origin}): {problem}")
    if not _is_soundfont(path):
        raise SoundfontError(f"{path} (from {origin}) is not a SoundFont 2 file; {how_to_get()}")
    return path


def chosen_soundfont(chosen: str | None = None) -> str | None:
    """The soundfont the user named (--soundfont or $COPERFORMER_SOUNDFONT), if any."""
    return chosen or os.environ.get(ENV_VAR) or None


def find_soundfont(chosen: str | None = None, setting: str | None = None) -> Path:
    """The soundfont to use, in order: chosen, $COPERFORMER_SOUNDFONT, setting, the user's
    folder, soundfonts/, the system's."""
    for value, origin in ((chosen, "--soundfont"), (os.environ.get(ENV_VAR), ENV_VAR),
                          (setting, "settings")):
        if value:
            return _checked(Path(value).expanduser(), origin)
    found = [path for folder in (user_soundfonts_dir(), soundfonts_dir())
             for path in sorted(folder.glob("*.sf2"))]
    for path in found + [Path(p) for p in SYSTEM_SOUNDFONTS]:
        if path.is_file() and _is_soundfont(path):
            return path
    raise SoundfontError(f"no General MIDI soundfont found; {how_to_get()}")
