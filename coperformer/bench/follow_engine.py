"""`bench --follow`'s engine rows: the performances played into the real session in virtual time
(Follow mode, the listening band with the shipped GAN, a straight drum groove), and the band's
notes decided on beats timed against the performer's true beats. What the player hears, not a
model of the band: the bar handed over a beat at a time, each beat moved to the prediction."""

from __future__ import annotations

from collections import deque

from coperformer.bench.follow import Performance
from coperformer.engine.clock import MS, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.listener import QuietListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.runner import run_virtual
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, MemorySink, ScheduledNote
from coperformer.engine.transport import Transport
from coperformer.music.chord_model import ChordModel
from coperformer.music.features import BarGenerator
from coperformer.music.listening import HarmonyPlanner
from coperformer.music.meter import COMMON_TIME, SUPPORTED_METERS

FEEL = "straight"
START_LEAD_NS = 100 * MS
STALE_NS = 1000 * MS  # a decided note this long before a played one of its voice: never played
COUNT_IN_NOTE = (60, 90, 150 * MS)  # the key, velocity and length of the count-in's notes


def engine_beats(perf: Performance, generator: BarGenerator, chords: ChordModel,
                 follow: bool, seed: int = 0, guess: float | None = None
                 ) -> tuple[list[int], int | None]:
    """When the engine's band played its notes decided on beats (ns; a chord's once), and
    how often its tracker got lost (None at a fixed tempo): in Follow mode the player counts
    in (sync start, the performance's count-in played); at a fixed tempo (``follow`` false)
    the session starts at the performer's count-in tempo, one bar of count-in ending on the
    first beat; with a ``guess``: Follow mode with no count-in (sync start), the tune's first
    note starting bar 0, the tempo set that many times the player's."""
    meter = perf.meter if str(perf.meter) in SUPPORTED_METERS else COMMON_TIME
    period_ns = (perf.count_in[-1] - perf.count_in[0]) / max(1, len(perf.count_in) - 1)
    counted = follow and guess is None
    start_ns = perf.count_in[0] if counted else \
        perf.beats[0] - round(meter.beats_per_bar * period_ns)
    clock = VirtualClock(start_ns - START_LEAD_NS)
    band = LiveBand(generator, seed, HarmonyPlanner(chords, 0.5, seed=seed))
    beat_q = meter.bar_quarters / meter.beats_per_bar
    config = SessionConfig(bpm=60e9 * beat_q / period_ns * (guess or 1.0), meter=meter,
                           count_in=0 if guess else 1, sync_start=guess is not None or counted,
                           metronome=False, follow=follow, drums=FEEL, seed=seed,
                           chords_every="bar")  # timing only: each decided note is played once
    sink = MemorySink()
    tap = _Decided()
    session = Session(config, band, [sink], clock, generator.track_names, generator.programs,
                      None, tap)
    session.start(START_LEAD_NS)
    for when, kind, pitch, velocity in _events(perf, counted):
        run_virtual(session, clock, when)
        session.feed(InputEvent(when, kind, pitch, velocity,
                                raw=(0x90 if kind == NOTE_ON else 0x80, pitch, velocity)))
    run_virtual(session, clock, perf.beats[-1] + 2 * round(period_ns))
    session.stop()
    played = sorted(n for n in sink.scheduled if n.channel in BAND_CHANNELS)
    lost = session.follow.tempo.lost_events if session.follow else None
    return _on_beats(session.transport, sorted(tap.notes), played), lost


class _Decided(QuietListener):
    """Keeps the band's notes as decided (before Follow mode moves them)."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[tuple[ScheduledNote, int]] = []  # each with its bar

    def on_planned(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """Keep them (worker thread)."""
        self.notes.extend((note, bar) for note in notes)


def _events(perf: Performance, count_in: bool) -> list[tuple[int, str, int, int]]:
    """The performer's note-ons and note-offs in time order (``count_in``: its count-in's
    too)."""
    pitch, velocity, length = COUNT_IN_NOTE
    notes = perf.onsets + ([(on, pitch, velocity, on + length) for on in perf.count_in]
                           if count_in else [])
    events = [(on, NOTE_ON, pitch, velocity) for on, pitch, velocity, _ in notes]
    events += [(off, NOTE_OFF, pitch, 0) for _, pitch, _, off in notes]
    return sorted(events, key=lambda e: (e[0], e[1] == NOTE_ON))


def _on_beats(transport: Transport, decided: list[tuple[ScheduledNote, int]],
              played: list[ScheduledNote]) -> list[int]:
    """When the band's notes decided on a beat were played: each played note paired with the
    first decided one of the same voice not paired yet (a move keeps a voice's order; a
    decided note never played, such as the rest of a bar dropped at a fermata, is passed
    over: one decided more than ``STALE_NS`` before the note played), each decided one on its
    bar's grid (its segment's tempo, kept for every bar decided)."""
    waiting: dict[tuple[int, int, int], deque] = {}
    for plan, bar in decided:
        waiting.setdefault(_voice(plan), deque()).append((plan, bar))
    out = []
    for play in played:
        queue = waiting.get(_voice(play), deque())
        while queue and queue[0][0].on_ns < play.on_ns - STALE_NS:
            queue.popleft()
        if not queue:
            raise RuntimeError(f"played {play} but never decided it")
        plan, bar = queue.popleft()
        segment = transport.segment(bar)  # (the next bar may start elsewhere since)
        beats = (plan.on_ns - transport.bar_start_ns(bar)) * segment.meter.beats_per_bar \
            / segment.bar_ns
        if abs(beats - round(beats)) < 1e-3:
            out.append(play.on_ns)
    return sorted(set(out))  # a chord's notes: one beat


def _voice(note: ScheduledNote) -> tuple[int, int, int]:
    """What a move keeps of a note: its channel, pitch and voice."""
    return note.channel, note.pitch, note.voice
