"""Shared fixtures: the shipped model, a soundfont, small MIDI files, a private cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.midi_helpers import melody_notes, write_midi

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = ROOT / "models" / "bach.pt"
SECOND_STYLE = ROOT / "models" / "palestrina.pt"


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    """The trained model in models/ (it ships with the repo)."""
    assert SHIPPED_MODEL.exists(), "models/bach.pt must ship with the repository"
    return SHIPPED_MODEL


@pytest.fixture(scope="session")
def second_style() -> Path:
    """The second shipped style (Palestrina's masses)."""
    assert SECOND_STYLE.exists(), "models/palestrina.pt must ship with the repository"
    return SECOND_STYLE


@pytest.fixture(scope="session")
def band_model(shipped_model):
    """The shipped model loaded through the runtime."""
    from coperformer.model.runtime import BandModel

    model = BandModel(shipped_model)
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def soundfont() -> Path:
    """The GM soundfont the app would find."""
    from coperformer.synth.soundfont import find_soundfont

    return find_soundfont()


@pytest.fixture
def melody_file(tmp_path) -> Path:
    """A 12-bar 4/4 melody in one track."""
    track = {"name": "Lead", "channel": 0, "program": 0, "notes": melody_notes(12)}
    return write_midi(tmp_path / "melody.mid", [track], bpm=110)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Keep corpus caches of tests away from the user's cache (bach stays shared)."""
    shared = os.environ.get("COPERFORMER_CACHE")
    if not shared:
        monkeypatch.setenv("COPERFORMER_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(autouse=True)
def _private_user_folders(tmp_path, monkeypatch):
    """The user's models, soundfonts and recordings of each test live in its own folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


def pytest_addoption(parser):
    """`--long`: the fuzz suite runs thousands of cases instead of a few dozen."""
    parser.addoption("--long", action="store_true", help="long fuzz runs")
