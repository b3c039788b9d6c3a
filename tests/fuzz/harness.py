"""Runs one class of hostile cases in this process, one JSON line per case into a report:
how it ended (ok, error, traceback, unexpected, hang), its stderr, time and peak memory (the
peak is reset before each case, so it is that case's). A case that outlives CASE_LIMIT_S is
written down as a hang and the process ends; the caller starts again after it.

    python -m tests.fuzz.harness CLASS COUNT SEED FOLDER REPORT [FIRST]
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
import time
from pathlib import Path

CASE_LIMIT_S = 60.0  # a hang: the longest valid song takes about 10 s on an idle machine
ROOT = Path(__file__).resolve().parents[2]


def build(kind: str, count: int, seed: int, folder: Path) -> list:
    """The cases of one class, the same for the same arguments."""
    from tests.fuzz import generators as G

    shipped = ROOT / "models" / "bach.pt"
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "midi": lambda: G.midi_cases(folder, count, seed),
        "card": lambda: G.card_cases(folder, count, seed, shipped),
        "model": lambda: G.model_cases(folder, count, seed, shipped),
        "npz": lambda: G.npz_cases(folder, count, seed,
                                   next((ROOT / "models").glob("*.npz"))),
        "journal": lambda: G.journal_cases(folder, count, seed),
        "args": lambda: G.args_cases(folder, count, seed),
    }[kind]()


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _forget_models() -> None:
    import gc

    from coperformer.model import store

    store._LOADED.clear()
    gc.collect()


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run_case(case) -> dict:
    """How one case ended."""
    from coperformer.cli.main import main
    from coperformer.common.errors import CoperformerError

    err = io.StringIO()
    before = _status_mb("VmRSS")
    started = time.monotonic()
    code = None
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            if case.argv is not None:
                code = main(case.argv)
            else:
                case.call()
                code = 0
        except SystemExit as exc:  # refused while parsing the arguments
            code = exc.code
        except CoperformerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
        except Exception as exc:  # noqa: BLE001 - what the fuzz run counts as a failure
            print(f"Traceback (a library call): {type(exc).__name__}: {exc}", file=sys.stderr)
            code = 1
    text = err.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    return {"code": code, "kind": classify(code, lines, case.output), "lines": lines[-3:],
            "seconds": round(time.monotonic() - started, 3),
            "peak_mb": round(_status_mb("VmHWM"), 1),
            "grew_mb": round(_status_mb("VmHWM") - before, 1)}


def classify(code, lines: list[str], output) -> str:
    """ok, error (one named line), or what the suite must never see."""
    text = "\n".join(lines)
    if "Traceback" in text:
        return "traceback"
    if "unexpected" in text or code == 1:
        return "unexpected"
    if code == 0:
        return "ok" if output is None or (Path(output).exists()) else "no output"
    errors = [line for line in lines if "error" in line]
    return "error" if code == 2 and len(errors) == 1 else "not one line"


def main(argv: list[str]) -> None:
    """Run the cases from FIRST on, appending to REPORT."""
    kind, count, seed, folder, report = argv[:5]
    first = int(argv[5]) if len(argv) > 5 else 0
    cases = build(kind, int(count), int(seed), Path(folder))
    with open(report, "a", encoding="utf-8") as out:
        for index in range(first, len(cases)):
            case = cases[index]
            out.write(json.dumps({"i": index, "name": case.name, "started": True}) + "\n")
            out.flush()
            timer = threading.Timer(CASE_LIMIT_S, _hang, (out, index, case.name))
            timer.daemon = True
            timer.start()
            _forget_models()  # each case as in a fresh process: no model cached before it
            _reset_peak()
            result = run_case(case)
            timer.cancel()
            out.write(json.dumps({"i": index, "name": case.name, **result}) + "\n")
            out.flush()
        out.write(json.dumps({"done": len(cases)}) + "\n")
    sys.stdout.flush()
    os._exit(0)  # cases may leave threads of abandoned models behind


def _hang(out, index: int, name: str) -> None:
    out.write(json.dumps({"i": index, "name": name, "kind": "hang"}) + "\n")
    out.flush()
    os._exit(3)


if __name__ == "__main__":
    main(sys.argv[1:])
