"""Outlook: demand scenarios, recycling as a secondary supply, and the national targets.

Called, ``minsec.outlook(mineral, scenario, importer)`` is :func:`minsec.api.outlook`.
"""

from minsec.api import front_door

front_door(__name__)
