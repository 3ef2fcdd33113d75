"""Drafts of procedure files edited in the browser: what an administrator saved that was refused.

A refused save must lose nothing: the file goes here with the reasons, one draft per administrator and
process key (``""``: a new diagram), and the modeler offers it back. A version deployed from the modeler
removes the draft it came from.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import Problem
from engine.people.users import require_admin
from engine.storage.models import DefinitionDraft
from engine.time.clock import Clock


def problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"file": p.file, "line": p.line, "element_id": p.element_id, "message": p.message} for p in problems]


def save_draft(session: Session, key: str, author: str, xml: str, problems: list[Problem], *, clock: Clock,
               based_on_version: int | None = None) -> DefinitionDraft:
    """Keep ``xml`` as ``author``'s draft of ``key``, replacing the one before.

    :raises NotAllowed: ``author`` is not an administrator.
    """
    require_admin(session, author, "keep procedure drafts")
    draft = get_draft(session, key, author)
    if draft is None:
        draft = DefinitionDraft(process_key=key, author=author)
        session.add(draft)
    draft.bpmn_xml = xml
    draft.problems = problem_dicts(problems)
    draft.based_on_version = based_on_version
    draft.saved_at = clock.now()
    session.flush()
    return draft


def get_draft(session: Session, key: str, author: str) -> DefinitionDraft | None:
    return session.scalar(sa.select(DefinitionDraft).where(DefinitionDraft.process_key == key,
                                                           DefinitionDraft.author == author))


def discard_draft(session: Session, key: str, author: str) -> bool:
    """Remove ``author``'s draft of ``key``; False when there was none."""
    done = session.execute(sa.delete(DefinitionDraft).where(DefinitionDraft.process_key == key,
                                                            DefinitionDraft.author == author))
    return bool(done.rowcount)
