"""Steering the band: what it hears of a bar (the player's notes, the chord the left hand holds
or the chart's), and the bar being played steered from the next beat. With a split point, a
chart, Follow mode or the listening band's chords decided beat by beat or at the half bar the
band's bars go to the sinks a beat ahead (beat_handover.py), so when the left hand
holds a new chord mid-bar the rest of the bar is planned again from the next beat (the next
eighth when beats are slow), and a chart's chord change inside a bar is planned a margin before
its beat: notes sounding across it end there, the new ones follow (worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes
from coperformer.engine.bar_request import BarRequest, bar_request
from coperformer.engine.beat_handover import BeatHandover
from coperformer.engine.clock import MS
from coperformer.engine.events import NOTE_ON, InputEvent
from coperformer.engine.left_hand import LeftHand
from coperformer.engine.lookahead import beat_times
from coperformer.engine.next_chord import NextChord
from coperformer.engine.session_config import SessionConfig
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stage import Stage
from coperformer.engine.transport import Transport
from coperformer.music.chord_chart import Chart
from coperformer.music.chord_model import bar_half
from coperformer.music.chord_type import Chord
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.listening import CHANGE_EVERY
from coperformer.music.meter import STEPS_PER_QUARTER, Meter

SLOW_BEAT_NS = 750 * MS  # a beat longer than this (a quarter below 80 BPM) is followed by parts


def follow_times(transport: Transport, bar: int) -> list[int]:
    """When a chord held mid-bar can take effect in ``bar``: its counted beats, and when a
    beat is slow, their parts too (eighths: halves of a simple beat, thirds of a compound
    one)."""
    beats = beat_times(transport, bar)
    bounds = [*beats, transport.bar_start_ns(bar + 1)]
    if bounds[1] - bounds[0] <= SLOW_BEAT_NS:
        return beats
    parts = 3 if transport.meter_at(bar).beat_steps % 3 == 0 else 2
    return [start + round(k * (end - start) / parts)
            for start, end in zip(beats, bounds[1:], strict=True) for k in range(parts)]


def next_change_step(meter: Meter, every: str, after: int) -> int | None:
    """The step of a bar after step ``after`` where the listening band decides its chord
    again: its next beat ("beat"), its half ("half", where the meter has one), or none."""
    if every == "beat":
        step = (after // meter.beat_steps + 1) * meter.beat_steps
        return step if step < meter.bar_steps else None
    half = bar_half(meter) if every == "half" else None
    return half if half is not None and half > after else None


def beat_handover(config: SessionConfig) -> BeatHandover:
    """The bar handed to the sinks a beat at a time, each note a margin before it starts; a
    re-plan keeps the drums held."""
    return BeatHandover(config.margin_ns, kept_channels=frozenset({DRUM_CHANNEL}))


class Charts:
    """Which chord chart plays from which bar (None: the band plans its own chords)."""

    def __init__(self, first_bar: int, chart: Chart | None) -> None:
        self.changes: list[tuple[int, Chart | None]] = [(first_bar, chart)]  # oldest first

    def add(self, from_bar: int, chart: Chart | None) -> None:
        """``chart`` plays from ``from_bar`` on."""
        self.changes.append((from_bar, chart))

    def for_bar(self, bar: int) -> Chart | None:
        """The chart ``bar`` plays (None: none)."""
        return [chart for first, chart in self.changes if first <= bar][-1]

    def chord_at(self, transport: Transport, bar: int, at_ns: int) -> Chord | None:
        """The chart's chord sounding at ``at_ns`` in ``bar`` (None without a chart)."""
        chart = self.for_bar(bar)
        if chart is None:
            return None
        start, end = transport.bar_start_ns(bar), transport.bar_start_ns(bar + 1)
        return chart.chord_at(bar, max(0.0, (at_ns - start) / (end - start)),
                              transport.meter_at(bar))

    def next_change_ns(self, transport: Transport, bar: int, after_ns: int) -> int | None:
        """When the chart's chord next changes inside ``bar`` after ``after_ns`` (None: no
        chart, or no change left in the bar)."""
        chart = self.for_bar(bar)
        if chart is None:
            return None
        start, end = transport.bar_start_ns(bar), transport.bar_start_ns(bar + 1)
        changes = [start + round(share * (end - start))
                   for share, _ in chart.changes(bar, transport.meter_at(bar))]
        return next((at for at in changes if at > after_ns), None)


