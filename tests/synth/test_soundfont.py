import pytest

from coperformer.synth.soundfont import SoundfontError, find_soundfont


def test_finds_a_system_soundfont():
    path = find_soundfont()
    assert path.suffix == ".sf2" and path.exists()


def test_explicit_choice_wins_and_is_checked(tmp_path, monkeypatch):
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"RIFF\0\0\0\0sfbk" + b"\0" * 20)
    assert find_soundfont(str(fake)) == fake
    monkeypatch.setenv("COPERFORMER_SOUNDFONT", str(fake))
    assert find_soundfont() == fake
    with pytest.raises(SoundfontError, match="not found"):
        find_soundfont(str(tmp_path / "missing.sf2"))
    junk = tmp_path / "junk.sf2"
    junk.write_text("not a soundfont")
    with pytest.raises(SoundfontError, match="not a SoundFont"):
        find_soundfont(str(junk))


def test_missing_everywhere_says_how_to_get_one(monkeypatch, tmp_path):
    import coperformer.synth.soundfont as sf

    monkeypatch.delenv("COPERFORMER_SOUNDFONT", raising=False)
    monkeypatch.setattr(sf, "SYSTEM_SOUNDFONTS", ())
    monkeypatch.setattr(sf, "soundfonts_dir", lambda: tmp_path)
    monkeypatch.setattr(sf, "user_soundfonts_dir", lambda: tmp_path)
    with pytest.raises(SoundfontError, match="apt install fluid-soundfont-gm"):
        find_soundfont()
