"""Ctrl-C at any moment of a command, start-up included, ends it within STOP_LIMIT_S, cleanly:
no traceback, no hang, a take saved or its journal kept. Each command starts the way a shell's
background job does (SIGINT ignored), so the handler must be installed by the command itself.
And a model that never answers is refused without aborting the process at exit."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.midi_helpers import melody_notes, write_midi
from tests.model.test_dataset import make_midi_corpus

STOP_LIMIT_S = 2.0  # the promise: every command ends within 2 s of the signal
# Started with SIGINT ignored, a process cannot see a signal before its own first line runs
# (the interpreter's start, about 50 ms idle): the moments begin at 0.2 s.
START_LIMIT_S = 60.0  # a jam's start-up (imports, model, synth) on the slowest host
PLAYED_S = 6.0  # after the banner: the count-in and two bars at 110 BPM (2.2 s a bar)
SCHEDULING_SLACK_S = 1.0  # a loaded CI machine's slack on top; a hang never fits in it
MOMENTS = {  # seconds after the start: start-up (imports, model, synth), then the work
    "play": (0.2, 0.3, 0.6, 1.0, 1.5, 3.0),
    "render": (0.2, 0.5, 1.0, 2.0, 2.5),
    "accompany": (0.2, 0.6, 1.2, 2.0, 3.0),
    "train": (0.3, 1.0, 2.5, 5.0),
}
CASES = [(command, moment) for command, moments in MOMENTS.items() for moment in moments]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signals")
    song = write_midi(folder / "tune.mid", [{"channel": 0, "notes": melody_notes(200)}],
                      bpm=110)
    return {"song": song, "corpus": make_midi_corpus(folder / "corpus", 8), "folder": folder}


def _argv(command: str, inputs: dict, out) -> list[str]:
    song = str(inputs["song"])
    return {
        "play": ["play", "--input", song, "--record", str(out / "take.mid")],
        "render": ["render", song, "-o", str(out / "song.wav")],
        "accompany": ["accompany", song, "-o", str(out / "band.mid")],
        "train": ["train", "--corpus", str(inputs["corpus"]), "--out", str(out / "m.pt"),
                  "--steps", "100000", "--batch", "8"],
    }[command]


def _start(argv: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coperformer", *argv], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))


def _env(tmp_path) -> dict:
    return {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}


@pytest.mark.parametrize("command,moment", CASES)
def test_ctrl_c_at_any_moment_ends_the_command_within_2_s(command, moment, inputs, tmp_path):
    process = _start(_argv(command, inputs, tmp_path), _env(tmp_path))
    time.sleep(moment)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_LIMIT_S + SCHEDULING_SLACK_S + 5)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{command} still ran 8 s after Ctrl-C at {moment} s")
    took = time.monotonic() - sent
    err = process.stderr.read()
    assert took < STOP_LIMIT_S + SCHEDULING_SLACK_S, f"{command} took {took:.2f} s to stop"
    assert "Traceback" not in err and "unexpected" not in err and "terminate called" not in err
    assert process.returncode in (0, 130, -signal.SIGINT), (process.returncode, err)
    if command == "play" and re.search(r"bars [1-9]", err):  # the jam had played: its take
        assert (tmp_path / "take.mid").exists() or (tmp_path / "take.mid.journal").exists()


def test_sigterm_during_a_render_ends_it_and_leaves_no_file(inputs, tmp_path):
    process = _start(_argv("render", inputs, tmp_path), _env(tmp_path))
    time.sleep(2.0)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(STOP_LIMIT_S + SCHEDULING_SLACK_S + 5)
    assert time.monotonic() - sent < STOP_LIMIT_S + SCHEDULING_SLACK_S
    assert not list(tmp_path.glob(".coperformer-*")), "a temp file was left behind"


@pytest.mark.parametrize("record", [True, False])
def test_ctrl_c_in_a_jam_with_wav_keeps_the_take_and_names_the_render(record, inputs,
                                                                      tmp_path):
    """The WAV is rendered from the take at the end, a second a minute of music or more: after
    Ctrl-C it is left to `coperformer render`, and the take it needs is kept (beside the WAV,
    over no file, when no take was asked for), so the command still ends within 2 s."""
    wav, take = tmp_path / "jam.wav", tmp_path / ("take.mid" if record else "jam-2.mid")
    (tmp_path / "jam.mid").write_bytes(b"the player's own file")  # never written over
    argv = ["play", "--input", str(inputs["song"]), "--wav", str(wav),
            *(["--record", str(take)] if record else [])]
    process = _start(argv, _env(tmp_path))
    said = _said_meanwhile(process)
    deadline = time.monotonic() + START_LIMIT_S  # the start-up: slow on a loaded host
    while not any(line.startswith("playing:") for line in said) and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(PLAYED_S)  # the count-in, then a bar or two played
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.wait(STOP_LIMIT_S + SCHEDULING_SLACK_S + 5)
    took = time.monotonic() - sent
    said.reader.join(5)
    err = "".join(said)
    assert took < STOP_LIMIT_S + SCHEDULING_SLACK_S, f"{took:.2f} s to stop"
    assert re.search(r"bars [1-9]", err), err
    assert take.exists() and not wav.exists(), err
    assert (tmp_path / "jam.mid").read_bytes() == b"the player's own file"
    assert f"coperformer render {take} -o {wav} makes it" in err, err
    render = subprocess.run([sys.executable, "-m", "coperformer", "render", str(take), "-o",
                             str(wav)], env=_env(tmp_path), capture_output=True, text=True,
                            timeout=120)
    assert render.returncode == 0 and wav.stat().st_size > 44_100, render.stderr


class _Lines(list):
    """A process's stderr lines as they come (read by ``reader``)."""

    reader: threading.Thread


