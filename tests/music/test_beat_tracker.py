"""The online beat tracker on synthetic onsets: steady, drift, ritardando, fermata, lost."""

from __future__ import annotations

import random

import pytest

from coperformer.music.beat_tracker import FERMATA, LOCKED, LOST, BeatTracker, TrackerParams
from coperformer.music.meter import Meter
from coperformer.music.pulse_change import PulseParams
from coperformer.music.tempo_modes import ModeParams

MS = 1_000_000
NS_S = 1000 * MS
LAGS = ("issue 20: the second and third beats of a steep final ritardando (40 % in 8 beats) "
        "are predicted 44-78 ms early (seeds 4-9); the first slower onset is only 25 ms late, "
        "within the 10 ms jitter's reach. A Kalman filter that knows every note's place does "
        "no better with one setting: 42-74 ms where its steady beats stay within 25-35 ms, "
        "30-75 ms where they go 36-46 ms off (scripts/follow_kalman_floor.py)")


def _beats(periods_ms: list[float], start_ms: float = 1000.0) -> list[int]:
    """Beat times (ns) from a list of inter-beat periods."""
    out, t = [], start_ms
    for period in periods_ms:
        out.append(round(t * MS))
        t += period
    return out


def _play(tracker: BeatTracker, beats: list[int], rng: random.Random, jitter_ms: float = 10.0,
          eighths: bool = True) -> list[float]:
    """Quarter notes on the beats (held), eighths between (softer); returns the error (ms) of
    each beat's prediction made half a beat before it."""
    errors = []
    for index, beat in enumerate(beats[:-1]):
        gap = beats[index + 1] - beat
        on = beat + round(rng.gauss(0, jitter_ms) * MS)
        tracker.onset(on, 60, 90)
        tracker.release(on + gap // 3, 60)
        if eighths:
            mid = beat + gap * 2 // 3 + round(rng.gauss(0, jitter_ms) * MS)  # swung
            tracker.onset(mid, 62, 60)
            tracker.release(mid + gap // 4, 62)
        ahead = beats[index + 1] - gap // 2
        estimate = tracker.estimate(ahead)
        predicted = estimate.beat_time_ns(estimate.next_beat(ahead))
        errors.append(abs(predicted - beats[index + 1]) / MS)
    return errors


def _tracker(period_ms: float, first_beat_ns: int) -> BeatTracker:
    return BeatTracker(60_000 / period_ms, first_beat_ns)


def test_steady_tempo_is_tight():
    beats = _beats([500.0] * 40)
    errors = _play(_tracker(500.0, beats[0]), beats, random.Random(1))
    assert max(errors[4:]) < 25.0


def test_gradual_drift_of_25_percent_is_followed():
    periods = [500.0 * (1 + 0.25 * k / 48) for k in range(64)]  # slows by 25 % over 48 beats
    beats = _beats(periods)
    tracker = _tracker(500.0, beats[0])
    errors = _play(tracker, beats, random.Random(2))
    assert max(errors[4:]) < 40.0
    assert tracker.estimate(beats[-1]).period_ns / MS == pytest.approx(periods[-1], rel=0.05)


def test_speeding_up_by_25_percent_is_followed():
    beats = _beats([500.0 / (1 + 0.25 * min(k, 40) / 40) for k in range(56)])
    errors = _play(_tracker(500.0, beats[0]), beats, random.Random(3))
    assert max(errors[4:]) < 40.0


def test_a_fixed_tempo_would_drift_away():
    """The same drift against a tracker that never hears the player: the test can fail."""
    periods = [500.0 * (1 + 0.25 * k / 48) for k in range(64)]
    beats = _beats(periods)
    fixed = [abs(beats[0] + k * 500 * MS - b) / MS for k, b in enumerate(beats)]
    assert max(fixed) > 200.0


@pytest.mark.xfail(strict=True, reason=LAGS)
def test_ritardando_is_followed_to_the_end():
    periods = [500.0] * 16 + [500.0 * (1 + 0.05 * k) for k in range(1, 9)]  # 40 % slower
    beats = _beats(periods)
    errors = _play(_tracker(500.0, beats[0]), beats, random.Random(4), eighths=False)
    assert max(errors[-6:]) < 60.0


def test_a_chord_counts_once_and_between_beats_do_not_drag():
    beats = _beats([500.0] * 20)
    tracker = _tracker(500.0, beats[0])
    for beat in beats:
        for spread in (0, 8, 16):  # a rolled chord on each beat
            tracker.onset(beat + spread * MS, 60 + spread, 80)
        tracker.onset(beat + 230 * MS, 72, 110)  # a loud off-beat note, nearly halfway
        tracker.release(beat + 400 * MS, 60)
    estimate = tracker.estimate(beats[-1])
    assert estimate.period_ns / MS == pytest.approx(500.0, abs=4.0)
    assert abs(estimate.beat_time_ns(estimate.next_beat(beats[-1] - 10 * MS)) - beats[-1]) \
        < 10 * MS


def test_lock_is_kept_through_a_bar_of_rest():
    beats = _beats([520.0] * 30)
    tracker = _tracker(520.0, beats[0])
    rng = random.Random(5)
    _play(tracker, beats[:12], rng)
    assert tracker.estimate(beats[16]).state == LOCKED  # nothing played: no key held
    errors = _play(tracker, beats[16:], rng)
    assert max(errors) < 30.0


def test_fermata_is_recognized_and_relocked():
    beats = _beats([500.0] * 17)
    tracker = _tracker(500.0, beats[0])
    rng = random.Random(6)
    _play(tracker, beats, rng)
    held_from = beats[-1]
    tracker.onset(held_from, 67, 90)  # held ... and held
    assert tracker.estimate(held_from + 1000 * MS).state == LOCKED  # a half note is no fermata
    assert tracker.estimate(held_from + 3000 * MS).state == FERMATA
    resume = held_from + 3300 * MS
    tracker.release(resume - 50 * MS, 67)
    after = [resume + k * 480 * MS for k in range(12)]
    errors = _play(tracker, after, rng)
    assert tracker.estimate(after[-1]).state == LOCKED
    assert max(errors[2:]) < 30.0


@pytest.mark.parametrize("chord_accent", [2.0, 1.0])
def test_chords_on_the_downbeats_put_the_count_right_after_a_fermata(chord_accent):
    """Back from a fermata on the held half note's beat 3, where the tracker takes the next
    beat (beat 2): the player's chords on the downbeats put its count of the bar right by the
    second downbeat; a chord counted no louder than a note (``chord_accent`` 1) leaves it a
    beat off."""
    rng = random.Random(6)
    tracker = BeatTracker(120.0, 1000 * MS, params=TrackerParams(chord_accent=chord_accent))

    def strike(on: int, beat: int) -> None:
        on += round(rng.gauss(0, 10) * MS)
        pitches = (67, 60) if beat % 4 == 0 else (67,)  # a chord on each downbeat
        for offset, pitch in enumerate(pitches):
            tracker.onset(on + offset * 8 * MS, pitch, 80 - 10 * offset)
        for pitch in pitches:
            tracker.release(on + 300 * MS, pitch)

    for beat in range(16):
        strike(1000 * MS + beat * 500 * MS, beat)
    held = 9000 * MS  # beat 16, a downbeat: a half note held on
    tracker.onset(held, 72, 80)
    tracker.onset(held + 8 * MS, 64, 70)
    resume = held + 2600 * MS  # beat 18
    tracker.release(resume - 60 * MS, 72)
    tracker.release(resume - 60 * MS, 64)
    off = []
    for k in range(10):
        strike(resume + k * 500 * MS, 18 + k)
        off.append((tracker.beat_count - 18 - k) % 4)
    assert round(off[0]) == 3  # the next beat taken at first
    right = [round(o) % 4 == 0 for o in off[6:]]  # from the second downbeat after it on
    assert all(right) if chord_accent > 1 else not any(right), off


@pytest.mark.parametrize("guess", [0.87, 1.15])
def test_an_oom_pah_left_hand_s_chords_between_beats_do_not_take_the_beat(guess):
    """A bass note alone on each beat, a three-note chord on each "and": the chords count
    louder (``chord_accent``) but the beat stays on the bass notes, from a first note at a
    tempo 13-15 % off."""
    rng = random.Random(1)
    tracker = BeatTracker.from_first_note(120.0 * guess, 1000 * MS)
    for beat in range(40):
        on = 1000 * MS + beat * 500 * MS + round(rng.gauss(0, 10) * MS)
        tracker.onset(on, 40, 80)
        tracker.release(on + 200 * MS, 40)
        chord = on + 250 * MS + round(rng.gauss(0, 10) * MS)
        for index, pitch in enumerate((55, 59, 62)):
            tracker.onset(chord + index * 6 * MS, pitch, 70)
        for pitch in (55, 59, 62):
            tracker.release(chord + 200 * MS, pitch)
        if beat >= 8:
            assert abs(tracker.beat_count - beat - 0.5) < 0.1  # the chord on the "and"
    estimate = tracker.estimate(21_000 * MS)
    assert estimate.period_ns / MS == pytest.approx(500.0, abs=5.0)


@pytest.mark.parametrize("off_beat", [0.3, 0.0])
def test_a_pick_up_eighth_after_a_fermata_is_heard_between_beats(off_beat):
    """After the fermata the player comes back with a swung eighth before the beat: within a
    few beats the beats after it are predicted on the beats, not a third of a beat off (as a
    tracker that takes every onset after a fermata for a beat, ``off_beat`` 0, keeps them)."""
    beats = _beats([500.0] * 17)
    tracker = BeatTracker(120.0, beats[0], params=TrackerParams(resume_off_beat=off_beat))
    rng = random.Random(6)
    _play(tracker, beats, rng)
    held_from = beats[-1]
    tracker.onset(held_from, 67, 90)
    resume = held_from + 3300 * MS  # the next beat after the pick-up
    tracker.release(resume - 200 * MS, 67)
    tracker.onset(resume - 160 * MS, 65, 70)  # the pick-up, two thirds into the beat before
    tracker.release(resume - 20 * MS, 65)
    errors = _play(tracker, [resume + k * 480 * MS for k in range(10)], rng)
    if off_beat:
        assert max(errors[6:]) < 30.0, errors  # (the accents and eighths of six beats tell)
    else:
        assert min(errors) > 100.0, errors


@pytest.mark.parametrize("pulse", [PulseParams(), None])
def test_lost_when_the_beat_goes_and_regained(pulse):
    """A sudden new tempo, 35 % faster, in quarter notes: within six of them the tracker
    says it lost the beat, starts again on the new pulse and predicts its beats; with no
    ear for a new pulse (``pulse`` None) it follows slowly and never says so."""
    beats = _beats([500.0] * 16)
    tracker = BeatTracker(120.0, beats[0], params=TrackerParams(pulse=pulse))
    rng = random.Random(7)
    _play(tracker, beats, rng, eighths=False)
    start = beats[-1] + 500 * MS
    jumped = [start + k * 370 * MS for k in range(24)]
    states, errors = [], []
    for index, beat in enumerate(jumped[:-1]):
        on = beat + round(rng.gauss(0, 10) * MS)
        tracker.onset(on, 60, 90)
        tracker.release(on + 100 * MS, 60)
        states.append(tracker.estimate(on + 1 * MS).state)
        ahead = jumped[index + 1] - 185 * MS
        estimate = tracker.estimate(ahead)
        errors.append(abs(estimate.beat_time_ns(estimate.next_beat(ahead)) - jumped[index + 1])
                      / MS)
    if pulse is None:
        assert LOST not in states and max(errors[6:12]) > 100.0, (states, errors)
        return
    assert LOST in states[:6]
    assert states[-1] == LOCKED
    assert max(errors[10:]) < 30.0, errors
    estimate = tracker.estimate(jumped[-2] + 10 * MS)
    assert estimate.period_ns / MS == pytest.approx(370.0, rel=0.03)
    assert estimate.confidence > 0


def test_a_new_pulse_in_eighths_is_found_on_its_louder_notes_beats():
    """A jump to 0.8 of the period played in eighths, the first of each pair louder: once the
    new pulse is heard, the beats predicted are the louder notes', not the eighths between
    them (six seeds; taking the latest note for a beat left half of them half a beat off)."""
    for seed in range(6):
        rng = random.Random(seed)
        tracker = BeatTracker(120.0, 1000 * MS)
        for beat in range(16):
            on = 1000 * MS + beat * 500 * MS + round(rng.gauss(0, 10) * MS)
            tracker.onset(on, 60, 90 if beat % 4 == 0 else 75)
            tracker.release(on + 250 * MS, 60)
        period, start, errors, states = 400 * MS, 9000 * MS, [], []
        for beat in range(24):
            true = start + beat * period
            if beat >= 12:
                ahead = true - period // 2
                estimate = tracker.estimate(ahead)
                errors.append(abs(estimate.beat_time_ns(estimate.next_beat(ahead)) - true) / MS)
            for half in range(2):
                on = true + half * period // 2 + round(rng.gauss(0, 10) * MS)
                tracker.onset(on, 60, 70 if half else 90)
                tracker.release(on + period // 4, 60)
                states.append(tracker.estimate(on + MS).state)
        assert LOST in states and sorted(errors)[len(errors) // 2] < 30.0, (seed, errors)


@pytest.mark.parametrize("off_by", [0.94, 1.0, 1.06])
def test_a_hemiola_s_even_notes_are_no_new_pulse(off_by):
    """In 6/8, quarter notes across the beats (two thirds of a dotted-quarter beat each, a
    hemiola), jittered 20 ms, with the tracker's tempo up to 6 % off the player's: an even
    run of notes off the beats, but at a simple share of the beat: no new pulse, never lost."""
    rng = random.Random(3)
    beat_ms = 600.0
    tracker = BeatTracker(60_000 / (beat_ms * off_by), 1000 * MS, Meter.parse("6/8"))
    t, states = 1000.0, []
    for pair in range(12):  # two bars of 6/8, every third pair a hemiola across them
        hemiola = pair % 3 == 2
        steps = [0, 2, 4, 6, 8, 10] if hemiola else [0, 3, 4, 5, 6, 9]  # eighths in the pair
        for step in steps:
            on = round((t + step * beat_ms / 3 + rng.gauss(0, 20)) * MS)
            tracker.onset(on, 60, 90 if step == 0 else 70)
            tracker.release(on + 150 * MS, 60)
            states.append(tracker.estimate(on + MS).state)
        t += 4 * beat_ms
    assert LOST not in states


def test_count_in_from_four_played_quarters():
    tracker = BeatTracker.from_count_in([0, 600 * MS, 1190 * MS, 1800 * MS])
    estimate = tracker.estimate(1800 * MS)
    assert estimate.period_ns / MS == pytest.approx(600.0, abs=11)
    assert estimate.next_beat(1801 * MS) == 0  # bar 0's downbeat follows the count-in
    with pytest.raises(ValueError, match="two onsets"):
        BeatTracker.from_count_in([5])


def test_predictions_only_move_forward_whatever_the_trend():
    from coperformer.music.beat_tracker import BeatEstimate

    for trend in (-400 * MS, -30 * MS, 0.0, 30 * MS, 400 * MS):
        estimate = BeatEstimate(0, 0, 500 * MS, 1.0, LOCKED, trend)
        times = [estimate.beat_time_ns(b) for b in range(-3, 40)]
        assert all(b > a for a, b in zip(times, times[1:], strict=False))
        now = 5 * NS_S + 1
        beat = estimate.next_beat(now)
        assert estimate.beat_time_ns(beat - 1) < now <= estimate.beat_time_ns(beat)


def test_lost_in_notes_without_a_pulse_and_regained_on_a_new_one():
    beats = _beats([500.0] * 16)
    tracker = _tracker(500.0, beats[0])
    rng = random.Random(8)
    _play(tracker, beats, rng, eighths=False)
    t, states = beats[-1], []
    for _ in range(16):  # notes with no pulse at all
        t += round(rng.uniform(130, 420) * MS)
        tracker.onset(t, 60, 80)
        tracker.release(t + 60 * MS, 60)
        states.append(tracker.estimate(t + MS).state)
    assert LOST in states
    for _ in range(12):  # a steady pulse again, at a new tempo
        t += 370 * MS
        tracker.onset(t, 60, 90)
        tracker.release(t + 100 * MS, 60)
    estimate = tracker.estimate(t + MS)
    assert estimate.state == LOCKED
    assert estimate.period_ns / MS == pytest.approx(370.0, rel=0.02)


@pytest.mark.parametrize("slower", [0.95, 1.05])
def test_a_first_note_after_a_long_rest_at_a_changed_tempo_is_its_beat(slower):
    """After a count-in, four beats of rest, and a pick-up on beat 3 played at a tempo 5 %
    away: the beats go on from that note (the tempo's wander in a long rest spreads the
    phase, so the note is not read as an eighth or sixteenth near the counted beat: 5 %
    faster was read 159 ms off before)."""
    count_in = [round(1000 * MS + k * 600 * MS) for k in range(4)]
    tracker = BeatTracker.from_count_in(count_in)
    pick_up = count_in[-1] + round(4 * 600 * slower * MS)  # bar 0's beat 3
    estimate = tracker.onset(pick_up, 60, 80)
    assert abs(estimate.beat_time_ns(3) - pick_up) < 30 * MS, \
        (estimate.beat_time_ns(3) - pick_up) / MS


def test_a_steady_tempo_is_predicted_closer_than_a_played_note_falls():
    """After 32 steady beats the line through them places each beat within a fraction of
    the player's own jitter (10 ms sd: the bar pointer alone, about 7 ms median)."""
    beats = _beats([500.0] * 64)
    errors = _play(_tracker(500.0, beats[0]), beats, random.Random(3))
    late = sorted(errors[32:])
    assert late[len(late) // 2] < 4.0, late


def test_the_slowing_mode_follows_a_ritardando_closer_than_a_steady_tempo_alone():
    """The same steep ritardando against the tracker with its steady mode alone: the last
    four beats' predictions are much closer with the slowing mode (it fails without it)."""
    periods = [500.0] * 16 + [500.0 * (1 + 0.05 * k) for k in range(1, 9)]
    beats = _beats(periods)
    steady_only = TrackerParams(modes=ModeParams((0.0,), (1.0,), 0.0))
    with_modes, alone = [], []
    for seed in range(4, 10):
        tracker = BeatTracker(120.0, beats[0])
        with_modes += _play(tracker, beats, random.Random(seed), eighths=False)[-4:]
        tracker = BeatTracker(120.0, beats[0], params=steady_only)
        alone += _play(tracker, beats, random.Random(seed), eighths=False)[-4:]
    assert sum(with_modes) < 0.6 * sum(alone), (sum(with_modes), sum(alone))


def _lost_runs(params: TrackerParams) -> list[int]:
    """The runs of onsets at which the tracker says it is lost, over four tuning melodies
    played with ±20 % drift (the benchmark's performer; never the reported melodies)."""
    from coperformer.bench.follow import SCENARIOS, TUNING, perform
    from coperformer.model.collections import collection_melodies

    runs = []
    for seed, piece in enumerate(collection_melodies(TUNING, 4)):
        perf = perform(piece, next(s for s in SCENARIOS if s.name == "drift20"), seed)
        tracker = BeatTracker.from_count_in(perf.count_in, perf.meter, params)
        events = sorted([(on, 1, p, v) for on, p, v, _ in perf.onsets]
                        + [(off, 0, p, 0) for _, p, _, off in perf.onsets])
        run = 0
        for time_ns, is_onset, pitch, velocity in events:
            if not is_onset:
                tracker.release(time_ns, pitch)
                continue
            lost = tracker.onset(time_ns, pitch, velocity).state == LOST
            if run and not lost:
                runs.append(run)
            run = run + 1 if lost else 0
        if run:
            runs.append(run)
    return runs


def test_one_surprising_note_is_no_lost_beat():
    """Under drift with swing, a note the pulse did not expect dips the tracker's fit for one
    onset; it says it is lost only when the next onset finds it astray too, and while it is
    sure of the beat, not for the surprise alone."""
    eager = _lost_runs(TrackerParams(lost_onsets=1, surprise_confidence=1.0))
    assert eager.count(1) >= 3  # the flicker the rule is for (the test can fail)
    patient = _lost_runs(TrackerParams())
    assert len(patient) < 0.6 * len(eager), (patient, eager)
    surprised = _lost_runs(TrackerParams(surprise_confidence=1.0))  # (the surprise alone)
    assert len(patient) < len(surprised), (patient, surprised)


def _tune_start_errors(tracker: BeatTracker, period_ms: float, rng: random.Random) -> list[float]:
    """A tune's rhythm from its first downbeat (quarter, two eighths, half; dotted quarter,
    eighth, two quarters) at ``period_ms``; each beat of the second bar on predicted half a
    beat ahead: the errors (ms)."""
    rhythms = ((0.0, 1.0, 1.5, 2.0), (0.0, 1.5, 2.0, 3.0))
    onsets = [(bar * 4 + beat) * period_ms for bar in range(8) for beat in rhythms[bar % 2]]
    errors, index = [], 0
    for beat in range(4, 32):
        ahead = (beat - 0.5) * period_ms
        while onsets[index] < ahead:
            at = round((1000 + onsets[index] + rng.gauss(0, 10)) * MS)
            tracker.onset(at, 60, 90 if onsets[index] % (4 * period_ms) == 0 else 70)
            tracker.release(at + round(period_ms / 3 * MS), 60)
            index += 1
        estimate = tracker.estimate(round((1000 + ahead) * MS))
        predicted = estimate.beat_time_ns(estimate.next_beat(round((1000 + ahead) * MS)))
        errors.append(abs(predicted / MS - 1000 - beat * period_ms))
    return errors


@pytest.mark.parametrize("period_ms", [575.0, 420.0])  # 15 % slower, 16 % faster
def test_a_tune_started_with_no_count_in_is_found_at_a_tempo_off_the_guess(period_ms):
    """The first note is the downbeat; the tempo set (500 ms a beat) is only a guess."""
    start = 1000 * MS
    wide = _tune_start_errors(BeatTracker.from_first_note(120, start), period_ms,
                              random.Random(9))
    assert max(wide[4:]) < 35.0, wide  # from the third bar on
    narrow = _tune_start_errors(BeatTracker(120, start), period_ms, random.Random(9))
    assert sum(narrow[:4]) > 2 * sum(wide[:4]), (narrow, wide)  # a sure tempo lags bar 2
