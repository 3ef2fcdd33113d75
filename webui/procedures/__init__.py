"""The procedures pages for administrators (流程管理, ``/procedures/``): each procedure's versions, the
diagram and file of any version, and uploading a new file (stored as a staged version)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("procedures", __name__, url_prefix="/procedures")

from . import routes  # noqa: E402,F401  (registers the views on bp)
