"""Training a style from the player's own MIDI folder, in the window (real Qt offscreen, the
real `coperformer train` in a background process)."""

import json

from PySide6.QtCore import Qt

from coperformer.common.paths import user_models_dir
from coperformer.gui.train_dialog import progress_text
from tests.midi_helpers import melody_notes, write_midi
from tests.model.test_dataset import make_midi_corpus


def _folder(tmp_path):
    folder = make_midi_corpus(tmp_path / "my-midi", 4)
    (folder / "broken.mid").write_bytes(b"MThd garbage")
    write_midi(folder / "solo.mid", [{"channel": 0, "notes": melody_notes(4)}])
    return folder


def test_a_folder_is_checked_then_trained_into_a_new_style(window, qtbot, tmp_path):
    dialog = window.open_training()
    dialog.check_folder(_folder(tmp_path))
    assert dialog.report.text().startswith("4 usable of 6 MIDI files")
    reasons = [dialog.rejected.item(i).text() for i in range(dialog.rejected.count())]
    assert len(reasons) == 2 and reasons[0].startswith("broken.mid: ")
    assert reasons[1] == "solo.mid: no band voices beside the melody"
    dialog.name.setText("mine")
    dialog.steps.setValue(4)
    seen = []
    dialog.progress.valueChanged.connect(seen.append)
    dialog.start_training()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=180_000)
    assert dialog.status.text().startswith("done"), dialog.status.text()
    assert 25 in seen and seen[-1] == 100  # a bar that moved with every step
    assert dialog.cancel.text() == "Close"  # nothing left to cancel
    model = user_models_dir() / "mine.pt"
    assert model.is_file() and not model.with_suffix(".ckpt").exists()  # no 32 MB left over
    card = json.loads(model.with_suffix(".json").read_text())
    assert card["training"]["steps"] == 4 and card["data"]["pieces"]["train"] >= 2
    assert window.band.model.currentText() == "mine"  # listed and chosen, with its card
    tip = window.band.model.itemData(window.band.model.findText("mine"), Qt.ToolTipRole)
    assert "my-midi" in tip


def test_cancel_stops_the_training_and_adds_no_style(window, qtbot, tmp_path):
    dialog = window.open_training()
    dialog.check_folder(_folder(tmp_path))
    dialog.name.setText("never")
    dialog.steps.setValue(100_000)
    dialog.start_training()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0 or "step" in dialog.status.text(),
                    timeout=120_000)
    dialog.cancel_or_close()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=30_000)
    assert dialog.status.text() == "cancelled" and dialog.cancel.text() == "Close"
    assert not (user_models_dir() / "never.pt").exists()
    assert window.band.model.findText("never") < 0


def test_the_progress_line_says_step_losses_and_time_left():
    percent, text = progress_text({"step": 30, "steps": 120, "seconds": 60.0,
                                   "losses": {"W": 1.5, "rec": 2.25}})
    assert percent == 25
    assert text == "step 30/120  W 1.500  rec 2.250  about 3 min 00 s left"


def test_a_bad_style_name_is_refused_before_anything_starts(window, tmp_path):
    dialog = window.open_training()
    dialog.check_folder(_folder(tmp_path))
    dialog.name.setText("../escape")
    dialog.start_training()
    assert dialog.process is None and "style name" in dialog.status.text()
