"""The form concordance ``reference/data/forms.csv`` and :mod:`minsec.stoichiometry`."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

import minsec
from minsec.stoichiometry import REO_OXIDES, composition, content_factor, mass

DATA = Path(minsec.__file__).parent / "reference" / "data"
COLUMNS = [
    "mineral", "stage", "form", "form_name", "hs92", "hs2017", "hs2022", "formula", "measure",
    "content_factor", "content_low", "content_high", "content_basis", "principal",
    "allocation", "group_id", "shared_with", "split_share", "note", "source_url", "confidence",
]
EDITIONS = ("hs92", "hs2017", "hs2022")
LISTS = {"kr_critical_2023", "kr_strategic_2023", "us_2022", "us_2025", "eu_crma_critical",
         "eu_crma_strategic"}
PGMS = {"platinum_group_metals", "platinum", "palladium", "rhodium", "iridium", "osmium",
        "ruthenium"}
RARE_EARTH_MEMBERS = {
    "lanthanum", "cerium", "praseodymium", "neodymium", "samarium", "europium", "gadolinium",
    "terbium", "dysprosium", "holmium", "erbium", "thulium", "ytterbium", "lutetium", "yttrium",
    "scandium", "light_rare_earths", "heavy_rare_earths", "magnet_rare_earths",
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
HS6 = re.compile(r"^\d{6}$")


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _forms() -> tuple[dict[str, str], ...]:
    return tuple(_read("forms.csv"))


@pytest.fixture(scope="module")
def forms() -> tuple[dict[str, str], ...]:
    return _forms()


def _codes(row: dict[str, str]) -> list[str]:
    return [row[e] for e in EDITIONS if row[e]]


def _upper_bound(measure: str) -> float:
    """Largest possible content: 1, or for an oxide-equivalent measure the oxide per element."""
    if measure == "REO":
        return max(content_factor(el, "REO") for el in REO_OXIDES)
    if not re.fullmatch(r"([A-Z][a-z]?\d*)+", measure) or "O" not in measure:
        return 1.0  # gross, an element symbol, or a group's label such as PGM
    try:
        atoms = composition(measure)
    except ValueError:
        return 1.0
    element = next(el for el in atoms if el != "O")
    return content_factor(element, measure)


# ------------------------------------------------------------------------------- the CSV


def test_columns_exactly() -> None:
    with (DATA / "forms.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS


def test_every_list_mineral_present(forms: tuple[dict[str, str], ...]) -> None:
    listed = {r["mineral"] for r in _read("mineral_list.csv") if r["list"] in LISTS}
    assert listed, "no list members read"
    assert listed <= {r["mineral"] for r in forms}


def test_mineral_ids_known(forms: tuple[dict[str, str], ...]) -> None:
    ids = {r["id"] for r in _read("mineral.csv")}
    assert {r["mineral"] for r in forms} <= ids
    for row in forms:
        for other in filter(None, row["shared_with"].split(";")):
            assert other in ids, (row["mineral"], row["form"], other)
            assert other != row["mineral"], (row["mineral"], row["form"])


def test_vocabularies(forms: tuple[dict[str, str], ...]) -> None:
    for row in forms:
        key = (row["mineral"], row["form"])
        assert row["stage"] in {"mining", "refining", "product", "scrap"}, key
        assert row["allocation"] in {"full", "group", "split", "excluded"}, key
        assert row["confidence"] in {"high", "medium", "low"}, key
        assert row["principal"] in {"true", "false"}, key
        assert SNAKE.match(row["form"]), key
        assert row["form_name"].strip(), key
        assert row["measure"].strip(), key


def test_form_unique_within_mineral(forms: tuple[dict[str, str], ...]) -> None:
    keys = [(r["mineral"], r["form"]) for r in forms]
    assert len(keys) == len(set(keys))


def test_hs_codes_are_six_digits(forms: tuple[dict[str, str], ...]) -> None:
    for row in forms:
        for code in _codes(row):
            assert HS6.match(code), (row["mineral"], row["form"], code)


def test_every_mineral_has_a_principal_form(forms: tuple[dict[str, str], ...]) -> None:
    principal = {r["mineral"] for r in forms if r["principal"] == "true"}
    assert {r["mineral"] for r in forms} == principal


def test_group_and_split_fields(forms: tuple[dict[str, str], ...]) -> None:
    for row in forms:
        key = (row["mineral"], row["form"])
        assert bool(row["group_id"]) == (row["allocation"] == "group"), key
        if row["allocation"] == "split":
            assert 0 < float(row["split_share"]) <= 1, key
            assert row["source_url"].startswith("http"), key
        else:
            assert row["split_share"] == "", key
        if row["allocation"] == "excluded":
            assert row["note"].strip(), f"{key}: an excluded row says why"


def test_group_rows_agree_on_content(forms: tuple[dict[str, str], ...]) -> None:
    """A group's code is reported once, so its member rows must agree on the content."""
    seen: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in forms:
        if row["allocation"] == "group":
            for edition in EDITIONS:
                if row[edition]:
                    seen[(row["group_id"], edition, row[edition])].add(row["content_factor"])
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_full_code_on_two_minerals_only_as_ore(forms: tuple[dict[str, str], ...]) -> None:
    """A code charged in full to several minerals: the ore of a listed mineral, or a group
    total (the platinum-group metals add their members' forms)."""
    owners: dict[tuple[str, str], dict[str, dict[str, str]]] = defaultdict(dict)
    for row in forms:
        if row["allocation"] == "full":
            for edition in EDITIONS:
                if row[edition]:
                    owners[(edition, row[edition])][row["mineral"]] = row
    for (edition, code), rows in owners.items():
        if len(rows) < 2:
            continue
        for mineral, row in rows.items():
            shared = set(row["shared_with"].split(";"))
            assert set(rows) - {mineral} <= shared, (edition, code, mineral, shared)
            assert "ore of" in row["note"] or "group total" in row["note"], (edition, code,
                                                                            mineral)


