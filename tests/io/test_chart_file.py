"""A chord chart kept in a text file: read whole, or refused in one line naming the file."""

import os

import pytest

from coperformer.io.chart_file import MAX_CHART_FILE_BYTES, read_chart_file
from coperformer.music.chord_chart import ChartError, parse_chart


def test_a_chart_file_reads_with_its_title_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "leaves.txt"
    path.write_bytes("\ufeff# Autumn Leaves\nCm7 | F7 | Bbmaj7 | Ebmaj7\nAm7b5 | D7 | Gm | %\n"
                     .encode())
    assert parse_chart(read_chart_file(path)).text == \
        "Cm7 | F7 | Bbmaj7 | Ebmaj7 | Am7b5 | D7 | Gm | %"


@pytest.mark.parametrize("make, reason", [
    (lambda p: p, "no such file"),
    (lambda p: (p.mkdir(), p)[1], "is a folder"),
    (lambda p: (os.mkfifo(p), p)[1], "FIFO"),
    (lambda p: (p.write_bytes(b"C | \xff\xfe Am"), p)[1], "not UTF-8 text"),
    (lambda p: (p.write_text("C | " * MAX_CHART_FILE_BYTES), p)[1], "larger than"),
])
def test_what_is_not_a_chart_file_is_one_line_naming_it(tmp_path, make, reason):
    path = make(tmp_path / "song.txt")
    with pytest.raises(ChartError) as error:
        read_chart_file(path)
    assert str(error.value).startswith(f"{path}: ") and reason in str(error.value)
    assert "\n" not in str(error.value)
