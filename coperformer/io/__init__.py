"""Adapters for files and ports (mido, rtmidi)."""
