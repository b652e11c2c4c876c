"""``minsec serve``: the web app (FastAPI), its pages, JSON twins, jobs and exports."""

from __future__ import annotations

from minsec.web.app import create_app

__all__ = ["create_app"]
