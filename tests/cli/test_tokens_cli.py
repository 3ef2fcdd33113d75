"""``schoolflow tokens``: a token is shown once, stored only as a hash, and stops working when revoked."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from engine.people import tokens
from engine.storage.db import make_engine, make_sessionmaker
from engine.storage.models import ApiToken
from engine.time.clock import SystemClock
from tests.cli.test_cli import Cli, sf  # noqa: F401 - the fixture


def test_create_list_revoke(sf: Cli):  # noqa: F811
    sf("users", "add", "bot", "--groups", "office")
    sf("users", "add", "eve", "--groups", "office")
    out = sf("tokens", "create", "bot", "--name", "WeCom bot", "--expires", "2099-12-31").stdout
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("sf_") and len(secret) > 40 and "shown only now" in out

    Session = make_sessionmaker(make_engine(sf.url))  # noqa: N806
    now = SystemClock().now()
    with Session() as s:
        assert secret not in {t.token_hash for t in s.scalars(sa.select(ApiToken))}  # only the hash is kept
        assert tokens.authenticate(s, secret, now).user == "bot"
        assert tokens.authenticate(s, secret + "x", now) is None
        assert tokens.authenticate(s, secret, now + timedelta(days=365 * 80)) is None  # after 2099

    [row] = sf.json("tokens", "list")
    assert (row["user"], row["name"], row["state"]) == ("bot", "WeCom bot", "active")
    assert secret not in sf("tokens", "list").stdout

    refused = sf.fails("tokens", "revoke", str(row["id"]), "--as", "eve")
    assert f"there is no token {row['id']}" in refused.stderr  # another user's token does not exist for eve
    assert sf("tokens", "revoke", str(row["id"])).stdout == f"token {row['id']} revoked\n"
    with Session() as s:
        assert tokens.authenticate(s, secret, now) is None
    assert sf.json("tokens", "list")[0]["state"] == "revoked"


def test_a_past_expiry_and_a_bad_date_are_refused(sf: Cli):  # noqa: F811
    sf("users", "add", "bot")
    assert (
        "must expire in the future" in sf.fails("tokens", "create", "bot", "--expires", "2001-01-01").stderr
    )
    assert "is not a date" in sf.fails("tokens", "create", "bot", "--expires", "soon").stderr
    assert "eve" in sf.fails("tokens", "create", "eve").stderr  # no such user
