"""Follow mode: the player's onsets steer the transport through the beat tracker: each coming
bar is put where it predicts the downbeat, and each beat of the bar being played where it
predicts that beat (the warp); a played count-in sets the tempo. Every method belongs to the
session's worker thread."""

from __future__ import annotations

import math

from coperformer.engine.beat_handover import Warp
from coperformer.engine.clock import MS, NS_PER_S
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.transport import MAX_BPM, MIN_BPM, Transport
from coperformer.music.beat_tracker import (
    FERMATA,
    LOCKED,
    LOST,
    BeatEstimate,
    BeatTracker,
    TrackerParams,
)
from coperformer.music.meter import Meter

MOVE_NS = 2 * MS  # a bar moves only when its downbeat is this far off (keeps the journal small)
CHORD_NS = round(TrackerParams().chord_s * NS_PER_S)  # onsets this close are one (a chord)
SLOWEST_BEAT_NS = round(60 * NS_PER_S / MIN_BPM)  # a longer gap starts a count-in again
SETTLING_BARS = 3  # started on the first note, the tracker's tempo settles from the guess
# over the first bars: its period moves then, and that is no trend of the player's
MAX_WARP = 0.3  # a held note moves at most this much of a beat towards the predicted beat
EARLY_SHARE = 0.5  # a bar this much of a beat early or more: the bar before ends there


