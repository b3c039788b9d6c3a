"""Following the left hand from the next beat, and a chord chart's changes on their beat.
With a split point or a chart the band's bars go to the sinks a beat ahead
(beat_handover.py), so when the left hand holds a new chord mid-bar the rest of the bar is
planned again from the next beat (the next eighth when beats are slow), and a chart's chord
change inside a bar is planned a margin before its beat: notes sounding across it end there,
the new ones follow (a mixin of Session; worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes
from coperformer.engine.beat_handover import BeatHandover
from coperformer.engine.clock import MS
from coperformer.engine.lookahead import beat_times
from coperformer.engine.session_config import SessionConfig
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.transport import Transport
from coperformer.music.chord_chart import ChordChart
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.listening import Chord

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


def beat_handover(config: SessionConfig) -> BeatHandover:
    """The bar handed to the sinks a beat at a time, each note a margin before it starts; a
    re-plan keeps the drums held."""
    return BeatHandover(round(config.margin_ms * MS), kept_channels=frozenset({DRUM_CHANNEL}))


class FollowsLeftHand:
    """For a session with ``handover`` (None without a split or a chart), ``charts`` (from
    which bar each chart plays, oldest first), ``left_hand``, ``config``, ``transport``,
    ``band``, ``sinks``, ``recorder``, ``listener``, ``tracks``, ``clock``, ``stats`` and
    ``next_bar``."""

    handover: BeatHandover | None
    charts: list[tuple[int, ChordChart | None]]

    def _hand_over(self, bar: int, notes: list[ScheduledNote]) -> list[ScheduledNote]:
        """The decided bar's notes that go to the sinks now: all of them without a split
        (recorded at once), else the first beat's (the bar before is recorded, final)."""
        if self.handover is None:
            if self.recorder:
                self.recorder.band(notes)
            return notes
        final, late = self.handover.hold(bar, notes)
        self._next_chart_change(bar, self.transport.bar_start_ns(bar))
        if self.recorder:
            self.recorder.band(final)
        return late + self.handover.due(self.clock.now_ns())

    def _follow(self, now_ns: int) -> None:
        """Re-plan the bar if the left hand asked for it, then hand over what is due."""
        handover = self.handover
        if handover is None:
            return
        if handover.replan_ns is not None and handover.replan_ns - handover.lead_ns <= now_ns:
            if handover.replan_ns > now_ns:
                self._replan(now_ns)
            else:  # the worker came too late for that beat: the next one the bar still has
                handover.replan_ns = None
                self._chord_changed(now_ns)
        if due := self.handover.due(now_ns):
            for sink in self.sinks:
                sink.schedule(due)

    def _chord_changed(self, now_ns: int) -> None:
        """The left hand holds a new chord: the bar being played follows it from its next
        beat (or part of a slow beat) that can still be reached (the next bar's decision
        takes it otherwise)."""
        handover = self.handover
        if handover is None or handover.bar is None:  # (bar 0 is a band bar only with a chart)
            return
        bar = handover.bar
        reachable = [t for t in follow_times(self.transport, bar)
                     if t - handover.lead_ns > now_ns]
        if reachable and reachable[0] < self.transport.bar_start_ns(bar + 1):
            handover.replan_ns = reachable[0]

    def _replan(self, now_ns: int) -> None:
        handover = self.handover
        at, bar, started = handover.replan_ns, handover.bar, self.clock.now_ns()
        voices = self.band.replan(self._request(bar, now_ns, at))
        self._time_replan(started, at)
        new = band_notes(self.transport, bar, voices, [t.channel for t in self.tracks])
        ended, kept = handover.replace_from(at, new)
        for note in ended:
            for sink in self.sinks:
                sink.end_at(note.channel, note.pitch, at)
        self._chord_decided(bar, at)
        self.listener.on_replanned(bar, at, tuple(kept), tuple(handover.held))
        self._next_chart_change(bar, at)

    def _chord_decided(self, bar: int, at_ns: int) -> None:
        """Show the band's chord for ``bar`` as decided, and mark it in the take from
        ``at_ns`` (its downbeat, or the beat a re-plan starts from)."""
        chord = self.band.chord
        if at_ns == self.transport.bar_start_ns(bar):  # (None: the band rests, nothing comes)
            self._chord_ahead(bar, chord and chord.name, False)
        if chord is None:
            return
        self.listener.on_chord(bar, chord.name, False)
        if self.recorder:
            self.recorder.chord(at_ns, chord.name)

    def _set_chart(self, chart: ChordChart | None) -> None:
        """Play ``chart`` from the next bar decided (None: the band plans again; a bar already
        decided keeps its chart); its changes inside bars need the bar handed over by beats,
        so that starts if it did not run. Nothing while a split point declares the chord."""
        if self.left_hand is not None:
            return
        self.charts.append((self.next_bar, chart))
        if chart is not None and self.handover is None:
            self.handover = beat_handover(self.config)

    def _chart_for(self, bar: int) -> ChordChart | None:
        """The chart ``bar`` plays (None: none)."""
        return [chart for first, chart in self.charts if first <= bar][-1]

    def _chart_chord(self, bar: int, at_ns: int) -> Chord | None:
        """The chart's chord sounding at ``at_ns`` in ``bar`` (None without a chart)."""
        chart = self._chart_for(bar)
        if chart is None:
            return None
        start, end = self.transport.bar_start_ns(bar), self.transport.bar_start_ns(bar + 1)
        return chart.chord_at(bar, max(0.0, (at_ns - start) / (end - start)),
                              self.transport.meter_at(bar))

    def _next_chart_change(self, bar: int, after_ns: int) -> None:
        """The bar being played is planned again on the chart's next chord change after
        ``after_ns`` (nothing without a chart, or when no change is left in the bar)."""
        chart = self._chart_for(bar)
        if chart is None or self.handover is None:
            return
        start, end = self.transport.bar_start_ns(bar), self.transport.bar_start_ns(bar + 1)
        changes = [start + round(share * (end - start))
                   for share, _ in chart.changes(bar, self.transport.meter_at(bar))]
        later = [at for at in changes if at > after_ns]
        if later:
            self.handover.replan_ns = later[0]

    def _time_replan(self, started_ns: int, beat_ns: int) -> None:
        """Count a re-plan: how long it took, how long before its beat it was done (a late
        one is counted: its first notes start late)."""
        done = self.clock.now_ns()
        self.stats.replan_ms.append((done - started_ns) / MS)
        self.stats.replan_margin_ms.append((beat_ns - done) / MS)
        self.stats.late_replans += done > beat_ns

    def _panic(self) -> None:
        """All notes off now, drums too; the band is silent until the next bar it plans,
        with a split as without, and the take holds that silence."""
        now = self.clock.now_ns()
        for sink in self.sinks:
            sink.all_notes_off()
        if self.handover is not None:  # and no re-plan brings it back before the next bar
            self.handover.cut(now)
        if self.recorder:
            self.recorder.cut(now, self.transport.bar_start_ns(self.next_bar))

    def _finish_hand_over(self) -> None:
        """The session stops: the notes played of the last bar go into the take."""
        if self.handover is not None and self.recorder:
            self.recorder.band(self.handover.finish())
