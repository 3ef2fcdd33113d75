"""Activating a staged version of a procedure (启用, ``/procedures/<key>/<version>/activate``): the lanes
and groups it will use, its parameters, what blocks it and what changed against the active version.
The rules are ``engine.definitions.activation``, ``params`` and ``compare``; administrators only."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("activation", __name__, url_prefix="/procedures")

from . import routes  # noqa: E402,F401  (registers the views on bp)