def test_repeated_code_within_mineral_is_counted_once(forms: tuple[dict[str, str], ...]) -> None:
    """Where an older edition's code covers two forms, both rows say to count it once."""
    by_code: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in forms:
        for edition in EDITIONS:
            if row[edition]:
                by_code[(row["mineral"], edition, row[edition])].append(row)
    for key, rows in by_code.items():
        if len(rows) > 1:
            for row in rows:
                assert "count the code once" in row["note"], (key, row["form"])


def test_formula_rows_match_stoichiometry(forms: tuple[dict[str, str], ...]) -> None:
    checked = 0
    for row in forms:
        if row["formula"]:
            expected = content_factor(row["formula"], row["measure"])
            assert float(row["content_factor"]) == pytest.approx(expected, rel=0.01), (
                row["mineral"], row["form"], row["formula"])
            checked += 1
    assert checked >= 40


def test_content_ranges(forms: tuple[dict[str, str], ...]) -> None:
    """low <= factor <= high, all in (0, 1]; an oxide-equivalent measure (REO, TiO2, As2O3)
    may exceed 1 up to the oxide's mass per unit of the element."""
    for row in forms:
        key = (row["mineral"], row["form"])
        values = [row["content_factor"], row["content_low"], row["content_high"]]
        if not any(values):
            assert row["allocation"] == "group" and not _codes(row), f"{key}: content missing"
            continue
        factor, low, high = (float(v) for v in values)
        top = _upper_bound(row["measure"])
        assert 0 < low <= factor <= high <= top * 1.001, (key, low, factor, high, top)
        if factor > 1:
            assert top > 1, key


def test_every_row_has_a_source_url(forms: tuple[dict[str, str], ...]) -> None:
    for row in forms:
        parts = [p.strip() for p in row["source_url"].split(" | ")]
        assert parts, (row["mineral"], row["form"])
        for part in parts:
            assert re.match(r"^https?://\S+$", part), (row["mineral"], row["form"], part)


def test_precious_metal_ores_are_not_pgm_supply(forms: tuple[dict[str, str], ...]) -> None:
    rows = [r for r in forms if "261690" in _codes(r)]
    assert any(r["mineral"] == "gold" and r["allocation"] == "full" for r in rows)
    for row in rows:
        if row["mineral"] in PGMS:
            assert row["allocation"] == "excluded", row["mineral"]


def test_precious_metal_scrap_not_charged_to_silver_or_pgms(
    forms: tuple[dict[str, str], ...],
) -> None:
    rows = [r for r in forms if r["hs92"] == "711290"]
    assert rows
    for row in rows:
        assert row["stage"] == "scrap", row["mineral"]
        if row["mineral"] in PGMS | {"silver"}:
            assert row["allocation"] == "excluded", row["mineral"]


def test_rare_earth_elements_have_no_code_of_their_own(
    forms: tuple[dict[str, str], ...],
) -> None:
    members = [r for r in forms if r["mineral"] in RARE_EARTH_MEMBERS]
    assert {r["mineral"] for r in members} == RARE_EARTH_MEMBERS
    for row in members:
        assert _codes(row) == [], row["mineral"]
        assert (row["allocation"], row["group_id"], row["form"]) == (
            "group", "rare_earths", "group"), row["mineral"]
    carried = {c for r in forms if r["mineral"] == "rare_earths" for c in _codes(r)}
    assert {"280530", "284610", "284690", "850511"} <= carried


