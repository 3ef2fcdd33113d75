"""Signing in and out, and the language a person reads the pages in."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes  # noqa: E402,F401  (registers the views on bp)
