"""The checks every command runs on its arguments while they are parsed, so that nothing
starts (no session, no render, no training) before each number is in range and each file can
be read or written: argparse `type=` functions, and a parser whose errors are one line."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from typing import NoReturn

from coperformer.common.errors import CoperformerError, first_line
from coperformer.common.files import input_problem, output_problem
from coperformer.engine.transport import MAX_BPM, MIN_BPM

MAX_SEED = 2**32 - 1  # numpy and torch both take it
CHART_FILE_PREFIX = "@"  # --chords @song.txt reads the chart from a file


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit 2), without the usage."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def whole(low: int, high: int | None = None, what: str = "a whole number") -> Callable[[str], int]:
    """A `type=` for an int in low..high (no upper bound when high is None)."""
    span = f"from {low} to {high}" if high is not None else f">= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number {span}, "
                                             f"not {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{what} must be {span}, not {value}")
        return value

    parse.__name__ = "whole number"
    return parse


def real(low: float, high: float | None = None, what: str = "the value", unit: str = "",
         above: bool = False) -> Callable[[str], float]:
    """A `type=` for a finite float in low..high (above=True: strictly greater than low)."""
    unit = f" {unit}" if unit else ""
    if high is not None:
        span = f"between {low:g} and {high:g}{unit}"
    else:
        span = f"{'above' if above else 'at least'} {low:g}{unit}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number {span}, "
                                             f"not {text!r}") from None
        low_ok = value > low if above else value >= low
        if not math.isfinite(value) or not low_ok or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{what} must be {span}, not {text}")
        return value

    parse.__name__ = "number"
    return parse


seed = whole(0, MAX_SEED, "a seed")
positive = whole(1, None, "the count")
seconds = real(0.0, None, "the time", "s", above=True)
tempo = real(MIN_BPM, MAX_BPM, "the tempo", "BPM")


def input_file(text: str) -> str:
    """A `type=` for a file to read: it must be a regular, readable file (a FIFO or a device
    is refused without being opened)."""
    problem = input_problem(os.path.expanduser(text))
    if problem:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {problem}")
    return text


def output_file(text: str) -> str:
    """A `type=` for a file to write: its folder exists and is writable, and the path is not a
    folder, a device or a FIFO (an existing regular file is replaced)."""
    problem = output_problem(os.path.expanduser(text))
    if problem:
        raise argparse.ArgumentTypeError(f"cannot write {text}: {problem}")
    return text


def output_file_made_folder(text: str) -> str:
    """A `type=` for a file to write whose folder is made when missing (a trained model and
    its card): as ``output_file`` once the folder exists."""
    folder = os.path.dirname(os.path.abspath(os.path.expanduser(text)))
    if os.path.isdir(folder):
        return output_file(text)
    problem = _folder_problem(folder)
    if problem:
        raise argparse.ArgumentTypeError(f"cannot write {text}: {problem}")
    return text


def output_folder(text: str) -> str:
    """A `type=` for a folder to write into (made when missing): not a file, and the nearest
    existing folder on its way is writable."""
    problem = _folder_problem(os.path.abspath(os.path.expanduser(text)))
    if problem:
        raise argparse.ArgumentTypeError(f"cannot write into {text}: {problem}")
    return text


def _folder_problem(path: str) -> str | None:
    """Why a folder cannot be made or written at ``path`` (its nearest existing ancestor is a
    file or read-only), or None."""
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        return f"{path} is not a folder"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"{path} is not writable"
    return None


def player_input(text: str) -> str:
    """A `type=` for `play --input`: a port name, or a MIDI file that must be a regular file."""
    from coperformer.jam.options import MIDI_FILE_SUFFIXES

    if text.lower().endswith(MIDI_FILE_SUFFIXES) or os.path.lexists(text):
        return input_file(text)
    return text


def _accepted(parse: Callable[[str], object], text: str) -> str:
    """``text`` when ``parse`` accepts it, else its one-line reason as the argument's error."""
    try:
        parse(text)
    except CoperformerError as exc:
        raise argparse.ArgumentTypeError(first_line(exc)) from None
    return text


def model(text: str) -> str:
    """A `type=` for `--model`: a model name in the models folder, or a readable .pt file."""
    from coperformer.model.store import resolve_model

    return _accepted(resolve_model, text)


def add_trust(parser) -> None:
    """`--trust-model`: load a model file that is neither shipped nor trained here."""
    parser.add_argument("--trust-model", action="store_true",
                        help="trust the --model file (a model is code: only shipped and "
                             "trained models load without it)")


def key(text: str) -> str:
    """A `type=` for a key name (C, F#, Bb, Am, C# minor)."""
    from coperformer.music.endings import parse_key

    return _accepted(parse_key, text)


def chart(text: str) -> str:
    """A `type=` for a chord chart (C | Am | F G7 | C), or @FILE: a text file holding one;
    returns the chart's text."""
    from coperformer.io.chart_file import read_chart_file
    from coperformer.music.chord_chart import parse_chart

    if text.startswith(CHART_FILE_PREFIX):
        try:
            text = read_chart_file(text[len(CHART_FILE_PREFIX):])
        except CoperformerError as exc:
            raise argparse.ArgumentTypeError(first_line(exc)) from None
    return _accepted(parse_chart, text)


def note(text: str) -> str:
    """A `type=` for a note name with its octave or a MIDI number (F#3, C4, 54)."""
    from coperformer.music.chord_names import parse_note

    return _accepted(parse_note, text)


def _voice_channels() -> dict[str, int]:
    """The voices a command line names, by their channels: you, 1, 2, 3, drums."""
    from coperformer.engine.sinks import BAND_CHANNELS, PLAYER_CHANNEL
    from coperformer.music.gm import DRUM_CHANNEL

    named = {"you": PLAYER_CHANNEL, "drums": DRUM_CHANNEL}
    named.update({str(index + 1): channel for index, channel in enumerate(BAND_CHANNELS)})
    return named


def _voice_channel(word: str, what: str, drums: bool = True) -> int:
    """The channel of a voice a command line names, or a one-line error."""
    named = _voice_channels()
    if not drums:
        named.pop("drums")
    if word not in named:
        raise argparse.ArgumentTypeError(
            f"no voice {word!r} to {what} (choose from {', '.join(named)})")
    return named[word]


def voices(text: str) -> frozenset[int]:
    """A `type=` for voices to silence, comma-separated: you, 1, 2, 3, drums (their channels)."""
    words = filter(None, (w.strip().lower() for w in text.split(",")))
    return frozenset(_voice_channel(word, "mute") for word in words)


def voice_program(text: str) -> tuple[int, int]:
    """A `type=` for VOICE=PROGRAM (you, 1, 2, 3; a GM program 1-128, as the window numbers
    them): (channel, 0-based program)."""
    voice, _, number = text.partition("=")
    channel = _voice_channel(voice.strip().lower(), "give a program", drums=False)
    if not number.strip().isdigit() or not 1 <= int(number) <= 128:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give VOICE=PROGRAM, a voice (you, 1, 2, 3) and a GM program 1-128")
    return channel, int(number) - 1
