"""A case's page (案件, ``/cases/<case number>``) with its diagram, and my cases (经办案件, ``/cases/``)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from . import routes  # noqa: E402,F401  (registers the views on bp)
