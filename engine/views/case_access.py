"""A case addressed by the case number a person typed, if they may see it.

The rule of who may see a case is ``engine.views.visibility`` (one rule for the web UI, the API and
``show --as``); this only adds what the pages need: a case is addressed by its number, never by an
internal id, and a case one may not see is answered exactly as a number nobody uses.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.views import visibility


def check_may_see(session: Session, case_number: str, user: str, now: datetime) -> int:
    """The instance id of the case with that number (``TS-2026-000001``; case and spaces ignored), when
    ``user`` may see it at ``now`` (duty covers count then).

    :raises NotFound: no such case, or one ``user`` may not see: the same error for both.
    """
    text = case_number.strip()
    if not text or text.isdigit():  # an internal id is not a case number
        raise NotFound(f"no such case: {text[:visibility.MAX_REF]}")
    return visibility.find_case(session, text, user, now=now).id
