"""API tokens: how a program (a WeCom bot, the school portal) acts as a user through the JSON API.

A token is shown once when it is made; only its SHA-256 is stored (a token carries 256 random bits, so a
slow password hash would add nothing but cost on every request). A token acts exactly as its user does
in the web UI, until it expires or is revoked; making and revoking tokens are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.people.users import get_user
from engine.storage.models import ApiToken, User
from engine.storage.prepared import Prepared
from engine.time.clock import Clock

PREFIX = "sf_"
MAX_TOKEN_CHARS = 128  # anything longer in a header is refused without hashing it


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenView:
    id: int
    user: str
    name: str | None
    prefix: str
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _view(t: ApiToken) -> TokenView:
    return TokenView(
        t.id,
        t.user.name,
        t.name,
        t.prefix,
        t.created_at,
        t.created_by,
        t.expires_at,
        t.revoked_at,
        t.last_used_at,
    )


def create_token(
    session: Session,
    user: str,
    *,
    clock: Clock,
    name: str | None = None,
    expires_at: datetime | None = None,
    actor: str | None = None,
) -> tuple[TokenView, str]:
    """Make a token for ``user``; returns it and its secret, which is never shown again.

    :raises NotFound: no such user.
    :raises NotAllowed: ``actor`` is neither ``user`` nor an administrator.
    :raises InvalidInput: the expiry is not in the future.
    """
    owner = get_user(session, user)
    _check_actor(session, actor, owner)
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("a token must expire in the future", {"expires": "this moment has passed"})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        name=(name or None),
        token_hash=_digest(secret),
        prefix=secret[:10],
        created_at=now,
        created_by=actor,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        "token.created",
        clock=clock,
        actor=actor,
        user=owner.name,
        token=token.id,
        name=token.name,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    return _view(token), secret


def list_tokens(session: Session, user: str | None = None) -> list[TokenView]:
    query = sa.select(ApiToken).join(User).order_by(ApiToken.id)
    if user is not None:
        query = query.where(User.name == user)
    return [_view(t) for t in session.scalars(query)]


def revoke_token(session: Session, token_id: int, *, clock: Clock, actor: str | None = None) -> bool:
    """Revoke a token at once; False if it was already revoked.

    :raises NotFound: no such token (or, for a user who is not its owner nor an administrator, not theirs).
    """
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"there is no token {token_id}")
    try:
        _check_actor(session, actor, token.user)
    except NotAllowed:
        raise NotFound(f"there is no token {token_id}") from None
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    session.flush()
    audit.record(session, "token.revoked", clock=clock, actor=actor, user=token.user.name, token=token.id)
    return True


# Prepared: every API request runs it before anything else (engine.storage.prepared).
_BY_HASH = Prepared(
    sa.select(ApiToken.id, User.name, ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at)
    .join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == sa.bindparam("h"))
)


@dataclass(frozen=True)
class Caller:
    """Who a valid token acts as; what a request needs of it."""

    token_id: int
    user: str
    last_used_at: datetime | None


def authenticate(session: Session, secret: str, now: datetime) -> Caller | None:
    """Who ``secret`` acts as, or None for an unknown, expired or revoked token. Reads only, one statement
    (every API request runs it)."""
    if not secret.startswith(PREFIX) or len(secret) > MAX_TOKEN_CHARS:
        return None
    row = _BY_HASH.first(session.connection(), {"h": _digest(secret)})
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Caller(row.id, row.name, row.last_used_at)


def needs_touch(token: Caller, now: datetime) -> bool:
    """Whether to record a use: at most once a minute, so a busy program does not write on every call."""
    return token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60


def touch(session: Session, token_id: int, now: datetime) -> None:
    session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def _check_actor(session: Session, actor: str | None, owner: User) -> None:
    # Without an actor the caller is the server's operator at the command line.
    if actor is not None and actor != owner.name and not get_user(session, actor).is_admin:
        raise NotAllowed("only an administrator can manage another person's tokens")
