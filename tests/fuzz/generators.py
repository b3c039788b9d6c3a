"""Generators of hostile inputs, one per class a hostile run found: MIDI files (crafted limits
and random mutations), model files and cards, .npz weights, journals and command-line
arguments. Each case is (name, what to run): a command line for `coperformer`, or a library
call. Seeded: a case is found again by its class, seed and index."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from tests.fuzz.corpus import END, NOTES, base_files, crafted, mutate, smf
from tests.midi_helpers import melody_notes, write_midi

NOT_UTF8 = os.fsdecode(b"\xff\xfe")


class Case:
    """One hostile input: a `coperformer` command line (``argv``) or a library ``call``."""

    def __init__(self, name: str, argv: list[str] | None = None, call=None,
                 output: Path | None = None):
        self.name, self.argv, self.call, self.output = name, argv, call, output


def _melody(folder: Path) -> Path:
    path = folder / "melody.mid"
    if not path.exists():
        write_midi(path, [{"channel": 0, "notes": melody_notes(4)}], bpm=120)
    return path


def midi_limits() -> dict[str, bytes]:
    """The files of the hostile run's report: long numbers, floods, corrupt key signatures."""
    tempo = b"\x00\xff\x51\x03\x07\xa1\x20"
    flood = b"\x00\xc0\x05" + b"\x00\x05" * 8_000_000  # 16 MB of 8 M running-status events
    spread = b"\x00\xc0\x05" + b"\x02\x05" * 8_000_000  # the same, 240 a quarter note
    notes = b"\x00\x90\x3c\x50" + b"\x01\x3c\x00\x01\x3c\x50" * 499_990
    return {
        "varlen-200KB": smf([b"\x81" * 200 * 1024 + b"\x00\x90\x3c\x50" + END]),
        "varlen-2MB": smf([b"\xff" * 2 * 1024 * 1024 + b"\x00\x90\x3c\x50" + END]),
        "meta-length-2MB": smf([b"\x00\xff\x01" + b"\x80" * 2 * 1024 * 1024 + b"\x00" + END]),
        "8M-events-16MB": smf([flood])[: 16 * 1024 * 1024],
        "8M-events-16MB-spread": smf([spread])[: 16 * 1024 * 1024],
        "1M-running-status": smf([tempo + notes + END]),
        "keysig-9-sharps": smf([b"\x00\xff\x59\x02\x09\x00" + NOTES + END]),
        "keysig-mode-7": smf([b"\x00\xff\x59\x02\x00\x07" + NOTES + END]),
        "keysig-short": smf([b"\x00\xff\x59\x01\x00" + NOTES + END]),
    }


def midi_cases(folder: Path, count: int, seed: int) -> list[Case]:
    """accompany on crafted and mutated MIDI files, and render on the crafted ones."""
    rng = random.Random(seed)
    files = {**crafted(), **midi_limits()}
    rendered = set(files)  # the crafted files are rendered too (a mutant may be hours long)
    bases = base_files(folder / "base")
    for index in range(count):
        data = mutate(rng.choice(bases), rng)
        if rng.random() < 0.2:  # a corrupt key signature somewhere in the first track
            at = data.find(b"MTrk") + 8
            data = data[:at] + b"\x00\xff\x59\x02" + bytes([rng.randrange(256)] * 2) + data[at:]
        files[f"mutant-{index}"] = data
    cases = []
    for name, data in files.items():
        source = folder / f"{name}.mid"
        source.write_bytes(data)
        out = folder / f"{name}-band.mid"
        cases.append(Case(f"accompany {name}", ["accompany", str(source), "-o", str(out)],
                          output=out))
        if name in rendered:
            wav = folder / f"{name}.wav"
            cases.append(Case(f"render {name}", ["render", str(source), "-o", str(wav)],
                              output=wav))
    return cases


def card_bytes(rng: random.Random, good: bytes) -> bytes:
    """A model card that is broken some way, or a mutated good one."""
    kind = rng.randrange(8)
    depth = rng.randrange(100, 40_000)
    return [lambda: mutate(good, rng), lambda: b"[1, 2]", lambda: b"[" * depth + b"]" * depth,
            lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096))),
            lambda: good[: rng.randrange(len(good))], lambda: b'{"a": "' + b"x" * 70_000 + b'"}',
            lambda: b'{"training": {"config": [1]}, "data": 3}', lambda: b"\xef\xbb\xbf" + good,
            ][kind]()


def card_cases(folder: Path, count: int, seed: int, shipped: Path) -> list[Case]:
    """read_card on broken cards, and on cards that are a FIFO, a device or a folder."""
    from coperformer.model.card import read_card

    rng = random.Random(seed)
    good = shipped.with_suffix(".json").read_bytes()
    cases = []
    for index in range(count):
        model = folder / f"card{index}.pt"
        model.with_suffix(".json").write_bytes(card_bytes(rng, good))
        cases.append(Case(f"card {index}", call=lambda m=model: read_card(m)))
    for name, make in (("fifo", os.mkfifo), ("folder", os.mkdir),
                       ("zero", lambda p: os.symlink("/dev/zero", p)),
                       ("urandom", lambda p: os.symlink("/dev/urandom", p))):
        model = folder / f"{name}.pt"
        if not os.path.lexists(model.with_suffix(".json")):  # built again after a crash
            make(model.with_suffix(".json"))
        cases.append(Case(f"card {name}", call=lambda m=model: read_card(m)))
    return cases