class TempoFollower:
    """Feeds the player's notes to a beat tracker and times the next bar on its prediction."""

    def __init__(self) -> None:
        self.tracker: BeatTracker | None = None
        self.beats_per_bar = 4
        self.beat_quarters = 1.0
        self.shift = 0  # the tracker's beat of a bar's downbeat, less bar * beats per bar
        self.trend_from_bar = 0  # the first bar whose tempo carries the period's trend
        self.waiting = False  # in a fermata: the band waits
        self.regaining = False  # the beat was lost: its count may have moved meanwhile
        self.count_in: list[int] = []  # the onsets of a count-in the player plays
        self.said_lost = False  # the player was told the beat is lost (until it is found)
        self.lost_events = 0  # how often a note found the tracker newly lost
        self._shown: tuple[str, float] | None = None  # the status last published

    def counted_in(self, time_ns: int, meter: Meter, bars: int = 1) -> BeatEstimate | None:
        """A note before the start, of a count-in the player plays (``bars`` whole bars, four
        beats at least: ``Meter.count_in_beats``; on any key; a chord's notes count once): the
        estimate once it is played, when the band starts on the next beat at the player's
        tempo (None before)."""
        if self.count_in and time_ns - self.count_in[-1] < CHORD_NS:
            return None
        if self.count_in and time_ns - self.count_in[-1] > SLOWEST_BEAT_NS:
            self.count_in = []  # too long a wait for a beat: the count-in starts again
        self.count_in.append(time_ns)
        if len(self.count_in) < meter.count_in_beats(bars):
            return None
        self.tracker = BeatTracker.from_count_in(self.count_in, meter)
        return self.tracker.estimate(time_ns)

    def start(self, transport: Transport, first_note: bool = False) -> None:
        """The transport started: the tracker starts on its tempo, beat 0 at bar 0 (or goes
        on from a count-in the player played); ``first_note``: bar 0 began with the player's
        first note and no count-in, so the tempo set is only a guess of the player's."""
        meter = transport.meter_at(0)
        self.trend_from_bar = SETTLING_BARS if first_note else 0
        self.beats_per_bar = meter.beats_per_bar
        self.beat_quarters = meter.bar_quarters / self.beats_per_bar
        if self.tracker is None:
            beat_bpm = transport.bpm_at(0) / self.beat_quarters
            start = BeatTracker.from_first_note if first_note else BeatTracker
            self.tracker = start(beat_bpm, transport.bar_start_ns(0), meter)

    def heard(self, event: InputEvent) -> bool:
        """A note of the player's (after the transport started); True when the status to
        show changed (the state, or the confidence by a tenth)."""
        if self.tracker is None:
            return False
        if event.kind == NOTE_ON and event.velocity > 0:
            self.tracker.onset(event.time_ns, event.pitch, event.velocity)
        elif event.kind in (NOTE_ON, NOTE_OFF):
            self.tracker.release(event.time_ns, event.pitch)
        status = self.status(event.time_ns)
        if status[0] != LOST:
            self.said_lost = False
        shown, self._shown = self._shown, status
        self.lost_events += status[0] == LOST and (shown is None or shown[0] != LOST)
        return shown is None or shown[0] != status[0] or abs(shown[1] - status[1]) >= 0.1

    def status(self, now_ns: int) -> tuple[str, float]:
        """The tracker's state and confidence (0..1) now."""
        estimate = self.estimate(now_ns)
        return (estimate.state, estimate.confidence) if estimate else (LOCKED, 0.0)

    def lost(self, now_ns: int) -> bool:
        """Has the tracker lost the player's beat?"""
        return self.status(now_ns)[0] == LOST

    def estimate(self, now_ns: int) -> BeatEstimate | None:
        """The tracker's estimate now (None before the start)."""
        return self.tracker.estimate(now_ns) if self.tracker else None

    def retime(self, transport: Transport, bar: int, now_ns: int, margin_ns: int,
               first: bool = False) -> bool:
        """Put ``bar`` (not decided yet) where the tracker expects its downbeat, at its tempo;
        True when the transport changed. In a fermata the band waits: the bar is put a beat
        later, again and again, until the player goes on; lost, it keeps its time, and once
        the beat is found again (its count moved meanwhile) it goes to the player's next bar
        line, as after a fermata.
        ``first``: the band's first bar (no band note before it), which may come earlier
        than the transport has it (a player faster than the tempo set). A bar predicted half
        a beat or more sooner (the player's count of the bar moved back) is moved as soon as
        it can be; the caller ends the bar being played there."""
        estimate = self.estimate(now_ns)
        if bar < 1 or estimate is None:
            return False
        if estimate.state == LOST:
            self.regaining = True
            return False
        waited, self.waiting = self.waiting, estimate.state == FERMATA
        if self.waiting:
            wait = now_ns + margin_ns + round(estimate.period_ns)
            if transport.bar_start_ns(bar) >= wait - margin_ns:
                return False
            transport.retime(bar, wait, transport.bpm_at(bar))
            return True
        if waited or self.regaining:  # picked up, or the beat found again: the band's next
            self.regaining = False  # bar starts at the player's next bar line
            coming = estimate.next_beat(now_ns + margin_ns + MS)
            self.shift = -(-coming // self.beats_per_bar) * self.beats_per_bar - \
                bar * self.beats_per_bar
        downbeat = self.downbeat_ns(estimate, bar)
        start = min(downbeat, transport.bar_start_ns(bar)) if first else \
            transport.bar_start_ns(bar)
        early = not first and transport.bar_start_ns(bar) - downbeat >= \
            EARLY_SHARE * estimate.period_ns  # the player's count of the bar moved back
        ahead = downbeat if early else start
        if ahead - margin_ns - now_ns > estimate.period_ns:
            return False  # timed in the last beat before its decision: a few changes a bar
        if downbeat < now_ns + margin_ns + MS:
            return False  # too late to move: the bar is decided where it stands
        bpm = min(MAX_BPM, max(MIN_BPM, self.bar_bpm(estimate, bar)))
        if abs(downbeat - transport.bar_start_ns(bar)) < MOVE_NS and \
                abs(bpm - transport.bpm_at(bar)) < 0.5:
            return False
        transport.retime(bar, downbeat, bpm)
        return True

    def bar_bpm(self, estimate: BeatEstimate, bar: int) -> float:
        """The tempo (quarters a minute) that takes ``bar`` from the tracker's predicted
        downbeat to the next one (its period's trend carried: a ritardando's bar is longer
        than its first beat; not while the tracker's tempo settles from a guess)."""
        if bar < self.trend_from_bar:
            return 60e9 * self.beat_quarters / estimate.period_ns
        first = bar * self.beats_per_bar + self.shift
        bar_ns = estimate.beat_time_ns(first + self.beats_per_bar) - estimate.beat_time_ns(first)
        return 60e9 * self.beat_quarters * self.beats_per_bar / bar_ns

    def downbeat_ns(self, estimate: BeatEstimate, bar: int) -> int:
        """When the tracker expects the player's downbeat of the band's ``bar``."""
        return estimate.beat_time_ns(bar * self.beats_per_bar + self.shift)

    def first_bar_ns(self, transport: Transport, bar: int, now_ns: int, margin_ns: int
                     ) -> int | None:
        """When the band's first bar must be timed where the player's downbeat comes before
        the transport's (a player faster than the tempo set): a beat before its decision
        there; None when it does not come earlier or nothing is tracked."""
        estimate = self.estimate(now_ns)
        if bar < 1 or estimate is None or estimate.state != LOCKED:
            return None
        downbeat = self.downbeat_ns(estimate, bar)
        if downbeat >= transport.bar_start_ns(bar):
            return None
        return downbeat - margin_ns - round(estimate.period_ns)

    def warp(self, transport: Transport, now_ns: int) -> Warp | None:
        """How a decided note's time in its bar moves to the player's beats as predicted now:
        each beat of the bar (on the grid it was decided on) goes where the tracker expects
        it, at most ``MAX_WARP`` of a beat away, times between beats in proportion; None
        while lost or in a fermata (notes play as decided)."""
        estimate = self.estimate(now_ns)
        if estimate is None or estimate.state in (LOST, FERMATA):
            return None
        per_bar, shift = self.beats_per_bar, self.shift

        def moved(bar: int, at_ns: int) -> int:
            beat_ns = transport.segment(bar).bar_ns / per_bar  # (the next bar may have moved)
            beats = (at_ns - transport.bar_start_ns(bar)) / beat_ns
            whole = math.floor(beats)
            downbeat = bar * per_bar + shift
            downbeat += round((transport.bar_start_ns(bar) - estimate.beat_time_ns(downbeat))
                              / beat_ns)  # the tracker counted the beats anew (its place in
            # the bar moved): the bar goes with the nearest of its beats, in one piece
            first = downbeat + whole
            here, there = estimate.beat_time_ns(first), estimate.beat_time_ns(first + 1)
            predicted = here + (beats - whole) * (there - here)
            reach = MAX_WARP * beat_ns
            return round(min(at_ns + reach, max(at_ns - reach, predicted)))
        return moved
