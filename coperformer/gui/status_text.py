"""The transport's status texts: the position (or the count-in the player is playing) and the
Follow me switch's (GUI thread; pure strings)."""

from __future__ import annotations

from coperformer.engine.snapshot import SessionSnapshot
from coperformer.music.beat_tracker import FERMATA, LOST

NO_POSITION = "–:–"
FOLLOW_ME = "Follow me"


def follow_label(follow: tuple[str, float] | None) -> str:
    """The Follow me switch's text while the band follows: how sure the tracker is of the
    player's beat, or that it lost it (the band holds its chord), or waits in a fermata."""
    if follow is None:
        return FOLLOW_ME
    state, confidence = follow
    if state == LOST:
        return f"{FOLLOW_ME}: lost"
    if state == FERMATA:
        return f"{FOLLOW_ME}: fermata"
    return f"{FOLLOW_ME} {confidence:.0%}"


def position_text(snapshot: SessionSnapshot, now_ns: int, tempo_shown: bool) -> str:
    """Bar:beat now (with the tempo the band hears when ``tempo_shown``), or the player's
    count-in so far ("count-in 2/4") before the start, or NO_POSITION."""
    position = snapshot.position(now_ns)
    if position is None:
        counted = snapshot.counting_in
        return f"count-in {counted[0]}/{counted[1]}" if counted and not snapshot.finished \
            else NO_POSITION
    tempo = snapshot.tempo_at(now_ns) if tempo_shown else None
    return f"{position[0]}:{position[1]}" + (f" · {tempo:.0f} BPM" if tempo else "")
