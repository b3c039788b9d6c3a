"""`coperformer play`: the live session on the command line, on the same JamOptions and the
same jam facade as the window."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from coperformer.cli import checks
from coperformer.cli.common import cannot_write
from coperformer.common.files import atomic_write
from coperformer.common.stopping import stop_calls
from coperformer.engine.listener import QuietListener
from coperformer.engine.session_config import MARGIN_RANGE_MS
from coperformer.engine.transport import MAX_BPM, MIN_BPM
from coperformer.jam.options import JamOptions
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.groove import DRUM_KITS, FEELS, PHRASE_BARS
from coperformer.music.listening import CHANGE_EVERY, FLOATING_VOICES
from coperformer.music.meter import SUPPORTED_METERS
from coperformer.synth.fluid import PERIOD_COUNTS, PERIOD_SIZES, SAMPLE_RATES

DEFAULTS = JamOptions()
MAX_COUNT_IN = 16  # bars


def add_play(sub) -> None:
    """Arguments of `coperformer play`."""
    p = sub.add_parser("play", help="jam live: keyboard (or MIDI file) in, a GAN band out")
    p.add_argument("--input", required=True, type=checks.player_input,
                   help="MIDI input port (name or unique part) or .mid")
    p.add_argument("--model", default=DEFAULTS.model, type=checks.model)
    checks.add_trust(p)
    p.add_argument("--tempo", type=checks.tempo, default=DEFAULTS.tempo,
                   help=f"BPM {MIN_BPM:g}-{MAX_BPM:g} (file input: its own)")
    p.add_argument("--meter", default=DEFAULTS.meter, choices=SUPPORTED_METERS)
    p.add_argument("--count-in", type=checks.whole(0, MAX_COUNT_IN, "the count-in"),
                   default=DEFAULTS.count_in,
                   help=f"count-in bars (default {DEFAULTS.count_in})")
    p.add_argument("--no-metronome", action="store_true", help="click only in the count-in")
    p.add_argument("--follow", action="store_true",
                   help="the band follows your tempo (tracked from your notes; no click after "
                        "the count-in); with --sync-start you count in yourself")
    p.add_argument("--sync-start", action="store_true",
                   help="the first note starts bar 1; with --follow from a keyboard, play a "
                        "bar of beats (any key) and the band starts on the next beat at "
                        "your tempo, or with --count-in 0 just start the tune on its "
                        "downbeat: the band finds your tempo and comes in on bar 2")
    p.add_argument("--sync-stop", action="store_true",
                   help="when you stop playing for a bar the band ends on the tonic")
    p.add_argument("--split", default=None, type=checks.note,
                   help="a note (F#3, C4, 54): chords held below it steer the band")
    p.add_argument("--chords", default=None, type=checks.chart,
                   help="a chord chart the band plays, repeating ('C | Am | F G7 | C', or "
                        "@song.txt: a text file holding one; not with --split)")
    p.add_argument("--intro", default=None, type=checks.key,
                   help="a key (C, F#, Bb, Am ...): the band plays its tonic before you start")
    p.add_argument("--float-above", default=[], type=int, action="append",
                   choices=tuple(voice + 1 for voice in FLOATING_VOICES),
                   help="band voice 1 (top) or 2 keeps above your melody, not under it "
                        "(repeatable)")
    p.add_argument("--record", default=None, type=checks.output_file,
                   help="write the session to this .mid file")
    p.add_argument("--wav", default=None, type=checks.output_file,
                   help="write the session's audio to this WAV file")
    p.add_argument("--wav-click", action="store_true",
                   help="put the metronome in the --wav audio (it is never in the take)")
    p.add_argument("--audio-driver", default=DEFAULTS.audio_driver,
                   help="jack, alsa, pulseaudio, coreaudio, dsound, ... or none (default)")
    p.add_argument("--period-size", type=checks.whole(*PERIOD_SIZES, "the period size"),
                   default=DEFAULTS.period_size,
                   help=f"audio period (frames; default {DEFAULTS.period_size})")
    p.add_argument("--periods", type=checks.whole(*PERIOD_COUNTS, "the periods"),
                   default=DEFAULTS.periods, help="audio periods")
    p.add_argument("--sample-rate", type=checks.whole(*SAMPLE_RATES, "the sample rate"),
                   default=DEFAULTS.sample_rate,
                   help=f"synth sample rate (default {DEFAULTS.sample_rate}, the sound servers' "
                        "own; FluidSynth starts notes on 64-frame blocks, 1.3 ms at 48 kHz)")
    p.add_argument("--midi-api", default=None,
                   help="rtmidi API: alsa, jack, coremidi, winmm (default: search them all)")
    p.add_argument("--midi-out", default=None, help="also send the band to this MIDI port")
    p.add_argument("--no-jack-autoconnect", dest="jack_autoconnect", action="store_false",
                   help="with --audio-driver jack: leave FluidSynth's outputs unconnected")
    p.add_argument("--midi-clock", action="store_true",
                   help="send MIDI clock (24 ppqn), Start and Stop to --midi-out")
    p.add_argument("--soundfont", default=None, type=checks.input_file)
    p.add_argument("--margin-ms", type=checks.real(*MARGIN_RANGE_MS, "the margin", "ms"),
                   default=DEFAULTS.margin_ms,
                   help="decision margin (ms)")
    p.add_argument("--stats", default=None, type=checks.output_file,
                   help="write session statistics (JSON) here")
    p.add_argument("--seed", type=checks.seed, default=DEFAULTS.seed)
    p.add_argument("--adventure", type=float, default=DEFAULTS.adventure,
                   help="the live band: 0 = safe harmony .. 1 = more chord variety (default 0.5)")
    p.add_argument("--chords-every", dest="chords_every", choices=CHANGE_EVERY,
                   default=DEFAULTS.chords_every,
                   help="how often the live band may change chord, each time from what it "
                        "heard: at any beat (default), at the half bar, or once a bar")
    p.add_argument("--one-chord-per-bar", dest="chords_every", action="store_const",
                   const="bar", help="the same as --chords-every bar")
    p.add_argument("--drums", default=None, choices=FEELS,
                   help="add a drum groove in this feel (hand-written patterns, not AI)")
    p.add_argument("--drum-kit", default="Standard", choices=list(DRUM_KITS),
                   help="the GM drum kit (default Standard)")
    p.add_argument("--phrase", type=int, choices=PHRASE_BARS, default=DEFAULTS.phrase_bars,
                   help="the groove plays a fill before every 4th or 8th bar line")
    p.add_argument("--program", type=checks.voice_program, action="append", default=[],
                   metavar="VOICE=PROGRAM",
                   help="a voice's instrument: you, 1, 2 or 3 = a GM program 1-128 (as the "
                        "window numbers them; repeatable), e.g. --program 3=33")
    p.add_argument("--mute", type=checks.voices, default=frozenset(), metavar="VOICES",
                   help="silence these (comma-separated: you, 1, 2, 3, drums); still recorded, "
                        "e.g. --mute you to hear only the band play to a file")
    p.add_argument("--max-seconds", type=checks.seconds, default=None, help="stop after this long")


def options_from_args(args: argparse.Namespace) -> JamOptions:
    """The jam the arguments ask for."""
    return JamOptions(
        input=args.input, model=args.model, trust_model=args.trust_model,
        soundfont=args.soundfont,
        audio_driver=args.audio_driver, period_size=args.period_size, periods=args.periods,
        sample_rate=args.sample_rate, midi_api=args.midi_api, midi_out=args.midi_out,
        midi_clock=args.midi_clock, jack_autoconnect=args.jack_autoconnect, tempo=args.tempo,
        meter=args.meter, follow=args.follow,
        count_in=args.count_in, metronome=not args.no_metronome, sync_start=args.sync_start,
        sync_stop=args.sync_stop, intro=args.intro, split=args.split, chords=args.chords,
        floating=frozenset(voice - 1 for voice in args.float_above),
        margin_ms=args.margin_ms, seed=args.seed, adventure=args.adventure,
        chords_every=args.chords_every, drums=args.drums, phrase_bars=args.phrase,
        programs={**dict(args.program),
                  **({DRUM_CHANNEL: DRUM_KITS[args.drum_kit]} if args.drums else {})},
        record=Path(args.record) if args.record else None,
        wav=Path(args.wav) if args.wav else None, wav_click=args.wav_click, muted=args.mute)


class TerminalListener(QuietListener):
    """Tells the player on stderr when the keyboard goes away and comes back (worker thread)."""

    def on_port_lost(self) -> None:
        """The keyboard was unplugged: the band goes on."""
        print("keyboard unplugged: waiting for it", file=sys.stderr, flush=True)

    def on_port_back(self) -> None:
        """The keyboard is back and connected again."""
        print("keyboard reconnected", file=sys.stderr, flush=True)

    def on_warning(self, message: str) -> None:
        """Something the player must know now (the recording's journal)."""
        print(f"warning: {message}", file=sys.stderr, flush=True)


def run_play(args: argparse.Namespace) -> int:
    """Run a live session until the file ends, Ctrl-C, or --max-seconds."""
    from coperformer.jam.jam import Jam

    jam = Jam.build(options_from_args(args), TerminalListener())  # Ctrl-C: KeyboardInterrupt
    stop = threading.Event()
    try:
        with stop_calls(stop.set):  # from here Ctrl-C or SIGTERM stops the jam, which saves
            jam.start()
            print(jam.banner(), file=sys.stderr, flush=True)
            deadline = time.monotonic() + args.max_seconds if args.max_seconds else None
            while not stop.is_set() and jam.running:
                if deadline and time.monotonic() > deadline:
                    break
                stop.wait(0.1)
    finally:
        result = jam.finish()
    if args.stats:
        try:
            atomic_write(args.stats, lambda tmp: Path(tmp).write_text(
                json.dumps(result.stats, indent=2) + "\n"))
        except OSError as exc:
            raise cannot_write(args.stats, exc) from exc
    print(result.summary(), file=sys.stderr)
    if result.save_note:
        print(f"coperformer: {result.save_note}", file=sys.stderr)
    if result.save_error:
        print(f"coperformer: error: {result.save_error}", file=sys.stderr)
    if result.error:
        print(f"coperformer: error: the band stopped: {result.error}", file=sys.stderr)
    return 1 if result.error or result.save_error else 0
