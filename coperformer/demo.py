"""The demo: melodies from music21 (a held-out chorale, a folk song), accompanied and rendered."""

from __future__ import annotations

from pathlib import Path

from coperformer.cli import UserError
from coperformer.io.midifile import read_song
from coperformer.io.smfwrite import write_melody
from coperformer.music.accompany import accompany_piece
from coperformer.music.notes import Piece


def demo_pieces() -> list[Piece]:
    """One held-out test chorale and one folk song."""
    from coperformer.model.corpus import chorale_names, folk_melodies, load_chorale
    from coperformer.model.dataset import SPLIT_SEED, split_names

    test = split_names(chorale_names(), SPLIT_SEED)["test"]
    return [load_chorale(test[0]), folk_melodies(1)[0]]


def make_demo(out: Path, model_name: str | None, soundfont: str | None) -> list[Path]:
    """Accompany and render the demo pieces; returns the files written."""
    from coperformer.commands import load_model
    from coperformer.io.midifile import choose_melody
    from coperformer.io.smfwrite import write_accompaniment
    from coperformer.synth.render import render_file
    from coperformer.synth.soundfont import SoundfontError, find_soundfont

    try:
        font = find_soundfont(soundfont)
    except SoundfontError as exc:
        raise UserError(str(exc)) from exc
    model = load_model(model_name)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number, piece in enumerate(demo_pieces(), start=1):
        melody_path = out / f"melody{number}.mid"
        write_melody(piece, melody_path)
        song = read_song(melody_path)
        for mode in ("offline", "live"):
            result = accompany_piece(model, piece, mode, seed=number)
            band = list(zip(model.track_names, model.programs, result.voices, strict=True))
            midi_path = out / f"melody{number}-{mode}.mid"
            write_accompaniment(midi_path, song, choose_melody(song), band)
            wav_path = midi_path.with_suffix(".wav")
            render_file(midi_path, wav_path, font)
            written += [midi_path, wav_path]
    return written
