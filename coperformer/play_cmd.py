"""`coperformer play`, `devices` and `recover`: the live session on the command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time

from coperformer.cli import UserError, command
from coperformer.synth.fluid import LIVE_SAMPLE_RATE


def add_play(sub) -> None:
    """Arguments of `coperformer play`, `devices` and `recover`."""
    p = sub.add_parser("play", help="jam live: keyboard (or MIDI file) in, a GAN band out")
    p.add_argument("--input", required=True, help="MIDI input port (name or unique part) or .mid")
    p.add_argument("--model", default=None)
    p.add_argument("--tempo", type=float, default=None, help="BPM 40-240 (file input: its own)")
    p.add_argument("--meter", default=None, choices=("3/4", "4/4", "6/8"))
    p.add_argument("--count-in", type=int, default=1, help="count-in bars (default 1)")
    p.add_argument("--no-metronome", action="store_true", help="click only in the count-in")
    p.add_argument("--sync-start", action="store_true", help="the first note starts bar 1")
    p.add_argument("--record", default=None, help="write the session to this .mid file")
    p.add_argument("--wav", default=None, help="write the session's audio to this WAV file")
    p.add_argument("--audio-driver", default="none",
                   help="jack, alsa, pulseaudio, coreaudio, dsound, ... or none (default)")
    p.add_argument("--period-size", type=int, default=128, help="audio period (frames)")
    p.add_argument("--periods", type=int, default=2, help="audio periods")
    p.add_argument("--sample-rate", type=int, default=LIVE_SAMPLE_RATE,
                   help="synth sample rate (default 96000: FluidSynth starts notes on a 64-frame "
                        "grid, 0.67 ms at 96 kHz, 1.45 ms at 44.1 kHz)")
    p.add_argument("--midi-api", default=None, help="rtmidi API: alsa, jack, coremidi, winmm")
    p.add_argument("--midi-out", default=None, help="also send the band to this MIDI port")
    p.add_argument("--midi-clock", action="store_true",
                   help="send MIDI clock (24 ppqn), Start and Stop to --midi-out")
    p.add_argument("--soundfont", default=None)
    p.add_argument("--margin-ms", type=float, default=20.0, help="decision margin (ms)")
    p.add_argument("--stats", default=None, help="write session statistics (JSON) here")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=None, help="stop after this long")
    g = sub.add_parser("gui", help="open the desktop app (the default with no command)")
    g.add_argument("--input-file", default=None, help="start playing this MIDI file at once")
    g.add_argument("--quit-after", type=float, default=None, help="close after N seconds")
    d = sub.add_parser("devices", help="list MIDI ports and FluidSynth audio drivers")
    d.add_argument("--json", action="store_true")
    r = sub.add_parser("recover", help="turn a journal left by a crash into a .mid file")
    r.add_argument("journal", help="the .journal file (e.g. session.mid.journal)")
    r.add_argument("-o", "--output", default=None)


@command("gui")
def run_gui_command(args: argparse.Namespace) -> int:
    """Open the window."""
    try:
        from coperformer.gui.app import run_gui
    except ImportError as exc:
        raise UserError(f"the desktop app needs PySide6 and a display: {exc}") from exc
    quit_ms = int(args.quit_after * 1000) if args.quit_after else None
    return run_gui(quit_after_ms=quit_ms, input_file=args.input_file)


@command("devices")
def run_devices(args: argparse.Namespace) -> int:
    """Print MIDI ports per API and the audio drivers."""
    from coperformer.midi.ports import all_ports
    from coperformer.synth.fluid import SynthError
    from coperformer.synth.live_synth import audio_drivers

    try:
        drivers = audio_drivers()
    except SynthError as exc:
        drivers = [f"unavailable: {exc}"]
    listing = {"midi": all_ports(), "audio_drivers": drivers}
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    for api, ports in listing["midi"].items():
        print(f"MIDI ({api}):")
        if "error" in ports:
            print(f"  unavailable: {ports['error']}")
            continue
        for kind in ("inputs", "outputs"):
            print(f"  {kind}: " + (", ".join(ports[kind]) or "none"))
    print("audio drivers: " + ", ".join(drivers) + ", none")
    return 0


@command("recover")
def run_recover(args: argparse.Namespace) -> int:
    """Recover a journal."""
    from coperformer.engine.recorder import recover_journal

    try:
        out = recover_journal(args.journal, args.output)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot recover {args.journal}: {exc}") from exc
    print(f"recovered {args.journal} -> {out}")
    return 0


@command("play")
def run_play(args: argparse.Namespace) -> int:
    """Run a live session until the file ends, Ctrl-C, or --max-seconds."""
    from coperformer.live import LiveSetup, SetupError

    try:
        setup = LiveSetup.from_args(args)
    except SetupError as exc:
        raise UserError(str(exc)) from exc
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        setup.start()
        print(setup.banner(), file=sys.stderr, flush=True)
        deadline = time.monotonic() + args.max_seconds if args.max_seconds else None
        while not stop.is_set() and setup.running:
            if deadline and time.monotonic() > deadline:
                break
            stop.wait(0.1)
    finally:
        signal.signal(signal.SIGINT, previous)
        report = setup.finish()
    print(report, file=sys.stderr)
    return 0 if setup.error is None else 1
