"""The jam facade: a live session built from typed options, driven by typed intents."""
