"""The wheel is complete: built from the repository, installed into a fresh virtualenv outside
it, every command works from another folder (models, ui/ and soundfonts/ come with it)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import wave
from pathlib import Path

import mido
import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed; the test venv's packages on its path (no
    network): returns the virtualenv's folder."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(root / "dist")],
                   check=True, capture_output=True, timeout=600)
    wheel = next((root / "dist").glob("coperformer-*.whl"))
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    site = next(env_dir.glob("lib/python*/site-packages"))
    # the test venv's dependencies, after the new venv's own packages (the wheel's wins)
    (site / "zz_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"),
                    "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return env_dir


def _run(env_dir: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""}
    env.pop("COPERFORMER_MODELS", None)
    return subprocess.run([str(env_dir / "bin" / "coperformer"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_wheel_carries_models_ui_and_soundfonts(installed):
    share = installed / "share" / "coperformer"
    assert (share / "models" / "bach.pt").is_file() and (share / "models" / "bach.json").is_file()
    assert (share / "models" / "chords.npz").is_file()
    assert (share / "ui" / "style.qss").is_file()
    assert (share / "soundfonts" / "README.md").is_file()
    probe = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import coperformer, sys; print(coperformer.__file__)"],
                           cwd=installed, capture_output=True, text=True, check=True)
    assert str(installed) in probe.stdout and str(REPO) not in probe.stdout


def test_every_command_works_from_the_installed_wheel(installed, tmp_path, melody_file):
    out = tmp_path / "band.mid"
    result = _run(installed, ["accompany", str(melody_file), "-o", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(mido.MidiFile(out).tracks) >= 4
    wav = tmp_path / "band.wav"
    result = _run(installed, ["render", str(out), "-o", str(wav)], tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    with wave.open(str(wav)) as handle:
        assert handle.getnframes() > 0
    stats = tmp_path / "stats.json"
    result = _run(installed, ["play", "--input", str(melody_file), "--audio-driver", "none",
                              "--max-seconds", "5", "--stats", str(stats)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert stats.is_file()
    for args in (["devices"], ["recover", str(tmp_path / "none.journal")], ["--version"]):
        result = _run(installed, args, tmp_path)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert result.returncode in (0, 2), (args, result.stderr)


def test_the_installed_window_opens_and_gets_ready_to_play(installed, tmp_path):
    import json

    report = tmp_path / "startup.json"
    result = _run(installed, ["gui", "--startup-report", str(report), "--quit-after", "60"],
                  tmp_path)
    assert result.returncode == 0, result.stderr
    times = json.loads(report.read_text())
    assert 0 < times["shown_ns"] <= times["ready_ns"] <= times["runtime_ns"]
