"""Whether the band's model is fast enough to play live: measured again at every Play (the
model may have been measured in a busy moment, or on its numpy start before TorchScript took
over), as the median of several bars after a warm-up, on the measuring thread's CPU clock
(BandModel.measure_speed), and measured once more before a slow figure counts: one slow moment
never refuses a jam."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coperformer.model.runtime import BandModel

MARGIN_HINT = "a larger decision margin: --margin-ms, or Margin in the window's Sound panel"
MEASUREMENTS = 2  # a figure over half the margin is measured again; the lower median counts


def live_bar_ms(model: BandModel, margin_ms: float) -> float:
    """The model's live bar in ms, measured now; a figure over half the margin is measured
    again and the lower median kept (the owner's thread, before the jam's worker runs)."""
    bar_ms = model.measure_speed()
    for _ in range(MEASUREMENTS - 1):
        if bar_ms <= margin_ms / 2:
            break
        bar_ms = min(bar_ms, model.measure_speed())
    model.bar_ms = bar_ms
    return bar_ms


def judge_speed(model: BandModel, margin_ms: float) -> tuple[str | None, str | None]:
    """(why the jam is refused, or None; a warning, or None) for the model's speed measured
    now against the decision margin (the owner's thread)."""
    bar_ms = live_bar_ms(model, margin_ms)
    if bar_ms > margin_ms:
        return (f"the model takes {bar_ms:.0f} ms a bar, more than the {margin_ms:g} ms "
                f"decision margin: too slow to play live ({MARGIN_HINT}; or accompany it "
                "offline)"), None
    if bar_ms > margin_ms / 2:
        return None, (f"the model takes {bar_ms:.0f} ms a bar, close to the {margin_ms:g} ms "
                      f"decision margin: bars may come late ({MARGIN_HINT})")
    return None, None
