"""Moving open cases to another version of their procedure (迁移, ``/procedures/<key>/migrate``): a dry
run that says for each case whether it can move, then the move. The rules are
``engine.runtime.migration``; administrators only."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("migration", __name__, url_prefix="/procedures")

from . import routes  # noqa: E402,F401  (registers the views on bp)
