"""The hostile run's classes through the real code: MIDI files, model files and cards, .npz
weights, journals and arguments. Every case ends in a correct output or one named line:
0 tracebacks, 0 hangs, 0 "unexpected", and under 1 GB of peak memory for every input that is
refused. `pytest --long tests/fuzz/test_hostile.py -s` runs thousands and prints the counts.
"""

import collections
import json
import os
import subprocess
import sys

import pytest

from tests.fuzz.harness import ROOT

COUNTS = {"midi": (30, 3000), "card": (40, 2000), "model": (6, 300), "npz": (30, 1000),
          "journal": (30, 1000), "args": (30, 1000)}  # (a normal run, --long)
REJECTED_PEAK_MB = 1024
NEVER = ("traceback", "unexpected", "hang", "crash", "not one line", "no output")


def run_class(kind: str, count: int, tmp_path) -> list[dict]:
    """Every case's result; a harness that died on a case is started again after it."""
    report, folder = tmp_path / f"{kind}.jsonl", tmp_path / kind
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"),
           "COPERFORMER_MODELS": str(tmp_path / "user-models"), "PYTHONPATH": str(ROOT)}
    first, crashes = 0, {}
    while True:
        subprocess.run([sys.executable, "-m", "tests.fuzz.harness", kind, str(count), "20261202",
                        str(folder), str(report), str(first)], env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        lines = [json.loads(line) for line in report.read_text().splitlines()]
        begun = {line["i"]: line for line in lines if line.get("started")}
        ended = {line["i"]: line for line in lines if "i" in line and not line.get("started")}
        if any("done" in line for line in lines) or not begun or max(begun) < first:
            return [{**crashes, **ended}[i] for i in sorted({**crashes, **ended})]
        last = max(begun)  # the harness ended inside this case: a hang, or a crash
        if last not in ended:
            crashes[last] = {**begun[last], "kind": "crash"}
        first = last + 1


@pytest.mark.parametrize("kind", sorted(COUNTS))
def test_hostile_inputs_end_in_an_output_or_one_named_line(kind, tmp_path, request):
    count = COUNTS[kind][1 if request.config.getoption("--long") else 0]
    results = run_class(kind, count, tmp_path)
    tally = collections.Counter(result["kind"] for result in results)
    refused = [r for r in results if r["kind"] == "error"]
    worst = max((r["peak_mb"] for r in refused), default=0)
    grew = max((r["grew_mb"] for r in refused), default=0)
    print(f"\nfuzz {kind}: {len(results)} cases, {dict(tally)}; a refused input's peak: at "
          f"most {worst:.0f} MB (the process), {grew:.0f} MB above the process before it")
    bad = [r for r in results if r["kind"] in NEVER]
    assert not bad, bad[:5]
    assert worst < REJECTED_PEAK_MB
    if kind == "journal":  # salvaged line by line: every broken journal gives its take
        assert tally["ok"] == len(results), dict(tally)
    else:
        assert tally["error"] > 0
