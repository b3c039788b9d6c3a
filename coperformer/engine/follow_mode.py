"""Follow mode's steps in a session: each beat of the bar being played moved to the player's
predicted beat, each coming bar re-timed, the chord held through a fermata and while the beat
is lost, and a count-in the player plays (worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes, not_late
from coperformer.engine.chord_hold import CUT_OFF_NS, FermataHold, held_voices
from coperformer.engine.clock import NS_PER_S
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stage import Stage
from coperformer.engine.steering import Steering
from coperformer.engine.tempo_follow import EARLY_SHARE, TempoFollower
from coperformer.engine.transport import MAX_BPM, MIN_BPM


class FollowMe:
    """Follow mode on ``stage``: the tracker of the player's beat (``tempo``) steers the bar
    being played (handed over a beat at a time by ``steering``) and the coming bars; the
    chord is held through a fermata (``hold``)."""

    def __init__(self, stage: Stage, steering: Steering) -> None:
        self.stage, self.steering = stage, steering
        self.tempo = TempoFollower()
        self.hold = FermataHold(stage.sinks)  # the band's chord through a fermata

    @property
    def counts_in(self) -> bool:
        """Whether the player counts in with four beats or more (sync start); with no count-in
        (``count_in`` 0) the tune's first note starts bar 0 and the tempo is found from it."""
        config = self.stage.config
        return config.sync_start and config.count_in > 0

    def counted(self) -> tuple[int, int] | None:
        """The count-in the player plays: (beats played so far, beats it needs); None when
        the player does not count in."""
        if not self.counts_in:
            return None
        return len(self.tempo.count_in), self.stage.transport.meter_at(0).count_in_beats(
            self.stage.config.count_in)

    def start(self) -> None:
        """The transport started: the tracker starts on its grid."""
        config = self.stage.config
        self.tempo.start(self.stage.transport, config.sync_start and not self.counts_in)

    def heard(self, event) -> bool:
        """A note for the tracker; True when its state or confidence changed (to show)."""
        return self.tempo.heard(event)

    def lost(self, now_ns: int) -> bool:
        """Whether the tracker has lost the player's beat."""
        return self.tempo.lost(now_ns)

    def steer_beats(self, now_ns: int) -> None:
        """The held notes of the bar being played go where the player's beats are predicted."""
        if self.steering.handover:
            self.steering.handover.warp = self.tempo.warp(self.stage.transport, now_ns)

    def retime(self, next_bar: int, first: bool, now_ns: int) -> bool:
        """The coming bar (``first``: the band's first) re-timed to the player's predicted
        downbeat; True when the tempo map changed."""
        stage, transport = self.stage, self.stage.transport
        if not self.tempo.retime(transport, next_bar, now_ns, stage.config.margin_ns, first):
            return False
        self._end_early(next_bar)
        return True

    def _end_early(self, next_bar: int) -> None:
        """The coming bar now starts before the bar being played ends (the player's count of
        the bar moved back a beat): that bar ends there, its notes from then on dropped."""
        handover, transport = self.steering.handover, self.stage.transport
        if handover is None or handover.bar != next_bar - 1:
            return
        at = transport.bar_start_ns(next_bar)
        beat_ns = transport.segment(handover.bar).bar_ns / transport.meter_at(
            handover.bar).beats_per_bar
        end = transport.bar_start_ns(handover.bar) + transport.segment(handover.bar).bar_ns
        if at > end - EARLY_SHARE * beat_ns:
            return
        for note in handover.end_at(at, round(EARLY_SHARE * beat_ns)):
            for sink in self.stage.sinks:
                sink.end_at(note.channel, note.pitch, at)

    def first_bar_ns(self, next_bar: int, first: bool, now_ns: int) -> int | None:
        """When the band's first bar (``first``) must be re-timed onto a player faster than
        the transport (None: nothing to wait for)."""
        due = self.tempo.first_bar_ns(self.stage.transport, next_bar, now_ns,
                                      self.stage.config.margin_ns) if first else None
        return due if due is not None and due > now_ns else None

    def count_in(self, time_ns: int) -> int | None:
        """Sync start: the player counts in (the count-in's bars, four beats at least:
        ``Meter.count_in_beats``); when this note completes it, the tempo is set to the
        player's and bar 0 starts on the beat after it: when (None: the count-in goes on)."""
        transport = self.stage.transport
        meter = transport.meter_at(0)
        counted = self.tempo.counted_in(time_ns, meter, self.stage.config.count_in)
        if counted is None:
            return None
        bpm = 60 * NS_PER_S * meter.bar_quarters / meter.beats_per_bar / counted.period_ns
        transport.set_tempo(min(MAX_BPM, max(MIN_BPM, bpm)), time_ns)
        return counted.beat_time_ns(0)  # the beat after the count-in

    def let_go(self, now_ns: int) -> None:
        """The session stops: a chord held through a fermata ends now, into the take."""
        if self.hold.notes and self.stage.recorder:
            self.stage.record_band(self.hold.end(now_ns))

    def hold_fermata(self, next_bar: int, now_ns: int, finished: bool) -> bool:
        """In a fermata the band strikes nothing new and holds its chord; it lets go with the
        player's cut-off, or where the band comes back in. True when the tune ends now (sync
        stop: the chord let go with the player was the last)."""
        handover, transport = self.steering.handover, self.stage.transport
        if self.tempo.waiting and handover and handover.held:
            handover.pause()
        played = handover.handed + handover.held if handover else []
        ended = self.hold.update(self.tempo.waiting, played, next_bar, transport.bar_start_ns,
                                 now_ns, self._released_ns())
        self.stage.record_band(ended)
        stop_ns = self._sync_stop_ns(next_bar, finished)
        return stop_ns is not None and now_ns >= stop_ns

    def _sync_stop_ns(self, next_bar: int, finished: bool) -> int | None:
        """With sync stop, a bar of silence after the player's cut-off in a fermata ends the
        tune: when (None: it does not end so)."""
        released = self._released_ns()
        if not (self.stage.config.sync_stop and self.hold.cut_off) or finished \
                or released is None:
            return None
        return released + self.stage.transport.segment(next_bar).bar_ns

    def held_bar(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """The beat is lost: the band holds its chord for ``bar`` (and says so once), until
        the tracker finds the beat again; the bar's notes, to hand over."""
        stage, handover = self.stage, self.steering.handover
        if not self.tempo.said_lost:
            self.tempo.said_lost = True
            stage.listener.on_warning("Follow me lost your beat: the band holds its chord "
                                      "until it finds the beat again")
        voices = held_voices(handover.handed + handover.held,
                             stage.transport.meter_at(bar).bar_quarters)
        kept = not_late(band_notes(stage.transport, bar, voices, stage.channels), now_ns)
        stage.stats.held_bars += 1
        stage.listener.on_planned(bar, tuple(kept))
        return kept

    def _released_ns(self) -> int | None:
        """When the player let go of every key (None while one is down, or before a note)."""
        buffer = self.stage.buffer
        if buffer.held:
            return None
        return max((n.end_ns for n in buffer.latest(8) if n.end_ns is not None), default=None)

    def hold_ns(self, next_bar: int, finished: bool) -> int | None:
        """When a fermata's held chord may begin, end at the player's cut-off, or the tune
        end a bar after it with sync stop (None: nothing waits)."""
        handover = self.steering.handover
        if not self.tempo.waiting or handover is None:
            return None
        if self.hold.cut_off:
            return self._sync_stop_ns(next_bar, finished)
        released = self._released_ns()
        if released is not None:
            return released + CUT_OFF_NS
        return self.hold.starts_ns(handover.handed + handover.held)
