"""Planning the coming bar ahead: at the beats of the bar before it (engine/lookahead.py),
the band's likely next bar (chord and notes) is planned from what was heard so far and shown;
the decision point commits the real one (worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes
from coperformer.engine.clock import MS
from coperformer.engine.lookahead import Lookahead
from coperformer.engine.stage import Stage
from coperformer.engine.steering import Steering


class ProvisionalPlans:
    """The coming bar's provisional plans on ``stage``, one per beat of its lead-in, from what
    ``steering`` says the band hears."""

    def __init__(self, stage: Stage, steering: Steering) -> None:
        self.stage, self.steering = stage, steering
        self.lookahead = Lookahead()

    def due_ns(self, bar: int, decision_ns: int) -> int | None:
        """When ``bar``'s next provisional plan is due (None: none is left, or none are
        made)."""
        if not self.stage.config.previews:
            return None
        return self.lookahead.due_ns(self.stage.transport, bar, decision_ns)

    def plan(self, bar: int, decision_ns: int, ending_bar: int | None, now_ns: int) -> None:
        """``bar``'s provisional plan when a beat of its lead-in has come; none once its
        decision is due (a worker that fell behind decides at once instead), nor for the
        tune's final chord."""
        if self.stage.config.previews \
                and self.lookahead.take(self.stage.transport, bar, now_ns, decision_ns) \
                and now_ns < decision_ns and bar >= 1 \
                and (ending_bar is None or bar < ending_bar):
            self._provisional(bar)

    def _provisional(self, bar: int) -> None:
        """Tell what the band is likely to play in ``bar`` (chord and notes), from what was
        heard so far; the decision point commits it."""
        stage = self.stage
        started = stage.clock.now_ns()
        chord, voices = stage.band.provisional(self.steering.request(bar, started))
        stage.stats.plan_ms.append((stage.clock.now_ns() - started) / MS)
        if chord is not None:
            stage.listener.on_chord(bar, chord.name, True)
            stage.board.ahead(bar, chord.name, True)
        stage.listener.on_provisional(bar, tuple(band_notes(stage.transport, bar, voices,
                                                            stage.channels)))
