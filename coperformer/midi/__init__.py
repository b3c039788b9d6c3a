"""MIDI port adapters (python-rtmidi) and the MIDI-file player."""
