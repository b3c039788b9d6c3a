"""Benchmarks behind `coperformer bench`: inference, live sessions, onsets in rendered audio,
and the same with the window open."""
