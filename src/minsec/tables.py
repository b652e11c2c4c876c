"""Named reads of the store: the tidy tables the indicators take as input.

The indicators never open the store; callers (the assessment, the CLI, notebooks) read these
tables and pass them in. Every function takes the store path (default: the user's store).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from minsec.indicators import trade_forms as trade_forms_module
from minsec.store import default_path, query

PUBLISHERS = {"mcs": "USGS MCS", "wmd": "World Mining Data", "iea": "IEA CMDX"}
_EDITION = re.compile(r"^(?P<publisher>[a-z]+)(?P<year>\d{4})$")


def editions(frame: pd.DataFrame, publishers: Iterable[str] = tuple(PUBLISHERS)) -> list[str]:
    """The editions in ``frame``'s ``edition`` column, preferred first.

    By publisher in the order given (default: USGS MCS, then World Mining Data, then IEA), each
    publisher's newest edition first: ``["mcs2025", "mcs2024", "mcs2023", "wmd2026",
    "iea2024"]`` for the store built from the mirror. Editions of other publishers are left out.
    """
    order = {p: i for i, p in enumerate(publishers)}
    found = {(order[m["publisher"]], -int(m["year"]), e) for e in frame["edition"].dropna().unique()
             if (m := _EDITION.match(str(e))) and m["publisher"] in order}
    return [e for _, _, e in sorted(found)]


def supply_editions(store: Path | None = None,
                    publishers: Iterable[str] = tuple(PUBLISHERS)) -> list[str]:
    """:func:`editions` of the store's ``supply`` table."""
    return editions(query("SELECT DISTINCT edition FROM supply", store=store), publishers)


def edition_label(edition: str) -> str:
    """``mcs2025`` -> ``USGS MCS 2025`` (unknown publishers as given)."""
    m = _EDITION.match(edition)
    return f"{PUBLISHERS[m['publisher']]} {m['year']}" if m and m["publisher"] in PUBLISHERS \
        else edition


def trade(store: Path | None = None, source: str = "baci_hs92") -> pd.DataFrame:
    """One source's records: ``year, exporter, importer, hs6, value`` (kUSD), ``quantity``.

    ``quantity`` is t of gross weight; ``flow`` M importer-declared, X exporter-declared, NULL
    reconciled (BACI).
    """
    return query("SELECT year, exporter, importer, hs6, value, quantity, flow FROM trade "
                 "WHERE source = ?", [source], store)


def trade_forms(store: Path | None = None) -> pd.DataFrame:
    """The form concordance as loaded (``reference/data/forms.csv``)."""
    return query("SELECT * FROM trade_form ORDER BY mineral, stage, form", store=store)


def _stamp(store: Path | None) -> tuple[str, int]:
    path = store or default_path()
    return str(path), path.stat().st_mtime_ns if path.exists() else 0


@lru_cache(maxsize=2)
def _flows(path: str, stamp: int) -> pd.DataFrame:
    records = query("SELECT source, year, exporter, importer, hs6, hs_version, value, quantity, "
                    "flow FROM trade", store=Path(path))
    flows = trade_forms_module.flows_by_form(records, trade_forms(Path(path)))
    return flows.astype({c: "object" for c in trade_forms_module.TEXT if c in flows})


def mineral_trade(store: Path | None = None) -> pd.DataFrame:
    """Flows of minerals' forms, one basis each (:func:`.trade_forms.flows_by_form`).

    ``year, exporter, importer, mineral, stage, form, form_name, hs6, source, basis, value``
    (kUSD) ``, gross_t, contained_t, measure, principal`` and ``quantity`` (= ``contained_t``:
    every consumer counts contained tonnes). A code reported as a group (rare earths in one,
    811292) has the group's id as ``mineral``. Cached per store file and modification time.
    """
    flows = _flows(*_stamp(store))
    return flows.assign(quantity=flows["contained_t"])


