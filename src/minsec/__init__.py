"""minsec: critical-minerals supply security from official data.

The front door::

    >>> import minsec
    >>> minsec.build()                                   # doctest: +SKIP
    >>> minsec.profile("gallium", edition="mcs2024")     # doctest: +SKIP
    >>> minsec.iso3("Korea, Republic of")
    'KOR'
"""

from minsec.countries import iso3
from minsec.errors import MinsecError, SourceError
from minsec.profile import Profile, profile
from minsec.store import build, query, status

__all__ = ["MinsecError", "Profile", "SourceError", "build", "iso3", "profile", "query", "status"]
__version__ = "0.1.0"
