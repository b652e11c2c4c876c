"""The field types of a scenario spec: names people type, URLs, bounds, per-mineral values.

Each validator turns a lookup's error into the field's own error, so that
:mod:`~minsec.scenarios._errors` can report it with the field's path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from difflib import get_close_matches
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag

from minsec.countries import AGGREGATES, resolve
from minsec.errors import MinsecError
from minsec.reference import mineral_id


def _named(lookup: Callable[[str], str]) -> Callable[[Any], str]:
    """A validator for names given by people: ``lookup``'s error becomes the field's error."""
    def check(value: Any) -> str:
        if not isinstance(value, str):
            quote = "; YAML reads yes/no/on/off/NO as booleans: quote it" * isinstance(value, bool)
            raise ValueError(f"must be a name or code (got {value!r}{quote})")
        try:
            return lookup(value)
        except MinsecError as exc:
            raise ValueError(str(exc)) from None
    return check


BLOCS = ("EU27",)  # aggregates that import as one (minsec.scenarios.baseline.as_bloc)


def _not_aggregate(code: str) -> str:
    if code in AGGREGATES:
        raise ValueError(f"{code} is an aggregate ({AGGREGATES[code]}), not a country")
    return code


def _country_or_bloc(code: str) -> str:
    if code in AGGREGATES and code not in BLOCS:
        raise ValueError(f"{code} is an aggregate ({AGGREGATES[code]}), not a country or a "
                         f"bloc ({', '.join(BLOCS)})")
    return code


def _url(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"https?://\S+", value):
        raise ValueError(f"must be a URL starting with http:// or https:// (got {value!r})")
    return value


def _importers(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if near := get_close_matches(value, get_args(TargetGroup), n=1, cutoff=0.7):
        raise ValueError(f"must be {', '.join(get_args(TargetGroup))} or a list of importers "
                         f"(got {value!r}; did you mean {near[0]}?)")
    return [value]


def _non_empty(items: tuple[Any, ...]) -> tuple[Any, ...]:
    if not items:
        raise ValueError("needs at least one item")
    return items


TargetGroup = Literal["all", "non_partners", "partners"]
Iso3 = Annotated[str, BeforeValidator(_named(resolve)), AfterValidator(_not_aggregate)]
Importer = Annotated[str, BeforeValidator(_named(resolve)), AfterValidator(_country_or_bloc)]
MineralId = Annotated[str, BeforeValidator(_named(mineral_id))]
Url = Annotated[str, BeforeValidator(_url)]
NonNegative = Annotated[float, Field(ge=0)]
Negative = Annotated[float, Field(lt=0)]
Countries = Annotated[tuple[Iso3, ...], AfterValidator(_non_empty)]


_PICK = Discriminator(lambda v: "per_mineral" if isinstance(v, Mapping) else "fixed")
# Unions validated on one branch only (picked by the discriminator), so an error stays single.
PerMineral = Annotated[Annotated[NonNegative, Tag("fixed")]
                       | Annotated[dict[MineralId, NonNegative], Tag("per_mineral")], _PICK]
Elasticity = Annotated[Annotated[Negative, Tag("fixed")]
                       | Annotated[dict[MineralId, Negative], Tag("per_mineral")], _PICK]
Targets = Annotated[Annotated[TargetGroup, Tag("group")]
                    | Annotated[Countries, BeforeValidator(_importers), Tag("importers")],
                    Discriminator(lambda v: "group" if v in get_args(TargetGroup) else "importers")]
