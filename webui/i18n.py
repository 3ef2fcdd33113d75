"""Languages: Simplified Chinese by default (whatever the browser asks for), English when chosen.

Message ids are English, so English needs no catalog; the Chinese one is ``zh_Hans_CN`` (Babel
normalises ``zh_CN`` to ``zh_Hans_CN`` and would not find a ``zh_CN`` folder).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, session
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.time.school_time import SchoolTime, school_time

from .db import read_session

DEFAULT = "zh_Hans_CN"
LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}
HTML_LANG = {"zh_Hans_CN": "zh-CN", "en": "en"}


def select_locale() -> str | None:
    """The signed-in user's choice, else this browser session's choice, else None (Flask-Babel then
    uses ``BABEL_DEFAULT_LOCALE``: Simplified Chinese, whatever language the browser asks for)."""
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return str(chosen)
    return None


def select_timezone() -> str:
    """Times are shown in the school's time zone (engine settings, read with the engine's defaults)."""
    return _zone().key


def school_times(session: Session) -> SchoolTime:
    """The school's time zone and office-day end, read in ``session`` (a view that needs them anyway);
    the request's times are then shown in that zone without reading the settings again."""
    times = school_time(session)
    g.school_zone = times.tz
    return times


def _zone() -> ZoneInfo:
    """The school's time zone, read once per request (in a short session of its own unless a view read it)."""
    if "school_zone" not in g:
        with read_session() as s:
            g.school_zone = school_time(s).tz
    zone: ZoneInfo = g.school_zone
    return zone


def current_locale() -> str:
    from flask_babel import get_locale

    locale = str(get_locale())
    return "en" if locale.startswith("en") else DEFAULT


def html_lang() -> str:
    return HTML_LANG[current_locale()]


def local_minutes(moment: datetime | None) -> str:
    """A moment in the school's time zone, to the minute: ``2026-09-30 17:30``."""
    if moment is None:
        return ""
    return moment.astimezone(_zone()).strftime("%Y-%m-%d %H:%M")
