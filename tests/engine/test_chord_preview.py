"""The coming bar's chord is told a quarter note before the band decides it, then confirmed."""

from coperformer.common.paths import data_dir
from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.live_band import LiveBand
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import MemorySink
from coperformer.music.listening import HarmonyPlanner, RewardModel
from tests.engine.fakes import ChordGenerator
from tests.engine.test_session import NAMES, PROGRAMS, run_until
from tests.engine.test_session_api import Events


class Chords(Events):
    def on_chord(self, bar, name, provisional):
        self._add("chord", bar, name, provisional, self.clock.now_ns())


def test_the_chord_is_previewed_a_beat_ahead_then_decided():
    clock = VirtualClock()
    events = Chords()
    events.clock = clock
    planner = HarmonyPlanner(RewardModel.load(data_dir("models") / "listener.npz"))
    band = LiveBand(ChordGenerator(), planner=planner)
    session = Session(SessionConfig(bpm=120, count_in=0, metronome=False), band, [MemorySink()],
                      clock, NAMES, PROGRAMS, listener=events)
    session.start()
    bar_ns, quarter_ns = 2 * NS_PER_S, NS_PER_S // 2
    for step in range(4 * 8):  # C major arpeggio in eighths, four bars
        on = step * quarter_ns // 2
        pitch = (60, 64, 67, 72)[step % 4]
        run_until(session, clock, on)
        session.feed(InputEvent(on, NOTE_ON, pitch, 80))
        session.feed(InputEvent(on + quarter_ns // 2 - 1, NOTE_OFF, pitch))
    run_until(session, clock, 4 * bar_ns)
    chords = [item for item in events.seen if item[0] == "chord"]
    previews = {bar: (name, at) for _, bar, name, provisional, at, _ in chords if provisional}
    decided = {bar: (name, at) for _, bar, name, provisional, at, _ in chords if not provisional}
    assert set(previews) >= {2, 3} and set(decided) >= {1, 2, 3}
    for bar in (2, 3):
        margin = round(session.config.margin_ms * 1e6)
        assert previews[bar][1] == bar * bar_ns - margin - quarter_ns  # a quarter before
        assert decided[bar][1] >= bar * bar_ns - margin > previews[bar][1]
    assert all(name in {"C", "Am", "Em", "G", "F", "Dm"} or "/" in name
               for name, _ in decided.values())
    assert events.names().index("chord") < events.names().index("planned")
