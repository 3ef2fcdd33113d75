"""Duty cover (代岗): arrange, list and cancel a colleague's cover of one's tasks (engine.people.substitution)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("covers", __name__, url_prefix="/covers")

from . import routes  # noqa: E402,F401  (registers the views on bp)
