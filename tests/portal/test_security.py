"""Headers, cookies, CSRF, rate limits and error pages that every page relies on."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def test_security_headers_forbid_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_contain_no_inline_script(client):
    for path in ["/", "/account/login", "/account/register", "/account/reset", "/nowhere"]:
        page = client.get(path).get_data(as_text=True)
        assert "<script" not in page and "onclick" not in page and "style=" not in page


def test_session_cookie_is_httponly_and_lax(client, citizen):
    response = client.login(citizen.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.mark.parametrize("app_config", [{"KAIMEN_HTTPS": True, "SESSION_COOKIE_SECURE": True}])
def test_secure_cookie_and_hsts_when_https(client, citizen, app_config):
    response = client.login(citizen.email)
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age" in client.get("/").headers["Strict-Transport-Security"]


def test_https_base_url_turns_on_secure_cookies():
    from portal.config import Config

    conf = Config.from_env({"KAIMEN_BASE_URL": "https://kaimen.hangzhou.gov.cn"})
    assert conf["SESSION_COOKIE_SECURE"] and conf["REMEMBER_COOKIE_SECURE"]
    assert conf["PREFERRED_URL_SCHEME"] == "https"


def test_every_post_needs_csrf(client, citizen):
    for path, data in [
        ("/account/login", {"email": citizen.email, "password": PASSWORD}),
        ("/account/register", {"email": "a@example.com"}),
        ("/account/reset", {"email": citizen.email}),
        ("/account/logout", {}),
    ]:
        response = client.post(path, data, csrf=False)
        assert response.status_code == 400, path
        assert "reload the page" in response.get_data(as_text=True) or "重新" in response.get_data(
            as_text=True
        )


@pytest.mark.parametrize("code", [404])
def test_error_pages_are_our_own(client, code):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert 'class="skip-link"' in page and "404" in page


def test_server_error_page_is_generic(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("database password is hunter2")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "hunter2" not in page and "Traceback" not in page and "500" in page


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}]
)
def test_login_rate_limit_answers_429_with_a_readable_page(client, citizen, app_config):
    for _ in range(3):
        assert (
            client.post(
                "/account/login", {"email": citizen.email, "password": "wrong one!"}
            ).status_code
            == 200
        )
    blocked = client.post("/account/login", {"email": citizen.email, "password": PASSWORD})
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "<h1>" in page and "429" in page and 'lang="zh-Hans-CN"' in page
    assert "Retry-After" in blocked.headers
    # Reading the page is not limited: only attempts are.
    assert client.get("/account/login").status_code == 200


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_REGISTER": "2 per minute",
            "RATELIMIT_RESET": "2 per minute",
        }
    ],
)
def test_register_and_reset_are_rate_limited(client, app_config):
    for _ in range(2):
        client.post("/account/reset", {"email": "x@example.com"})
        client.post("/account/register", {"email": "x@example.com"})
    assert client.post("/account/reset", {"email": "x@example.com"}).status_code == 429
    assert client.post("/account/register", {"email": "x@example.com"}).status_code == 429


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip():
    import os

    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()  # database 15 belongs to the tests
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI but unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    return client


def test_rate_limits_are_shared_between_app_servers_through_redis(
    database_url, tmp_path, monkeypatch
):
    """Two app servers with KAIMEN_REDIS_URL count login attempts together, in Redis."""
    from portal import create_app
    from tests.conftest import Client, _test_config

    redis_client = _redis_or_skip()
    monkeypatch.setenv("KAIMEN_REDIS_URL", REDIS_URL)
    servers = []
    for _ in range(2):
        config = _test_config(database_url, tmp_path)
        del config["RATELIMIT_ENABLED"]
        config.update(RATELIMIT_LOGIN="3 per minute")
        config.pop("RATELIMIT_STORAGE_URI", None)
        app = create_app(config)
        assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        servers.append(app)
    one, two = Client(servers[0]), Client(servers[1])
    attempt = {"email": "nobody@example.com", "password": "not the password"}
    assert one.post("/account/login", attempt).status_code == 200
    assert two.post("/account/login", attempt).status_code == 200
    assert one.post("/account/login", attempt).status_code == 200
    assert two.post("/account/login", attempt).status_code == 429
    assert any(b"login" in key for key in redis_client.keys("*")), "the counts are not in Redis"
    for app in servers:
        with app.app_context():
            from portal.extensions import db

            db.engine.dispose()
