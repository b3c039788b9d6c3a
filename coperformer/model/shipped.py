"""The sha256 of each model file that ships with coperformer: a shipped model loads because its
bytes are these, wherever the file lies (tests/model/test_trust.py checks them against
models/*.pt; refresh them whenever a shipped model is trained again)."""

SHIPPED_SHA256 = {
    "bach.pt": "1d377995aea36f236f7b1567dac955e4ed02aadc7db33e8bd2d36f5f9c16eda4",
    "palestrina.pt": "73bfac3a58983529c90e97578a243f405d999eff970b2ae708a7bd628a68814f",
}
