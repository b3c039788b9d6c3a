"""Helpers every layer may use (standard library only): errors, files, data paths, process."""
