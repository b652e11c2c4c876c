"""minsec: critical-minerals supply security from official data.

The front door (the store: ``store=`` or ``$MINSEC_STORE``; :mod:`minsec.api`)::

    >>> import minsec
    >>> minsec.build()                                   # doctest: +SKIP
    >>> minsec.profile("gallium", edition="mcs2024")     # doctest: +SKIP
    >>> minsec.assess("KOR").head()                      # doctest: +SKIP
    >>> minsec.trend("graphite", "KOR")                  # doctest: +SKIP
    >>> minsec.compare(["KOR", "JPN"], minerals=["gallium"])  # doctest: +SKIP
    >>> minsec.scenario("CN-2023-graphite", draws=1000).summary  # doctest: +SKIP
    >>> minsec.outlook("lithium", "APS").demand          # doctest: +SKIP
    >>> minsec.targets("KOR").tracked                    # doctest: +SKIP
    >>> minsec.report("KOR", out="out")                  # doctest: +SKIP
    >>> minsec.iso3("Korea, Republic of")
    'KOR'
"""

import minsec.outlook as outlook  # a package, and called the front door's outlook()
import minsec.report as report  # a package, and called the front door's report()
from minsec.api import assess, compare, scenario, targets, trend
from minsec.countries import iso3
from minsec.errors import MinsecError, SourceError
from minsec.profile import Profile, profile
from minsec.store import build, query, status

__all__ = ["MinsecError", "Profile", "SourceError", "assess", "build", "compare", "iso3",
           "outlook", "profile", "query", "report", "scenario", "status", "targets", "trend"]
__version__ = "0.1.0"
