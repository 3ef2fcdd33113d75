"""The administrators' modeler (流程设计): edit a version of a procedure, or draw a new one, in bpmn-js
with the Camunda 7 properties, and save it as the next (staged) version. A refused save keeps the file
as a draft (``engine.definitions.drafts``)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("modeler", __name__)

from . import routes  # noqa: E402,F401  (registers the views on bp)
