"""My tasks (the home page) and a task's page."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

from . import routes  # noqa: E402,F401  (registers the views on bp)
