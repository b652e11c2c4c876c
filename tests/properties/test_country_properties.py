"""Property tests for the country-name parser: footnotes, case and spacing never change a code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsec.countries import _converter, iso3, resolve
from minsec.errors import MinsecError

TABLE = _converter().data[["name_short", "ISO3"]].dropna()
NAMES = st.sampled_from(list(TABLE.itertuples(index=False, name=None)))


@settings(max_examples=150)
@given(NAMES, st.integers(min_value=1, max_value=99))
def test_footnote_digits_are_ignored(pair: tuple[str, str], footnote: int) -> None:
    name, code = pair
    assert iso3(f"{name}{footnote}") == code


@settings(max_examples=150)
@given(NAMES, st.sampled_from([str.upper, str.lower, str.title]), st.sampled_from([" ", "  "]))
def test_case_and_spacing_are_ignored(pair: tuple[str, str], case: object, pad: str) -> None:
    name, code = pair
    assert callable(case)
    assert iso3(pad + case(name).replace(" ", pad) + pad) == code


@settings(max_examples=100)
@given(NAMES)
def test_iso3_codes_map_to_themselves(pair: tuple[str, str]) -> None:
    assert iso3(pair[1]) == pair[1]


@pytest.mark.parametrize(
    ("messy", "code"),
    [("Japane", "JPN"), ("Korea, Republic ofe", "KOR"), ("Russiae", "RUS"),
     ("New Caledonia11", "NCL"), ("Congo (Kinshasa)", "COD"), ("Burma", "MMR"),
     ("ZAR", "COD"), ("ROM", "ROU"), ("KSV", "XKX"), ("ADO", "AND"), ("TMP", "TLS"),
     ("WBG", "PSE"), ("World total (rounded)", "WLD"), ("Other countries4", "ROW"),
     ("Türkiye", "TUR"), ("Côte d'Ivoire", "CIV")],
)
def test_real_messy_names(messy: str, code: str) -> None:
    assert iso3(messy) == code


def test_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(MinsecError, match="unknown country 'Atlantis'"):
        resolve("Atlantis")
