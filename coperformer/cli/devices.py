"""`coperformer devices`: MIDI ports per API and FluidSynth's audio drivers."""

from __future__ import annotations

import argparse
import json


def add_devices(sub) -> None:
    """Arguments of `coperformer devices`."""
    d = sub.add_parser("devices", help="list MIDI ports and FluidSynth audio drivers")
    d.add_argument("--json", action="store_true")


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
