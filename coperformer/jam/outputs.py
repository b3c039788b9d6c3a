"""What a finished jam writes: the take first, then the WAV rendered from it. After a stop
signal (Ctrl-C) the WAV is not rendered: its time grows with the take (about a second a minute
of music), and the command's promise is to end within 2 s of the signal. The take is kept (beside
the WAV, under a free name, when no take was asked for) and the note says how to render it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from coperformer.common.errors import CoperformerError, first_line
from coperformer.common.stopping import stop_requested
from coperformer.engine.recorder import Recorder
from coperformer.jam.options import JamOptions
from coperformer.jam.recovery import numbered


def save_outputs(options: JamOptions, recorder: Recorder | None, soundfont: Path | None,
                 save_take: Callable[[Path], Path]) -> tuple[list[str], str | None, str | None]:
    """Write the take (through ``save_take``) and the WAV asked for: what was written, why not
    the rest (an error), and a note (the WAV left to `coperformer render` after a stop signal).
    The owner's thread."""
    saved: list[str] = []
    record, wav = options.record, options.wav
    if recorder and not recorder.recording.segments:
        recorder.discard_journal()  # the session never started: nothing to keep
        return saved, None, None
    left_to_render = bool(wav and stop_requested() and recorder)
    if left_to_render and not (record and options.save_take):
        record = numbered(Path(wav).with_suffix(".mid"))  # beside the WAV, over no file
    try:
        if record and (options.save_take or left_to_render) and recorder:
            saved.append(str(save_take(Path(record))))
    except CoperformerError as exc:  # its message names the journal kept
        return saved, first_line(exc), None
    if left_to_render:
        return saved, None, (f"stopped by a signal: {wav} not rendered (to end at once); "
                             f"coperformer render {record} -o {wav} makes it")
    if wav and not (recorder and soundfont):
        return saved, f"no soundfont to render {wav} with: not written", None
    try:
        if wav:
            _render_wav(recorder, soundfont, Path(wav), options.wav_click)
            saved.append(str(wav))
    except (OSError, CoperformerError) as exc:  # the take is saved first: never lost here
        reason = first_line(exc) if isinstance(exc, CoperformerError) else str(exc)
        return saved, f"cannot write {wav}: {reason}", None
    return saved, None, None


def _render_wav(recorder: Recorder, soundfont: Path, path: Path, click: bool) -> None:
    """The take rendered offline to ``path`` (with the click if asked)."""
    from coperformer.io.takefile import write_take
    from coperformer.synth.render import render_file

    with tempfile.TemporaryDirectory() as tmp:
        midi = Path(tmp) / "session.mid"
        write_take(recorder.recording, midi)
        render_file(midi, path, soundfont, click=click)
