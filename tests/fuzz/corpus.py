"""A seeded corpus of hostile MIDI files: crafted edge cases and random mutations of good
files (byte and bit flips, truncations, duplicated chunks)."""

from __future__ import annotations

import random
import struct
from pathlib import Path

from tests.midi_helpers import melody_notes, write_midi


def varlen(value: int) -> bytes:
    """A MIDI variable-length quantity."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def smf(tracks: list[bytes], fmt: int = 1, division: int = 480, count: int | None = None,
        header_length: int = 6) -> bytes:
    """A Standard MIDI File from raw track bodies."""
    head = b"MThd" + struct.pack(">IHHH", header_length, fmt,
                                 len(tracks) if count is None else count, division)
    return head + b"".join(b"MTrk" + struct.pack(">I", len(body)) + body for body in tracks)


NOTES = b"".join(varlen(0) + bytes([0x90, 60 + i, 90]) + varlen(400) + bytes([0x80, 60 + i, 0])
                 for i in range(8))
END = b"\x00\xff\x2f\x00"


def crafted() -> dict[str, bytes]:
    """Edge cases by name: what a broken exporter or a bit flip in the right place makes."""
    tempo = b"\x00\xff\x51\x03\x07\xa1\x20"
    return {
        "header-4GB": smf([NOTES + END], header_length=0xFFFFFFFF),
        "format-2": smf([NOTES + END], fmt=2),
        "division-0": smf([NOTES + END], division=0),
        "65535-tracks-claimed": smf([NOTES + END], count=65535),
        "meter-0-over-1": smf([b"\x00\xff\x58\x04\x00\x00\x18\x08" + NOTES + END]),
        "meter-4-over-2^255": smf([b"\x00\xff\x58\x04\x04\xff\x18\x08" + NOTES + END]),
        "tempo-0": smf([b"\x00\xff\x51\x03\x00\x00\x00" + NOTES + END]),
        "huge-delta": smf([tempo + NOTES + varlen(0x0FFFFFFF) + b"\x90\x40\x50"
                           + varlen(10) + b"\x80\x40\x00" + END]),
        "12000-bars": smf([tempo + NOTES + b"".join(varlen(4000 * 480) + b"\xb0\x07\x64"
                                                    for _ in range(12)) + END]),
        "running-status": smf([tempo + varlen(0) + b"\x90\x3c\x50" + varlen(480) + b"\x3c\x00"
                               + varlen(0) + b"\x3e\x50" + varlen(480) + b"\x3e\x00" + END]),
        "sysex": smf([tempo + varlen(0) + b"\xf0\x05\x7e\x7f\x09\x01\xf7" + NOTES + END]),
        "truncated-track": smf([tempo + NOTES + END])[:-9],
        "header-only": smf([]),
        "empty": b"",
        "drums-only": smf([b"".join(varlen(0) + bytes([0x99, 36, 90]) + varlen(240)
                                    + bytes([0x89, 36, 0]) for _ in range(8)) + END]),
    }


def base_files(folder: Path) -> list[bytes]:
    """Good files to mutate: a melody, a melody with a band in 3/4, a type-0 file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        write_midi(folder / "a.mid", [{"channel": 0, "notes": melody_notes(4)}]),
        write_midi(folder / "b.mid", [{"channel": 0, "notes": melody_notes(4, 3)},
                                      {"channel": 1, "notes": [(48, 0, 3), (43, 3, 6)]}],
                   meter=(3, 4)),
        write_midi(folder / "c.mid", [{"channel": 0, "notes": melody_notes(3, low=70)}],
                   midi_type=0),
    ]
    return [p.read_bytes() for p in paths]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random mutation of a file."""
    buf = bytearray(data)
    kind = rng.choice(("bytes", "bits", "truncate", "duplicate"))
    if kind == "bytes":
        for _ in range(rng.randint(1, 6)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif kind == "bits":
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del buf[rng.randrange(1, len(buf)):]
    else:
        start = rng.randrange(len(buf))
        buf[start:start] = buf[start : start + rng.randint(1, 64)]
    return bytes(buf)


def cases(folder: Path, count: int, seed: int = 20261122) -> dict[str, bytes]:
    """The crafted cases plus ``count`` mutations, by name."""
    rng = random.Random(seed)
    bases = base_files(folder / "base")
    out = crafted()
    for index in range(count):
        out[f"mutant-{index}"] = mutate(rng.choice(bases), rng)
    return out
