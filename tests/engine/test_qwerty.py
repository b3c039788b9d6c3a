from coperformer.engine.qwerty import QwertyKeyboard


def test_two_rows_and_octaves():
    kb = QwertyKeyboard()
    assert kb.press("a") == (60, 90)
    assert kb.press("w") == (61, 90)
    assert kb.press("a") is None  # auto-repeat while held
    assert kb.press("x") is None and kb.base == 72
    assert kb.release("a") == 60  # ends the note it started
    assert kb.press("A") == (72, 90)
    assert kb.press("q") is None
    assert sorted(kb.release_all()) == [61, 72]


def test_octave_limits():
    kb = QwertyKeyboard(base=24)
    kb.press("z")
    assert kb.base == 24
    kb = QwertyKeyboard(base=96)
    kb.press("x")
    assert kb.base == 96