class Steering:
    """The left hand (a split point) and the chord charts on ``stage``: what the band is told
    of each bar, and the bar being played handed over a beat at a time (``handover``, None
    while bars go out whole) and planned again from a beat when the chord changes."""

    def __init__(self, stage: Stage, first_bar: int) -> None:
        config = stage.config
        self.stage = stage
        self.left_hand = LeftHand(config.split) if config.split is not None else None
        self.charts = Charts(first_bar, config.chart)
        # with a split or a chart the bar goes out a beat at a time (it may be planned again
        # from a beat); in Follow mode too, each beat where the player's is predicted
        # the listening band may change chord at each beat or a bar's half (chords_every,
        # switched while playing by ``set_every``): that needs it too (it starts then)
        self.can_change = self.left_hand is None and stage.band.planner is not None \
            and stage.band.known is None
        self.every = CHANGE_EVERY[-1]
        self.deciding: tuple[int, int] | None = None  # the bar and step whose re-plan is the
        # band's own decision (a beat's or the half's)
        self.handover = None
        self.set_every(config.chords_every)
        if self.handover is None and (self.left_hand or config.chart or config.follow):
            self.handover = beat_handover(config)

    def request(self, bar: int, now_ns: int, at_ns: int | None = None) -> BarRequest:
        """What the band knows of ``bar`` at ``now_ns``; the chart's chord is the one sounding
        at ``at_ns`` (default: the bar's downbeat)."""
        transport = self.stage.transport
        at = transport.bar_start_ns(bar) if at_ns is None else at_ns
        return bar_request(transport, self.stage.buffer, self.left_hand, bar, now_ns,
                           self.charts.chord_at(transport, bar, at))

    def heard(self, event: InputEvent, next_bar: int) -> None:
        """A note the player played: the left hand may take a new chord, which the bar being
        played follows from its next beat (shown as the coming chord of ``next_bar``)."""
        stage = self.stage
        if self.left_hand and event.kind == NOTE_ON and (chord := self.left_hand.heard(
                stage.buffer)):
            stage.listener.on_chord(next_bar, chord.name, True)
            self._chord_changed(max(event.time_ns, stage.clock.now_ns()))

    def hand_over(self, bar: int, notes: list[ScheduledNote],
                  planned: bool = True) -> list[ScheduledNote]:
        """The decided bar's notes that go to the sinks now: all of them when bars go out
        whole (recorded at once), else the first beat's (the bar before is recorded, final);
        a bar the band ``planned`` (not a held chord) may change at its half."""
        stage = self.stage
        if self.handover is None:
            stage.record_band(notes)
            return notes
        final, late = self.handover.hold(bar, notes)
        self._next_chart_change(bar, stage.transport.bar_start_ns(bar))
        if planned:
            self._next_part(bar, 0)
        stage.record_band(final)
        return late + self.handover.due(stage.clock.now_ns())

    def follow(self, now_ns: int) -> None:
        """Re-plan the bar if the left hand or the chart asked for it, then hand over what is
        due."""
        handover = self.handover
        if handover is None:
            return
        if handover.replan_ns is not None and handover.replan_ns - handover.lead_ns <= now_ns:
            if handover.replan_ns > now_ns:
                self._replan(now_ns)
            elif self.deciding and self.deciding[0] == handover.bar:  # too late for that part:
                handover.replan_ns = None                # the chord goes on to the next one
                self._next_part(*self.deciding)
                self.stage.stats.late_replans += 1
            else:  # the worker came too late for that beat: the next one the bar still has
                handover.replan_ns = None
                self._chord_changed(now_ns)
        self.stage.schedule(handover.due(now_ns))

    def _chord_changed(self, now_ns: int) -> None:
        """The left hand holds a new chord: the bar being played follows it from its next
        beat (or part of a slow beat) that can still be reached (the next bar's decision
        takes it otherwise)."""
        handover, transport = self.handover, self.stage.transport
        if handover is None or handover.bar is None:  # (bar 0 is a band bar only with a chart)
            return
        bar = handover.bar
        reachable = [t for t in follow_times(transport, bar) if t - handover.lead_ns > now_ns]
        if reachable and reachable[0] < transport.bar_start_ns(bar + 1):
            handover.replan_ns = reachable[0]

    def _next_part(self, bar: int, after: int) -> None:
        """The listening band's ``bar`` is planned again at its next beat after step
        ``after`` (or at its half, where its meter allows one), from what was heard of it;
        not under a chart."""
        self.deciding = None
        transport = self.stage.transport
        step = next_change_step(transport.meter_at(bar), self.every, after)
        if step is None or self.charts.for_bar(bar) is not None:
            return
        self.handover.replan_ns = transport.ns_at_quarters(bar, step / STEPS_PER_QUARTER)
        self.deciding = (bar, step)

    def _replan(self, now_ns: int) -> None:
        stage, handover = self.stage, self.handover
        at, bar, started = handover.replan_ns, handover.bar, stage.clock.now_ns()
        request = self.request(bar, now_ns, at)
        part = self.deciding[1] if self.deciding and self.deciding[0] == bar else None
        plan = stage.band.replan(request) if part is None else \
            stage.band.from_step(request, part)
        if plan is None:  # the chord goes on to the next part
            handover.replan_ns = None
            self._next_part(bar, part)
            return
        self._time_replan(started, at)
        new = band_notes(stage.transport, bar, plan.voices, stage.channels)
        ended, kept = handover.replace_from(at, new)
        for note in ended:
            for sink in stage.sinks:
                sink.end_at(note.channel, note.pitch, at)
        self.chord_decided(bar, at, plan.chord)
        stage.listener.on_replanned(bar, at, tuple(kept), tuple(handover.held))
        self._next_chart_change(bar, at)
        if part is not None:
            self._next_part(bar, part)

    def chord_decided(self, bar: int, at_ns: int, chord: Chord | None) -> None:
        """Show the band's ``chord`` for ``bar`` as decided, and mark it in the take from
        ``at_ns`` (its downbeat, or the beat a re-plan starts from)."""
        stage = self.stage
        if at_ns == stage.transport.bar_start_ns(bar):  # (None: the band rests, nothing comes)
            stage.board.ahead(bar, chord and chord.name, False)
        if chord is None:
            return
        stage.listener.on_chord(bar, chord.name, False)
        if stage.recorder:
            stage.recorder.chord(at_ns, chord.name)

    def set_every(self, every: str) -> None:
        """How often the listening band may change chord (CHANGE_EVERY: each beat, a bar's
        half, once a bar): more often from the next bar, less at once (a part not decided yet
        keeps the chord sounding; worker thread)."""
        if every not in CHANGE_EVERY:
            raise ValueError(f"chords change every {' / '.join(CHANGE_EVERY)}, not {every}")
        self.every = every if self.can_change else CHANGE_EVERY[-1]
        if self.can_change:
            self.stage.band.planner.every = self.every
        if self.every != CHANGE_EVERY[-1] and self.handover is None:
            self.handover = beat_handover(self.stage.config)
        handover, deciding = self.handover, self.deciding
        if handover is not None and deciding and deciding[0] == handover.bar \
                and next_change_step(self.stage.transport.meter_at(deciding[0]), self.every,
                                     deciding[1] - 1) != deciding[1]:
            handover.replan_ns = self.deciding = None

    def set_chart(self, chart: Chart | None, next_bar: int) -> None:
        """Play ``chart`` from ``next_bar``, the next bar decided (None: the band plans again;
        a bar already decided keeps its chart); its changes inside bars need the bar handed
        over by beats, so that starts if it did not run. Nothing while a split point declares
        the chord."""
        if self.left_hand is not None:
            return
        self.charts.add(next_bar, chart)
        if chart is not None and self.handover is None:
            self.handover = beat_handover(self.stage.config)

    def next_chord(self, now_ns: int) -> NextChord | None:
        """The chord still to come inside the bar being played: the chart's next, or the chord
        the left hand just took (None: nothing changes before the next bar)."""
        handover, transport = self.handover, self.stage.transport
        if handover is None or handover.bar is None \
                or transport.bar_start_ns(handover.bar) > now_ns \
                or handover.replan_ns is None or handover.replan_ns <= now_ns:
            return None
        chord = self.charts.chord_at(transport, handover.bar, handover.replan_ns) or (
            self.left_hand and self.left_hand.chord)
        return None if chord is None else (chord.name, handover.replan_ns, True)

    def _next_chart_change(self, bar: int, after_ns: int) -> None:
        """The bar being played is planned again on the chart's next chord change after
        ``after_ns`` (nothing without a chart, or when no change is left in the bar)."""
        if self.handover is None:
            return
        at = self.charts.next_change_ns(self.stage.transport, bar, after_ns)
        if at is not None:
            self.handover.replan_ns = at

    def _time_replan(self, started_ns: int, beat_ns: int) -> None:
        """Count a re-plan: how long it took, how long before its beat it was done (a late
        one is counted: its first notes start late)."""
        stats, done = self.stage.stats, self.stage.clock.now_ns()
        stats.replan_ms.append((done - started_ns) / MS)
        stats.replan_margin_ms.append((beat_ns - done) / MS)
        stats.late_replans += done > beat_ns

    def panic(self, next_bar: int) -> None:
        """All notes off now, drums too; the band is silent until ``next_bar``, the next bar
        it plans, with a split as without, and the take holds that silence."""
        stage = self.stage
        now = stage.clock.now_ns()
        for sink in stage.sinks:
            sink.all_notes_off()
        if self.handover is not None:  # and no re-plan brings it back before the next bar
            self.handover.cut(now)
        if stage.recorder:
            stage.recorder.cut(now, stage.transport.bar_start_ns(next_bar))

    def finish(self) -> None:
        """The session stops: the notes played of the last bar go into the take."""
        if self.handover is not None and self.stage.recorder:
            self.stage.record_band(self.handover.finish())
