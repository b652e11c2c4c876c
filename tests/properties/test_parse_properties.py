"""Property tests for the number parser: whatever a publisher writes, a number or a clear error."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsec.sources._parse import parse_number

amounts = st.floats(min_value=0, max_value=1e12, allow_nan=False).map(lambda x: round(x, 3))


@given(amounts)
def test_thousands_separators_round_trip(x: float) -> None:
    value, flag = parse_number(f"{x:,}")
    assert flag is None
    assert value is not None and math.isclose(value, x, rel_tol=1e-12)


@given(amounts, st.sampled_from(["<", ">"]), st.booleans())
def test_bounds_keep_their_side(x: float, side: str, percent: bool) -> None:
    value, flag = parse_number(f"{side}{x}{'%' if percent else ''}")
    assert flag == side
    assert value is not None and math.isclose(value, x, rel_tol=1e-12)


@given(amounts, amounts)
def test_range_is_its_midpoint(a: float, b: float) -> None:
    low, high = sorted((a, b))
    value, flag = parse_number(f"{low}-{high}")
    assert flag == "range"
    assert value is not None and low <= value <= high


@given(st.text(alphabet="abcdfghijklmopqrstuvxyzQZ!?#", min_size=2))
def test_words_are_errors_not_zeros(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("W", (None, "W")), ("NA", (None, "NA")), ("—", (0.0, None)), ("", (None, None)),
     (" 1,234 ", (1234.0, None)), ("<0.1%", (0.1, "<")), (">95", (95.0, ">")),
     ("E", (None, "E")), ("..", (None, "NA")), ("XX", (None, "NA")), (None, (None, None)),
     ("4%", (4.0, None)), ("10-20", (15.0, "range"))],
)
def test_publisher_codes(cell: str | None, expected: tuple[float | None, str | None]) -> None:
    assert parse_number(cell) == expected
