"""Stoichiometry of traded mineral forms: formula masses and content factors.

Atomic weights are the IUPAC/CIAAW *abridged* standard atomic weights (2021 values, five
significant figures, conventional values for elements whose standard atomic weight is an
interval, e.g. Li 6.94, B 10.81, C 12.011, S 32.06, Cl 35.45), for the elements of the traded
forms in ``reference/data/forms.csv`` and of the minerals they measure.

Sources
-------
Prohaska, T. et al. (2022). Standard atomic weights of the elements 2021 (IUPAC Technical
Report). *Pure and Applied Chemistry* 94(5), 573-600, https://doi.org/10.1515/pac-2019-0603
(Table 2, abridged values); CIAAW, https://www.ciaaw.org/abridged-atomic-weights.htm.

The rare-earth-oxide (REO) convention is the one USGS MCS uses for rare-earth production:
every rare-earth element (lanthanides, Sc, Y) counted as its sesquioxide R2O3, except cerium
as CeO2, praseodymium as Pr6O11 and terbium as Tb4O7.
"""

from __future__ import annotations

import re

#: IUPAC 2021 abridged standard atomic weights (g/mol) of the elements used here.
ATOMIC_WEIGHTS: dict[str, float] = {
    "H": 1.0080, "He": 4.0026, "Li": 6.94, "Be": 9.0122, "B": 10.81, "C": 12.011,
    "N": 14.007, "O": 15.999, "F": 18.998, "Na": 22.990, "Mg": 24.305, "Al": 26.982,
    "Si": 28.085, "P": 30.974, "S": 32.06, "Cl": 35.45, "K": 39.098, "Ca": 40.078,
    "Sc": 44.956, "Ti": 47.867, "V": 50.942, "Cr": 51.996, "Mn": 54.938, "Fe": 55.845,
    "Co": 58.933, "Ni": 58.693, "Cu": 63.546, "Zn": 65.38, "Ga": 69.723, "Ge": 72.630,
    "As": 74.922, "Se": 78.971, "Br": 79.904, "Rb": 85.468, "Sr": 87.62, "Y": 88.906,
    "Zr": 91.224, "Nb": 92.906, "Mo": 95.95, "Ru": 101.07, "Rh": 102.91, "Pd": 106.42,
    "Ag": 107.87, "Cd": 112.41, "In": 114.82, "Sn": 118.71, "Sb": 121.76, "Te": 127.60,
    "I": 126.90, "Cs": 132.91, "Ba": 137.33, "La": 138.91, "Ce": 140.12, "Pr": 140.91,
    "Nd": 144.24, "Sm": 150.36, "Eu": 151.96, "Gd": 157.25, "Tb": 158.93, "Dy": 162.50,
    "Ho": 164.93, "Er": 167.26, "Tm": 168.93, "Yb": 173.05, "Lu": 174.97, "Hf": 178.49,
    "Ta": 180.95, "W": 183.84, "Re": 186.21, "Os": 190.23, "Ir": 192.22, "Pt": 195.08,
    "Au": 196.97, "Hg": 200.59, "Tl": 204.38, "Pb": 207.2, "Bi": 208.98, "Th": 232.04,
    "U": 238.03,
}

#: The oxide each rare-earth element is counted as in rare-earth-oxide (REO) equivalent.
REO_OXIDES: dict[str, str] = {
    **{el: f"{el}2O3" for el in ("Sc", "Y", "La", "Nd", "Sm", "Eu", "Gd", "Dy", "Ho", "Er",
                                 "Tm", "Yb", "Lu")},
    "Ce": "CeO2", "Pr": "Pr6O11", "Tb": "Tb4O7",
}

_TOKEN = re.compile(r"[A-Z][a-z]?|\d+|\(|\)")


def _merge(into: dict[str, int], atoms: dict[str, int], times: int) -> None:
    """Add ``times`` x ``atoms`` to ``into``."""
    for el, n in atoms.items():
        into[el] = into.get(el, 0) + n * times


def _parse_group(text: str, formula: str) -> dict[str, int]:
    """Count the atoms of one dot-free formula part, parentheses nested to any depth."""
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != text:
        raise ValueError(f"cannot parse {text!r} in formula {formula!r}")
    stack: list[dict[str, int]] = [{}]
    # the atoms a following count multiplies: an element or a closed group
    last: dict[str, int] | None = None
    for tok in tokens:
        if tok.isdigit():
            if last is None or int(tok) == 0:
                raise ValueError(f"misplaced number {tok!r} in formula {formula!r}")
            _merge(stack[-1], last, int(tok) - 1)
            last = None
        elif tok == "(":
            stack.append({})
            last = None
        elif tok == ")":
            if len(stack) == 1:
                raise ValueError(f"unbalanced ')' in formula {formula!r}")
            last = stack.pop()
            _merge(stack[-1], last, 1)
        else:
            if tok not in ATOMIC_WEIGHTS:
                raise ValueError(f"unknown element {tok!r} in formula {formula!r}")
            last = {tok: 1}
            _merge(stack[-1], last, 1)
    if len(stack) != 1:
        raise ValueError(f"unbalanced '(' in formula {formula!r}")
    return stack[0]