def shared_ore_trade(store: Path | None = None) -> pd.DataFrame:
    """Records of the ores traded only under shared codes (spodumene, rare-earth concentrate).

    ``year, exporter, importer, hs6, quantity`` (t gross) of every source, for the codes of the
    mining-stage forms :func:`.origin_inputs.shared_ore_codes` names (the origin model's key).
    """
    from minsec.indicators.origin_inputs import shared_ore_codes

    codes = sorted({c for cs in shared_ore_codes(trade_forms(store)).values() for c in cs})
    if not codes:
        return pd.DataFrame(columns=["year", "exporter", "importer", "hs6", "quantity"])
    marks = ", ".join("?" * len(codes))
    return query(f"SELECT year, exporter, importer, hs6, quantity FROM trade "
                 f"WHERE hs6 IN ({marks})", list[object](codes), store)


def trade_gaps(store: Path | None = None) -> pd.DataFrame:
    """``mineral, stage, note`` where no form of the stage has any flow in the store."""
    return trade_forms_module.gaps(mineral_trade(store), trade_forms(store))


def supply(store: Path | None = None, edition: str | None = None,
           variable: str | None = None) -> pd.DataFrame:
    """Production, capacity and reserves rows (all editions unless one is named)."""
    return query("SELECT * FROM supply WHERE (? IS NULL OR edition = ?) "
                 "AND (? IS NULL OR variable = ?)", [edition, edition, variable, variable], store)


def governance(store: Path | None = None) -> pd.DataFrame:
    """WGI estimates of every vintage, with the vintage's ``revision`` and ``in_default``.

    ``country, year, indicator, estimate, source, vintage, revision, in_default``: revision is
    the vintage's newest WGI revision (the higher, the newer); in_default whether the default
    may take it.
    """
    return query("SELECT g.country, g.year, g.indicator, g.estimate, g.source, g.vintage, "
                 "v.revision, v.in_default FROM governance g "
                 "JOIN governance_vintage v USING (source, vintage)", store=store)


def governance_vintages(store: Path | None = None) -> pd.DataFrame:
    """The WGI vintages in the store, newest first.

    ``vintage, revision, label, in_default, source``.
    """
    return query("SELECT vintage, revision, label, in_default, source FROM governance_vintage "
                 "ORDER BY revision DESC, vintage DESC", store=store)


def membership(store: Path | None = None) -> pd.DataFrame:
    """MSP partners and forum members as countries: ``country, role``; EU27 is expanded."""
    return query("""
        SELECT DISTINCT coalesce(r.country, m.country) AS country, m.role
        FROM msp_member m
        LEFT JOIN region r ON m.country = 'EU27' AND r.grouping = 'eu27'
        WHERE m.role IN ('partner', 'forum') AND m."left" IS NULL""", store=store)


def lists(store: Path | None = None) -> pd.DataFrame:
    """Mineral list memberships: ``list, mineral``."""
    return query("SELECT DISTINCT list, mineral FROM mineral_list", store=store)


def minerals(store: Path | None = None) -> pd.DataFrame:
    """The mineral catalogue as loaded."""
    return query("SELECT * FROM mineral", store=store)


def prices(store: Path | None = None) -> pd.DataFrame:
    """Monthly prices: ``mineral, commodity, period, value, unit``."""
    return query("SELECT mineral, commodity, period, value, unit FROM price", store=store)


def us_statistics(store: Path | None = None, variable: str | None = None) -> pd.DataFrame:
    """USGS salient statistics and front-matter figures for the United States."""
    return query("SELECT * FROM us_statistics WHERE ? IS NULL OR variable = ?",
                 [variable, variable], store)


def eu_crm(table: str, store: Path | None = None) -> pd.DataFrame:
    """One of the EU CRM tables (``eu_crm_assessment``, ``eu_crm_supply_share``, ...)."""
    if not table.startswith("eu_crm_"):
        raise ValueError(f"not an EU CRM table: {table}")
    return query(f'SELECT * FROM "{table}"', store=store)


def region_members(grouping: str, store: Path | None = None) -> list[str]:
    """ISO3 codes of a grouping's members (e.g. ``eu27``, ``southeast_asia``)."""
    rows = query("SELECT DISTINCT country FROM region WHERE grouping = ? ORDER BY 1", [grouping],
                 store)
    return rows["country"].tolist()
