"""A model card as readable text for the window."""

from __future__ import annotations

CARD_SYSTEMS = ("GAN offline", "GAN live (listening)")  # evaluation.py's names for the style


def card_text(model_name: str) -> str:
    """Data, split, training and headline figures of a model, from its card."""
    from coperformer.model.card import read_card
    from coperformer.model.errors import ModelError
    from coperformer.model.store import resolve_model

    try:
        card = read_card(resolve_model(model_name or None))
    except ModelError as exc:
        return str(exc)
    if not card:
        return "this model has no card"
    lines = [f"Style: {card.get('style', model_name)}",
             f"Data: {card.get('data', {}).get('corpus', '?')}",
             f"Pieces: {card.get('data', {}).get('pieces', {})}",
             f"Training: {card.get('training', {}).get('steps', '?')} steps, "
             f"{card.get('training', {}).get('wall_seconds', '?')} s"]
    results = card.get("metrics", {}).get("results", {})
    for set_name, table in results.items() if isinstance(results, dict) else ():
        for system in CARD_SYSTEMS:
            try:  # a card is information only: figures it does not hold are left out
                figures = table[system]
                lines.append(f"{set_name}, {system}: note-in-chord "
                             f"{100 * figures['note_in_chord']:.1f} %, clash "
                             f"{100 * figures['clash']:.1f} %")
            except (KeyError, TypeError, ValueError, IndexError):
                continue
    lines.append(f"sha256: {str(card.get('sha256', '?'))[:16]}…")
    return "\n".join(lines)
