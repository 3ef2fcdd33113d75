"""Starting a case (发起): the procedures this person may start, the start form, the slip."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("start", __name__, url_prefix="/start")

from . import routes  # noqa: E402,F401  (registers the views on bp)
