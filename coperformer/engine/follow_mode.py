"""Follow mode's steps in a session: each beat of the bar being played moved to the player's
predicted beat, each coming bar re-timed, the chord held through a fermata and while the beat
is lost, and a count-in the player plays (a mixin of Session, like the left hand's; worker
thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes, not_late
from coperformer.engine.beat_handover import BeatHandover
from coperformer.engine.chord_hold import CUT_OFF_NS, FermataHold, held_voices
from coperformer.engine.clock import MS, NS_PER_S
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.tempo_follow import TempoFollower
from coperformer.engine.transport import MAX_BPM, MIN_BPM


class FollowsTheTempo:
    """For a session with ``tempo`` (None outside Follow mode), ``hold``, ``handover``,
    ``buffer``, ``transport``, ``config``, ``listener``, ``recorder``, ``stats``, ``tracks``,
    ``next_bar``, ``finished``, ``_changed``, ``_hand_over`` and ``_start_transport``."""

    tempo: TempoFollower | None
    hold: FermataHold
    finished: bool
    handover: BeatHandover | None

    def _steer_beats(self, now_ns: int) -> None:
        """The held notes of the bar being played go where the player's beats are predicted."""
        if self.tempo and self.handover:
            self.handover.warp = self.tempo.warp(self.transport, now_ns)

    def _steer_bars(self, now_ns: int) -> None:
        """The coming bar is re-timed to the player's predicted downbeat; a fermata's chord
        is held or let go."""
        if self.tempo is None:
            return
        if self.tempo.retime(self.transport, self.next_bar, now_ns,
                             round(self.config.margin_ms * MS)):
            self._changed(self.next_bar)
        self._hold_fermata(now_ns)

    def _note_before_start(self, time_ns: int) -> None:
        """A note before the transport started (sync start): it starts bar 0, or in Follow
        mode it is part of the count-in the player plays."""
        if self.tempo and self.config.sync_start:
            self._played_count_in(time_ns)
        else:
            self._start_transport(time_ns)

    def _played_count_in(self, time_ns: int) -> None:
        """Follow mode with sync start: the player counts in with a bar of beats; bar 0
        starts on the beat after it, at the player's tempo."""
        meter = self.transport.meter_at(0)
        counted = self.tempo.counted_in(time_ns, meter)
        if counted is None:
            return
        bpm = 60 * NS_PER_S * meter.bar_quarters / meter.beats_per_bar / counted.period_ns
        self.transport.set_tempo(min(MAX_BPM, max(MIN_BPM, bpm)), time_ns)
        self._start_transport(counted.beat_time_ns(0))  # the beat after the count-in

    def _let_go(self, now_ns: int) -> None:
        """The session stops: a chord held through a fermata ends now, into the take."""
        if self.hold.notes and self.recorder:
            self.recorder.band(self.hold.end(now_ns))

    def _hold_fermata(self, now_ns: int) -> None:
        """In a fermata the band strikes nothing new and holds its chord; it lets go with the
        player's cut-off, or where the band comes back in."""
        if self.tempo.waiting and self.handover and self.handover.held:
            self.handover.pause()
        played = self.handover.handed + self.handover.held if self.handover else []
        ended = self.hold.update(self.tempo.waiting, played, self.next_bar,
                                 self.transport.bar_start_ns, now_ns, self._released_ns())
        if ended and self.recorder:
            self.recorder.band(ended)
        stop_ns = self._sync_stop_ns()
        if stop_ns is not None and now_ns >= stop_ns:
            self.finished = True  # sync stop: the chord let go with the player was the last
            self.listener.on_finished()

    def _sync_stop_ns(self) -> int | None:
        """With sync stop, a bar of silence after the player's cut-off in a fermata ends the
        tune: when (None: it does not end so)."""
        released = self._released_ns()
        if not (self.config.sync_stop and self.hold.cut_off) or self.finished or released is None:
            return None
        return released + self.transport.segment(self.next_bar).bar_ns

    def _held_bar(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """Follow mode lost the player's beat: the band holds its chord for the bar (and
        says so once), until the tracker finds the beat again."""
        if not self.tempo.said_lost:
            self.tempo.said_lost = True
            self.listener.on_warning("Follow me lost your beat: the band holds its chord "
                                     "until it finds the beat again")
        voices = held_voices(self.handover.handed + self.handover.held,
                             self.transport.meter_at(bar).bar_quarters)
        kept = not_late(band_notes(self.transport, bar, voices,
                                   [t.channel for t in self.tracks]), now_ns)
        self.stats.held_bars += 1
        self.listener.on_planned(bar, tuple(kept))
        return self._hand_over(bar, kept)

    def _released_ns(self) -> int | None:
        """When the player let go of every key (None while one is down, or before a note)."""
        if self.buffer.held:
            return None
        return max((n.end_ns for n in self.buffer.latest(8) if n.end_ns is not None),
                   default=None)

    def _hold_ns(self) -> int | None:
        """When a fermata's held chord may begin, end at the player's cut-off, or the tune
        end a bar after it with sync stop (None: nothing waits)."""
        if self.tempo is None or not self.tempo.waiting or self.handover is None:
            return None
        if self.hold.cut_off:
            return self._sync_stop_ns()
        released = self._released_ns()
        if released is not None:
            return released + CUT_OFF_NS
        return self.hold.starts_ns(self.handover.handed + self.handover.held)