def composition(formula: str) -> dict[str, int]:
    """Count the atoms of each element in a chemical formula.

    Parameters
    ----------
    formula : str
        Plain-ASCII formula, e.g. ``"Co(OH)2"``, ``"NiSO4.6H2O"``, ``"(NH4)6Mo7O24.4H2O"``.
        Hydrate water and other adducts follow a ``.`` (or ``·``) with an optional leading
        multiplier.

    Returns
    -------
    dict of str to int
        Element symbol -> number of atoms per formula unit.

    Raises
    ------
    ValueError
        If the formula is empty, malformed or names an element without an atomic weight here.
    """
    text = formula.strip().replace("·", ".").replace(" ", "")
    if not text:
        raise ValueError("empty formula")
    total: dict[str, int] = {}
    for part in text.split("."):
        m = re.match(r"(\d*)(.*)", part)
        assert m is not None  # the pattern matches any string
        times = int(m.group(1)) if m.group(1) else 1
        if not m.group(2):
            raise ValueError(f"empty part in formula {formula!r}")
        for el, n in _parse_group(m.group(2), formula).items():
            total[el] = total.get(el, 0) + n * times
    return total


def mass(formula: str) -> float:
    """Molar mass of a formula unit (g/mol) from IUPAC 2021 abridged atomic weights.

    Parameters
    ----------
    formula : str
        Plain-ASCII formula such as ``"Li2CO3"``, ``"Co(OH)2"`` or ``"NiSO4.6H2O"``.

    Returns
    -------
    float
        Sum of the atomic weights, g/mol.

    Raises
    ------
    ValueError
        If the formula cannot be parsed or uses an unknown element.

    Examples
    --------
    >>> round(mass("Li2CO3"), 3)
    73.888
    """
    return sum(ATOMIC_WEIGHTS[el] * n for el, n in composition(formula).items())


def _oxide_element(oxide: str) -> tuple[str, int]:
    """The one non-oxygen element of an oxide formula and its atom count."""
    atoms = {el: n for el, n in composition(oxide).items() if el != "O"}
    if len(atoms) != 1 or "O" not in composition(oxide):
        raise ValueError(f"measure {oxide!r} is neither an element, 'REO' nor a simple oxide")
    return next(iter(atoms.items()))


def content_factor(formula: str, measure: str) -> float:
    """Mass fraction of ``measure`` in one unit mass of ``formula``.

    Parameters
    ----------
    formula : str
        Formula of the traded chemical, e.g. ``"LiOH.H2O"``.
    measure : str
        What the content is counted as:

        * an element symbol (``"Li"``, ``"Co"``): the element's mass fraction;
        * a simple oxide (``"K2O"``, ``"P2O5"``, ``"TiO2"``, ``"As2O3"``): the mass of that
          oxide the formula's element would make, per unit mass (may exceed 1 when the formula
          holds more of the element than the oxide does);
        * ``"REO"``: rare-earth-oxide equivalent, each rare-earth element counted as the oxide
          in :data:`REO_OXIDES` (USGS convention);
        * ``"gross"``: gross weight, always 1.

    Returns
    -------
    float
        Content per unit mass of the formula.

    Raises
    ------
    ValueError
        If the formula is malformed, uses an unknown element, or holds none of ``measure``.

    Examples
    --------
    >>> round(content_factor("LiOH.H2O", "Li"), 4)
    0.1654
    >>> round(content_factor("KCl", "K2O"), 3)
    0.632
    """
    if measure == "gross":
        composition(formula)  # still validate the formula
        return 1.0
    atoms = composition(formula)
    total = mass(formula)
    if measure == "REO":
        oxide_mass = 0.0
        for el, n in atoms.items():
            if el in REO_OXIDES:
                oxide = REO_OXIDES[el]
                per_atom = mass(oxide) / composition(oxide)[el]
                oxide_mass += n * per_atom
        if oxide_mass == 0.0:
            raise ValueError(f"formula {formula!r} holds no rare-earth element")
        return oxide_mass / total
    if measure in ATOMIC_WEIGHTS:
        if measure not in atoms:
            raise ValueError(f"formula {formula!r} holds no {measure}")
        return atoms[measure] * ATOMIC_WEIGHTS[measure] / total
    el, per_oxide = _oxide_element(measure)
    if el not in atoms:
        raise ValueError(f"formula {formula!r} holds no {el} (measure {measure!r})")
    return atoms[el] * mass(measure) / per_oxide / total
