"""`coperformer accompany`: write a band accompaniment for a melody MIDI file."""

from __future__ import annotations

import argparse
import sys
import time

from coperformer.cli import checks
from coperformer.cli.common import CommandError, cannot_write
from coperformer.music.listening import CHANGE_EVERY, DEFAULT_ADVENTURE


def add_accompany(sub) -> None:
    """Arguments of `coperformer accompany`."""
    p = sub.add_parser("accompany", help="write a band accompaniment for a melody MIDI file")
    p.add_argument("input", type=checks.input_file, help="melody MIDI file")
    p.add_argument("-o", "--output", required=True, type=checks.output_file,
                   help="MIDI file to write")
    p.add_argument("--model", default=None, type=checks.model,
                   help="model name in models/ or path (default bach)")
    checks.add_trust(p)
    p.add_argument("--mode", choices=("offline", "live"), default="offline",
                   help="offline sees each bar's melody; live plays it into the live engine "
                        "in virtual time, as `play` does")
    p.add_argument("--seed", type=checks.seed, default=0)
    p.add_argument("--adventure", type=float, default=DEFAULT_ADVENTURE,
                   help="the live band: 0 = safe harmony .. 1 = more chord variety (default 0.5)")
    p.add_argument("--melody-track", type=checks.positive, default=None,
                   help="1-based index among the pitched tracks (default: the highest)")
    p.add_argument("--chords-every", choices=CHANGE_EVERY, default=None,
                   help="without --chords: the harmony may change at every beat (as the "
                        "chorales it learned from), every half bar, or only at bar lines "
                        "(default beat); live, each change is decided from what was heard")
    p.add_argument("--chords", default=None, type=checks.chart,
                   help="a chord chart the band plays from the first bar, repeating "
                        "('C | Am | F G7 | C', or @song.txt: a text file holding one)")


def run_accompany(args: argparse.Namespace) -> int:
    """Accompany a melody file and write a type-1 SMF."""
    from coperformer.engine.transport import DEFAULT_BPM
    from coperformer.io.midifile import choose_melody, read_song, song_to_piece
    from coperformer.io.smfwrite import write_accompaniment
    from coperformer.jam.inputs import song_timing
    from coperformer.model.live_engine import live_accompaniment, offline_accompaniment
    from coperformer.model.store import load_model, load_reward_model
    from coperformer.music.chord_chart import parse_chart
    from coperformer.music.listening import HarmonyPlanner, check_adventure

    if args.chords_every and args.chords:
        raise CommandError("--chords-every sets the band's own harmonic pace: not with --chords")
    planner = HarmonyPlanner(load_reward_model(), check_adventure(args.adventure))
    song = read_song(args.input)
    for notice in song.notices:  # what was skipped while reading: said, the rest goes on
        print(f"coperformer: warning: {notice}", file=sys.stderr)
    melody = choose_melody(song, args.melody_track)
    piece = song_to_piece(song, melody, name=args.input)
    model = load_model(args.model, args.trust_model)
    started = time.perf_counter()
    chart = parse_chart(args.chords) if args.chords else None
    if args.mode == "live":  # the engine's own live band: the code the player hears
        bpm = song_timing(song)[0] or DEFAULT_BPM  # the tempo `play` would take from it
        result = live_accompaniment(model, planner.model, piece, args.seed, planner.adventure,
                                    chart, bpm, args.chords_every or CHANGE_EVERY[0])
    else:
        result = offline_accompaniment(model, planner.model, piece, args.seed,
                                       planner.adventure, chart,
                                       args.chords_every or CHANGE_EVERY[0])
    seconds = time.perf_counter() - started
    band = list(zip(model.track_names, model.programs, result.voices, strict=True))
    try:
        write_accompaniment(args.output, song, melody, band, result.chords)
    except OSError as exc:
        raise cannot_write(args.output, exc) from exc
    print(f"accompanied {result.grid.bars} bars in {seconds:.3f} s ({args.mode}, seed {args.seed})"
          f" -> {args.output}", file=sys.stderr)
    return 0
