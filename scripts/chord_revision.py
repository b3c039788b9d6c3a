"""Experiment (not kept in the app): revise the listening band's chord inside the bar from
the melody heard so far, as an HMM filter over the chord model: the bar's causal prior plus
``weight`` x the evidence of the steps heard, a new chord from the next part when it beats the
planned one by ``margin``. Declared chords only (no GAN), on the tuning collections and the
validation chorales (never the evaluation sets). Prints note-in-chord, root agreement (the
chorales' human chords) and chord changes per bar for each setting.

    .venv/bin/python scripts/chord_revision.py
"""

from __future__ import annotations

from choice_rows import setting_row

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.store import load_chord_model
from coperformer.music.chord_metrics import Declared
from coperformer.music.chord_model import forecast, heard_key, recalled
from coperformer.music.chords import transpose_chord
from coperformer.music.listening import MEMORY_BARS, HarmonyPlanner, declared

SETTINGS = [(None, 0.0, 2), (0.0, 0.15, 2), (0.0, 0.6, 2), (0.0, 1.0, 2), (0.0, 0.15, 4),
            (0.0, 0.6, 4), (1.0, 1.0, 4)]  # (margin or None: no revision, weight, parts a bar)


class PriorKeeper(HarmonyPlanner):
    """The planner, keeping the log-probabilities its last plan chose from."""

    def plan(self, recent, now, commit=True):
        """As HarmonyPlanner.plan; ``prior`` and ``tonic`` kept for the revision."""
        model, seen = self.model, {}
        original = model.log_probs
        model.log_probs = lambda features: seen.setdefault("scores", original(features))
        try:
            chord = super().plan(recent, now, commit)
        finally:
            model.log_probs = original
        if chord is not None:
            recent = recent[-MEMORY_BARS:]
            self.tonic = heard_key(recent, model.keys, self.key).key.tonic
            self.prior = seen["scores"] + forecast(model, recent, self.tonic, recalled(recent))
        return chord


def harmonized(model, grid, margin, weight, parts):
    """The chords the live planner declares over a tune, revised ``parts`` times a bar."""
    planner = PriorKeeper(model, 0.5, seed=0)
    out = Declared.empty(grid.steps)
    bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
    for bar in range(1, grid.bars):
        chord = planner.plan(bars[:bar], bar)
        if chord is None or chord.rests:
            continue
        span = grid.bar_slice(bar)
        steps = span.stop - span.start
        out.set(span, chord.root, chord.pitch_classes)
        if margin is None or steps % parts or steps // parts < 3:
            continue
        for part in range(1, parts):
            at = part * steps // parts
            posterior = planner.prior + weight * model.evidence(bars[bar][:at], planner.tonic)
            now = transpose_chord(planner.played[bar], -planner.tonic)
            best = int(posterior.argmax())
            if best != now and posterior[best] - posterior[now] > margin:
                planner.remember(bar, transpose_chord(best, planner.tonic))
                new = declared(planner.played[bar])
                out.set(slice(span.start + at, span.stop), new.root, new.pitch_classes)
    return out


def main() -> None:
    """Print one line per setting."""
    model = load_chord_model()
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorale_tunes()["validation"]]
    for margin, weight, parts in SETTINGS:
        row = setting_row(sets, lambda grid, m=margin, w=weight, p=parts:
                          harmonized(model, grid, m, w, p))
        print(f"margin {margin} weight {weight} parts {parts}: {row}", flush=True)


if __name__ == "__main__":
    main()