def _said_meanwhile(process: subprocess.Popen) -> _Lines:
    """Read the process's stderr in a thread of its own, line by line, into a list."""
    said = _Lines()

    def read() -> None:
        for line in process.stderr:
            said.append(line)

    said.reader = threading.Thread(target=read, daemon=True)
    said.reader.start()
    return said


def _hanging_model(tmp_path, when: str):
    path = tmp_path / f"hang-{when}.pt"
    script = tmp_path / "make_hanging_model.py"  # TorchScript reads the class's source file
    script.write_text(HANGING_MODEL)
    subprocess.run([sys.executable, str(script), str(path), when], check=True)
    return path


@pytest.mark.parametrize("when,said", [
    ("always", "the model failed on a bar (TimeoutError: no answer within 1 s)"),  # warm-up
    ("metadata", "the model did not answer within 8 s"),  # its load hangs: the load's limit
    ("melody", "the model failed on a bar (TimeoutError: no answer within 1 s)"),  # later
])
def test_a_model_that_never_answers_is_refused_without_an_abort(when, said, inputs, tmp_path):
    hanging = _hanging_model(tmp_path, when)
    code = ("import sys; import coperformer.model.store as s; s.WARM_UP_LIMIT_S = 8; "
            "s.BAR_DEADLINE_S = 1; from coperformer.cli import run; "
            "sys.argv[0] = 'coperformer'; run()")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code, "accompany", str(inputs["song"]), "-o",
                           str(tmp_path / "band.mid"), "--model", str(hanging),
                           "--trust-model"], env=_env(tmp_path), capture_output=True,
                          text=True, timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"coperformer: error: {hanging}: {said}"


HANGING_MODEL = '''
import json, sys, torch
from coperformer.model.export import model_metadata
WHEN = sys.argv[2]
class Hang(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.meta = json.dumps(model_metadata())
        self.when = WHEN
    def forward(self, context, melody, meter, mode, profile, noise):
        total = torch.zeros(8, 8)
        i = 0
        if self.when == "always" or (self.when == "melody" and float(profile.sum()) > 0.0):
            while i >= 0:
                total = total + 1.0
                i += 1
        n = noise.shape[0]
        return torch.zeros(n, 3, 49, 16) + total.sum() * 0, torch.zeros(n, 3, 16)
    @torch.jit.export
    def metadata(self) -> str:
        i = 0
        if self.when == "metadata":
            while i >= 0:
                i += 1
        return self.meta
torch.jit.script(Hang()).save(sys.argv[1])
'''


STOP_IN_DEL = '''
import os, signal, time
from coperformer.common.stopping import catch_stop_signals
catch_stop_signals()
class Dies:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(100000):  # the handler runs here, where Python cannot raise
            pass
try:
    Dies()
    time.sleep(5)
    print("lost")
except KeyboardInterrupt:
    print("stopped")
'''


def test_a_stop_that_lands_where_python_cannot_raise_is_raised_again():
    """Ctrl-C while Python runs a __del__, a weakref callback (an import's lock) or an at-fork
    hook: the KeyboardInterrupt was printed there as ignored and lost, and the watchdog ended
    `train` 1.8 s later (a clean-clone run); now it reaches the main thread."""
    done = subprocess.run([sys.executable, "-c", STOP_IN_DEL], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout.strip() == "stopped", (done.stdout, done.stderr)
    assert "Exception ignored" not in done.stderr, done.stderr


SKIP_TEARDOWN = """
import atexit, sys
from coperformer.common.stopping import leave, skip_teardown
atexit.register(lambda: print("teardown ran"))
print("saved", end="")  # unflushed: leave() flushes it
skip_teardown()
sys.exit(leave(3))
"""


def test_a_closed_window_ends_its_process_without_the_interpreter_s_teardown():
    """Once the window closed (jam stopped, take and settings saved) the process ends without
    the interpreter's teardown, where a native thread winding down once aborted the window
    ("terminate called without an active exception", exit -6): the exit code and what was
    printed are kept; nothing runs after."""
    done = subprocess.run([sys.executable, "-c", SKIP_TEARDOWN], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "saved", done.stdout
    without = subprocess.run([sys.executable, "-c", SKIP_TEARDOWN.replace("skip_teardown()\n",
                                                                          "")],
                             capture_output=True, text=True, timeout=30)
    assert without.stdout == "savedteardown ran\n"  # the check can fail: teardown runs there
