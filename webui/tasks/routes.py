"""The inbox: the signed-in person's tasks (engine.views.queries decides which)."""
from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from engine.views import queries

from ..db import get_session
from . import bp


@bp.route("/")
def index() -> str:
    now = current_app.config["CLOCK"].now()
    rows = queries.task_list_json(get_session(read_only=True), current_user.name, now)
    return render_template("tasks/index.html", tasks=rows)
