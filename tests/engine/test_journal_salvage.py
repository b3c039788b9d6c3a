"""A journal is salvaged line by line, always: a bad tempo map, a byte-order mark or a line
nested too deep loses that line, never the take, and `recover` never crashes on it."""

import json

import mido
import pytest

from coperformer.cli.main import main
from coperformer.engine import journal as J
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.transport import Segment
from coperformer.music.meter import Meter

NS = 1_000_000_000
BAND_NOTES = 210


def _lines(tempo: dict) -> list[str]:
    start = {"t": "start", "band": [{"name": "Alto", "channel": 1, "program": 0}],
             "count_in": 0}
    notes = [J.band_record(ScheduledNote(NS + i * NS // 4, NS + (i + 1) * NS // 4, 1,
                                         60 + i % 12, 80, 0)) for i in range(BAND_NOTES)]
    player = [J.player_record(NS + i * NS // 2, (0x90, 72, 90)) for i in range(8)]
    return [json.dumps(line) for line in (start, tempo, *notes, *player)]


def _band_notes(path) -> int:
    return sum(1 for track in mido.MidiFile(path).tracks for message in track
               if message.type == "note_on" and message.velocity > 0 and message.channel == 1)


GOOD_TEMPO = J.tempo_record([Segment(0, NS, 100.0, Meter(4, 4))])
BROKEN = {
    "a bad segment in the tempo map": lambda: _lines(
        {"t": "transport", "segments": [[0, NS, 100.0, "4/4"], [4, NS, "fast", "4/4"]]}),
    "a torn tempo map": lambda: [line if '"transport"' not in line else line[:25]
                                 for line in _lines(GOOD_TEMPO)],
    "a byte-order mark": lambda: ["\ufeff" + line for line in _lines(GOOD_TEMPO)],
    "a line nested too deep": lambda: _lines(GOOD_TEMPO) + ["[" * 100_000 + "]" * 100_000],
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_journal_keeps_its_band_notes(kind, tmp_path, capsys):
    journal = tmp_path / "take.journal"
    journal.write_text("\n".join(BROKEN[kind]()) + "\n", encoding="utf-8")
    recording, _ = J.salvage_journal(journal)
    assert len(recording.notes) == BAND_NOTES and recording.segments
    out = tmp_path / "take.mid"
    assert main(["recover", str(journal), "-o", str(out)]) == 0, capsys.readouterr().err
    assert _band_notes(out) == BAND_NOTES
    assert "recovered" in capsys.readouterr().out