def model_cases(folder: Path, count: int, seed: int, shipped: Path) -> list[Case]:
    """accompany with model files that are broken, foreign, or not files, by name in the
    user's models folder (its shadowing too) and by path with --trust-model."""
    rng = random.Random(seed)
    melody, user = _melody(folder), Path(os.environ["COPERFORMER_MODELS"])
    user.mkdir(parents=True, exist_ok=True)
    good = shipped.read_bytes()
    cases = []
    specials = {"fifo": os.mkfifo, "folder": os.mkdir,
                "zero": lambda p: os.symlink("/dev/zero", p), "bach": None}
    for name, make in specials.items():
        path = user / f"{name}.pt"
        if make is None:
            path.write_bytes(good + b"\0")  # a user's file under a shipped style's name
        elif not os.path.lexists(path):  # built again after a crash
            make(path)
        out = folder / f"{name}-band.mid"
        cases.append(Case(f"model {name} by name", ["accompany", str(melody), "-o", str(out),
                                                    "--model", name], output=out))
    for index in range(count):
        path = folder / f"m{index}.pt"
        path.write_bytes(mutate(good, rng) if rng.random() < 0.7
                         else bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9999))))
        out = folder / f"m{index}-band.mid"
        cases.append(Case(f"model {index}", ["accompany", str(melody), "-o", str(out),
                                             "--model", str(path), "--trust-model"],
                          output=out))
    return cases


def npz_cases(folder: Path, count: int, seed: int, shipped_npz: Path) -> list[Case]:
    """The chord model's loader on mutated .npz files and on files claiming huge arrays."""
    from coperformer.model.store import load_reward_model

    rng = random.Random(seed)
    good = shipped_npz.read_bytes()
    cases = []
    for index in range(count):
        path = folder / f"w{index}.npz"
        data = mutate(good, rng)
        if rng.random() < 0.3:  # a header's shape made enormous
            at = data.find(b"'shape': (")
            if at >= 0:
                data = data[: at + 10] + str(10 ** rng.randrange(6, 12)).encode() + data[at + 10:]
        path.write_bytes(data)
        cases.append(Case(f"npz {index}", call=lambda p=path: load_reward_model(p)))
    return cases


def _journal_lines() -> list[str]:
    ns = 10**9
    lines = [{"t": "start", "band": [{"name": "Alto", "channel": 1, "program": 0}],
              "count_in": 0},
             {"t": "transport", "segments": [[0, ns, 100.0, "4/4"], [8, ns * 20, 140, "3/4"]]}]
    lines += [{"t": "band", "on": ns + i * ns // 4, "off": ns + (i + 1) * ns // 4, "ch": 1,
               "p": 60 + i % 12, "v": 80, "voice": 0} for i in range(60)]
    lines += [{"t": "player", "ns": ns + i * ns // 2, "msg": [0x90, 72, 90]} for i in range(8)]
    return [json.dumps(line) for line in lines]


def journal_lines(rng: random.Random) -> list[str]:
    """A journal with some lines broken: a BOM, nesting, a torn or altered tempo map, bytes."""
    lines = _journal_lines()
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(lines))
        line = lines[at]
        lines[at] = rng.choice([
            "\ufeff" + line, "[" * rng.randrange(10, 100_000), line[: rng.randrange(len(line))],
            line.replace("100.0", rng.choice(['"fast"', "-1", "1e400", "null"])),
            line.replace("4/4", rng.choice(["0/4", "4/3", "", "99/1"])),
            "".join(rng.choice("{}[]\":,0123456789abc") for _ in range(rng.randrange(80))),
        ])
    return lines


def journal_cases(folder: Path, count: int, seed: int) -> list[Case]:
    """recover on journals broken line by line."""
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        journal = folder / f"take{index}.mid.journal"
        journal.write_text("\n".join(journal_lines(rng)) + "\n", encoding="utf-8",
                           errors="surrogatepass")
        out = folder / f"take{index}.mid"
        cases.append(Case(f"journal {index}", ["recover", str(journal), "-o", str(out)],
                          output=out))
    return cases


NUMBERS = ["0", "-1", "1e400", "nan", "inf", "-inf", "1" * 5000, "10" * 40, "0x10", "", " ",
           "1.5", "99999999999999999999", "-0", "١٢"]


def args_cases(folder: Path, count: int, seed: int) -> list[Case]:
    """Commands with extreme numbers, names that are not UTF-8, /proc and device outputs."""
    rng = random.Random(seed)
    melody = _melody(folder)
    options = {"play": ["--count-in", "--tempo", "--margin-ms", "--seed", "--max-seconds",
                        "--adventure", "--period-size", "--sample-rate"],
               "accompany": ["--seed", "--adventure", "--melody-track"],
               "train": ["--batch", "--steps", "--critic-steps", "--checkpoint-every", "--seed"],
               "render": []}
    outputs = ["/proc/version", "/proc/self/status", "/dev/null", "/dev/full", str(folder),
               str(folder / NOT_UTF8 / "x.mid"), str(folder / f"{NOT_UTF8}.mid"), "/"]
    cases = []
    for index in range(count):
        command = rng.choice(sorted(options))
        out = rng.choice(outputs)
        if command == "play":
            argv = ["play", "--input", str(melody), "--max-seconds", "0.5", "--record", out]
        elif command == "train":
            argv = ["train", "--corpus", str(folder / "nothing"), "--out", out]
        else:
            argv = [command, str(melody), "-o", out]
        if options[command] and rng.random() < 0.8:
            argv += [rng.choice(options[command]), rng.choice(NUMBERS)]
        cases.append(Case(f"args {index}: {' '.join(argv)[:120]}", argv))
    return cases