def test_shared_basket_811292_is_a_group(forms: tuple[dict[str, str], ...]) -> None:
    rows = [r for r in forms if "811292" in (r["hs2017"], r["hs2022"])]
    assert {"gallium", "germanium", "indium", "niobium", "vanadium"} <= {
        r["mineral"] for r in rows}
    for row in rows:
        assert (row["allocation"], row["group_id"]) == ("group", "hs_811292"), row["mineral"]


@pytest.mark.parametrize(("mineral", "form", "expected"), [
    ("lithium", "carbonate", 0.1878),
    ("lithium", "hydroxide", 0.1654),
    ("nickel", "sulphate", 0.2233),
    ("cobalt", "sulphate", 0.2097),
])
def test_spot_check_factors(
    forms: tuple[dict[str, str], ...], mineral: str, form: str, expected: float,
) -> None:
    row = next(r for r in forms if (r["mineral"], r["form"]) == (mineral, form))
    assert float(row["content_factor"]) == pytest.approx(expected, abs=2e-4)
    assert content_factor(row["formula"], row["measure"]) == pytest.approx(expected, abs=2e-4)


# ------------------------------------------------------------------------ stoichiometry


@pytest.mark.parametrize(("formula", "measure", "expected"), [
    ("Li2CO3", "Li", 0.1878),
    ("LiOH.H2O", "Li", 0.1654),
    ("LiOH", "Li", 0.2898),
    ("NiSO4.6H2O", "Ni", 0.2233),
    ("CoSO4.7H2O", "Co", 0.2097),
    ("Co(OH)2", "Co", 0.6342),
    ("Nd2O3", "Nd", 0.8574),
    ("Al2O3", "Al", 0.5293),
])
def test_content_factor_known_values(formula: str, measure: str, expected: float) -> None:
    assert content_factor(formula, measure) == pytest.approx(expected, abs=2e-4)


def test_mass_and_parentheses() -> None:
    assert mass("Li2CO3") == pytest.approx(73.888, abs=1e-3)
    assert composition("Co(OH)2") == {"Co": 1, "O": 2, "H": 2}
    assert mass("Co(OH)2") == pytest.approx(58.933 + 2 * (15.999 + 1.008), abs=1e-6)
    assert composition("Al2(SO4)3") == {"Al": 2, "S": 3, "O": 12}
    assert composition("Ca5(PO4)3F") == {"Ca": 5, "P": 3, "O": 12, "F": 1}
    assert composition("K2(Mg(SO4)2)") == {"K": 2, "Mg": 1, "S": 2, "O": 8}


def test_hydrates() -> None:
    assert composition("NiSO4.6H2O") == {"Ni": 1, "S": 1, "O": 10, "H": 12}
    assert composition("NiSO4·6H2O") == composition("NiSO4.6H2O")
    assert mass("CoSO4.7H2O") == pytest.approx(mass("CoSO4") + 7 * mass("H2O"))
    assert composition("(NH4)6Mo7O24.4H2O") == {"N": 6, "H": 32, "Mo": 7, "O": 28}


def test_oxide_and_gross_measures() -> None:
    assert content_factor("KCl", "K2O") == pytest.approx(0.6317, abs=2e-4)
    assert content_factor("H3PO4", "P2O5") == pytest.approx(0.7242, abs=2e-4)
    assert content_factor("TiO2", "TiO2") == pytest.approx(1.0)
    assert content_factor("As", "As2O3") == pytest.approx(1.3203, abs=2e-4)
    assert content_factor("BaSO4", "gross") == 1.0


def test_rare_earth_oxide_equivalent() -> None:
    assert content_factor("Nd2O3", "REO") == pytest.approx(1.0)
    assert content_factor("CeO2", "REO") == pytest.approx(1.0)
    assert content_factor("Nd", "REO") == pytest.approx(1.1664, abs=2e-4)
    assert content_factor("Pr6O11", "REO") == pytest.approx(1.0)
    assert content_factor("LaCl3", "REO") == pytest.approx(
        mass("La2O3") / 2 / mass("LaCl3"))
    with pytest.raises(ValueError, match="no rare-earth"):
        content_factor("Fe2O3", "REO")


def test_unknown_element_raises_clearly() -> None:
    with pytest.raises(ValueError, match=r"unknown element 'Xx' in formula 'Xx2O3'"):
        mass("Xx2O3")
    with pytest.raises(ValueError, match="unknown element 'Q'"):
        content_factor("LiQ", "Li")


@pytest.mark.parametrize("bad", ["", "Co(OH", "CoOH)2", "Li2CO3..H2O", "2", "li2co3", "Li0"])
def test_malformed_formulas_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="formula"):
        composition(bad)


def test_measure_not_in_formula_raises() -> None:
    with pytest.raises(ValueError, match="holds no Ni"):
        content_factor("Li2CO3", "Ni")
    with pytest.raises(ValueError, match="neither an element"):
        content_factor("Li2CO3", "Li2CO3")
