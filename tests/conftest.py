"""Test harness: every database test runs on SQLite and on PostgreSQL; mail goes to a real SMTP server.

PostgreSQL and the browser are *required* when ``CI`` is set (or ``KAIMEN_REQUIRE_POSTGRES`` /
``KAIMEN_REQUIRE_BROWSER``); on a laptop without them those tests are skipped with a reason.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import has_app_context

from portal import create_app
from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.extensions import db

POSTGRES_URL = os.environ.get(
    "KAIMEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct horse battery"


def required(name: str) -> bool:
    return bool(os.environ.get("CI") or os.environ.get(name))


def _postgres_reachable() -> str | None:
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as error:
        return str(error).splitlines()[0]
    finally:
        engine.dispose()
    return None


def _postgres_schema_url() -> tuple[str, str]:
    """A schema of this test process's own, so that several test runs can share the database."""
    schema = f"kaimen_test_{os.getpid()}"
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return schema, f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _drop_postgres_schema(schema: str) -> None:
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database brought to the newest migration, once per backend per test session."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kaimen.sqlite3'}"
    else:
        problem = _postgres_reachable()
        if problem:
            if required("KAIMEN_REQUIRE_POSTGRES"):
                pytest.fail(f"PostgreSQL is required here but unreachable: {problem}")
            pytest.skip(f"PostgreSQL unreachable: {problem}")
        schema, url = _postgres_schema_url()
    app = create_app(_test_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if schema:
        _drop_postgres_schema(schema)


def _test_config(url: str, instance) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": None,
        "KAIMEN_BASE_URL": "http://kaimen.test",
        "KAIMEN_MAIL_DOMAIN": "kaimen.test",
        "MAIL_DEFAULT_SENDER": "开门 Kaimen <noreply@kaimen.test>",
        "SERVER_NAME": None,
        # Still scrypt, at a cost that keeps the suite quick.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }


def _written_tables(tables: list[str]) -> list[str]:
    """The tables a test wrote to (in the order given): those with rows, and those whose id
    sequence was used (an insert that rolled back leaves the table empty but the sequence moved)."""
    probes = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in tables
    )
    written = set(db.session.scalars(sa.text(probes)))
    used_sequences = db.session.scalars(
        sa.text(
            "SELECT sequencename FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    )
    for sequence in used_sequences:
        table = sequence.removesuffix("_id_seq")
        if table in tables:
            written.add(table)
    return [name for name in tables if name in written]


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # DELETE of the few tables a test wrote beats TRUNCATE, whose per-table file work (and
        # CASCADE over every referencing table) costs ~0.2 s per test; then the used id
        # sequences start again at 1, as RESTART IDENTITY would.
        written = _written_tables(tables)
        try:
            with db.session.begin_nested():
                for name in written:
                    db.session.execute(sa.text(f"DELETE FROM {name}"))
        except sa.exc.IntegrityError:  # a reference cycle the order cannot untie
            db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        db.session.execute(
            sa.text(
                "SELECT setval(format('%I', sequencename)::regclass, 1, false) FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )
    else:
        for name in tables:
            db.session.execute(sa.text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture
def app_config() -> dict:
    """Override settings for one test by changing this dict before ``app`` is used."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path):
    config = {**_test_config(database_url, tmp_path), "KAIMEN_INSTANCE_PATH": str(tmp_path)}
    application = create_app({**config, **app_config})
    with application.app_context():
        yield application
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name


class Client:
    """A test client that sends the CSRF token the way a browser's form would.

    Each request runs in an application context of its own, as on a server: otherwise it would
    share ``g`` and the database session with the test's context (and with earlier requests).
    After a request, the test's own session is expired so that it reads what the request wrote.
    """

    TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()

    def _send(self, method: str, *args, **kwargs):
        with self.app.app_context():
            response = getattr(self.http, method)(*args, **kwargs)
            response.get_data()  # read a streamed body (a download) so the file can be closed
            response.close()
        if has_app_context():
            db.session.expire_all()
        return response

    def get(self, *args, **kwargs):
        return self._send("get", *args, **kwargs)

    def csrf_token(self, page: str = "/") -> str:
        match = self.TOKEN.search(self.get(page).get_data(as_text=True))
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token()
        return self._send("post", url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post("/account/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.post("/account/logout")


@pytest.fixture
def client(app) -> Client:
    return Client(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(
    email: str = "user@example.com",
    *,
    name: str = "测试用户",
    roles: set[Role] = frozenset(),
    verified: bool = True,
    password: str = PASSWORD,
) -> User:
    user = accounts.create_user(email, name, password, roles=set(roles), verified=verified)
    db.session.commit()
    return user


@pytest.fixture
def citizen(app) -> User:
    return make_user("citizen@example.com", name="市民甲")


@pytest.fixture
def moderator(app) -> User:
    return make_user("moderator@example.com", name="版主乙", roles={Role.MODERATOR})


@pytest.fixture
def officer(app) -> User:
    return make_user("officer@example.com", name="经办人丙", roles={Role.OFFICER})


@pytest.fixture
def admin(app) -> User:
    return make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` counts the SQL statements the block runs."""
    import contextlib

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting


# --- a real SMTP server ---------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: bool = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 try again later"
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [item.message for item in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 in this process; its port is free for the test's duration."""
    handler = SmtpServer("127.0.0.1", free_port())
    controller = Controller(handler, hostname=handler.host, port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mail_to_smtp(app, smtp_server) -> SmtpServer:
    """Point the app's outbound mail at the test SMTP server."""
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    return smtp_server
