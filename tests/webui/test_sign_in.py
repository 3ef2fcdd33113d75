"""Signing in and out of the staff pages: who gets in, what a stranger learns, what a browser keeps."""
from __future__ import annotations

import re

from click.testing import CliRunner

from cli.main import cli
from engine.people import passwords
from tests.webui.conftest import PASSWORD, csrf_token, sign_in


def test_every_staff_page_sends_a_stranger_to_sign_in_and_back(client, staff):
    staff("ma", "reception")
    for path in ("/", "/tasks/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    answer = client.get("/tasks/?view=queue")
    assert answer.headers["Location"] == "/login?next=/tasks/?view%3Dqueue"
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"username": "ma", "password": PASSWORD, "csrf_token": token,
                                         "next": "/tasks/?view=queue"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/tasks/?view=queue"
    assert client.get("/tasks/").status_code == 200


def test_the_public_pages_need_no_sign_in(client):
    assert client.get("/track").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/tasks").status_code == 401  # the API answers for itself, in JSON


def test_an_htmx_poll_after_the_session_ended_redirects_the_whole_page(client):
    answer = client.get("/tasks/", headers={"HX-Request": "true"})
    assert answer.status_code == 401 and answer.headers["HX-Redirect"] == "/login"


def test_unknown_user_wrong_password_and_no_password_get_the_same_answer(client, staff, harness):
    staff("ma", "reception")
    harness.user("li", "reception")  # added without a password: cannot sign in
    answers = [sign_in(client, "nobody", PASSWORD), sign_in(client, "ma", "wrong password"),
               sign_in(client, "li", "")]
    # the same page apart from the CSRF token and the name typed back into the field
    texts = [re.sub(r'(value|content)="[^"]*"', "", a.get_data(as_text=True)) for a in answers]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert "用户名或密码不正确。" in texts[0]
    assert texts[0] == texts[1] == texts[2]
    assert client.get("/tasks/").status_code == 302  # still signed out


def test_the_typed_name_is_kept_after_a_wrong_password(client, staff):
    staff("ma")
    html = sign_in(client, "ma", "nope").get_data(as_text=True)
    assert 'name="username" value="ma"' in html
    assert "nope" not in html  # never the password


def test_a_foreign_next_address_is_ignored(app, staff):
    staff("ma")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "tasks"):
        answer = sign_in(app.test_client(), "ma", next=target)
        assert answer.status_code == 302 and answer.headers["Location"] == "/", target


def test_sign_out_is_a_post_with_csrf(client, staff):
    staff("ma")
    sign_in(client, "ma")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token: refused, still signed in
    assert client.get("/tasks/").status_code == 200
    token = csrf_token(client, "/tasks/")
    assert client.post("/logout", data={"csrf_token": token}).headers["Location"] == "/login"
    assert client.get("/tasks/").status_code == 302


def test_sign_in_without_csrf_token_is_refused(client, staff):
    staff("ma")
    answer = client.post("/login", data={"username": "ma", "password": PASSWORD})
    assert answer.status_code == 400 and "页面已过期" in answer.get_data(as_text=True)
    assert client.get("/tasks/").status_code == 302


def test_failed_attempts_on_one_account_are_limited_even_with_the_right_password_after(app, client, staff):
    staff("ma")
    for _ in range(5):
        assert sign_in(client, "ma", "guess").status_code == 401
    blocked = sign_in(client, "ma", PASSWORD)
    assert blocked.status_code == 429 and "登录失败次数过多" in blocked.get_data(as_text=True)
    # another account from the same address is not blocked by ma's count
    staff("li")
    assert sign_in(client, "li", PASSWORD).status_code == 302


def test_failed_attempts_from_one_address_are_limited_across_accounts(app, staff):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "3 per 10 minutes"
    staff("ma")
    client = app.test_client()
    for name in ("a1", "a2", "a3"):
        assert sign_in(client, name, "guess").status_code == 401
    assert sign_in(client, "ma", PASSWORD).status_code == 429
    fresh = app.test_client()  # another address is not affected
    answer = fresh.post("/login", data={"username": "ma", "password": PASSWORD,
                                        "csrf_token": csrf_token(fresh, "/login")},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert answer.status_code == 302


def test_successful_sign_ins_do_not_count(client, staff):
    staff("ma")
    for _ in range(8):
        assert sign_in(client, "ma").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks/")})


def test_session_cookie_is_httponly_lax_and_secure_over_https(app, staff):
    staff("ma")
    plain = app.test_client()
    cookie = sign_in(plain, "ma").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    page = secure.get("/login", base_url="https://school.example").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = secure.post("/login", data={"username": "ma", "password": PASSWORD, "csrf_token": token},
                         base_url="https://school.example",
                         headers={"Referer": "https://school.example/login"})
    assert answer.status_code == 302 and "Secure" in answer.headers["Set-Cookie"]


def test_a_new_password_signs_out_the_old_sessions(client, staff, harness):
    staff("ma")
    sign_in(client, "ma")
    with harness.Session.begin() as s:
        passwords.set_password(s, "ma", "another password")
    assert client.get("/tasks/").status_code == 302


def test_pages_carry_a_strict_csp_and_no_inline_script(client, staff):
    staff("ma")
    sign_in(client, "ma")
    for path in ("/login", "/tasks/"):
        answer = client.get(path)
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        html = answer.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " on" + "click=" not in html
        assert "style=" not in html


def test_the_language_switch_is_remembered_for_the_user(app, client, staff):
    staff("ma")
    sign_in(client, "ma")
    assert "我的待办" in client.get("/tasks/").get_data(as_text=True)
    token = csrf_token(client, "/tasks/")
    answer = client.post("/language", data={"locale": "en", "next": "/tasks/", "csrf_token": token})
    assert answer.headers["Location"] == "/tasks/"
    html = client.get("/tasks/").get_data(as_text=True)
    assert "My tasks" in html and '<html lang="en">' in html
    # remembered: another browser, signing in again, gets English at once
    other = app.test_client()
    sign_in(other, "ma")
    assert "Sign out" in other.get("/tasks/").get_data(as_text=True)


def test_chinese_is_the_default_even_for_an_english_browser_until_english_is_chosen(client):
    html = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "登录" in html and '<html lang="zh-CN">' in html
    token = csrf_token(client, "/login")
    client.post("/language", data={"locale": "en", "next": "/login", "csrf_token": token})
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html and "用户名" not in html  # chosen before signing in: kept for this browser


def test_cli_users_add_with_password_stdin_and_set_password(db_url, harness):
    runner = CliRunner()
    done = runner.invoke(cli, ["--db", db_url, "users", "add", "wang", "--groups", "office",
                               "--password-stdin"], input="first password\n")
    assert done.exit_code == 0, done.output
    with harness.Session() as s:
        assert passwords.check_password(s, "wang", "first password") is not None
        assert passwords.check_password(s, "wang", "first password\n") is None
    done = runner.invoke(cli, ["--db", db_url, "users", "set-password", "wang"], input="second password\n")
    assert done.exit_code == 0 and "password of wang set" in done.output
    with harness.Session() as s:
        assert passwords.check_password(s, "wang", "first password") is None
        assert passwords.check_password(s, "wang", "second password") is not None
    short = runner.invoke(cli, ["--db", db_url, "users", "set-password", "wang"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    none = runner.invoke(cli, ["--db", db_url, "users", "add", "zhao"])
    assert "cannot sign in" in none.output
    unknown = runner.invoke(cli, ["--db", db_url, "users", "set-password", "nobody"], input="long enough\n")
    assert unknown.exit_code == 1 and "no user named 'nobody'" in unknown.output
