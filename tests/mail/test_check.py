"""``flask mail check`` against real SMTP servers on 127.0.0.1 (aiosmtpd): each failure names
the setting to change, and nothing is sent unless asked."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from advocacy.mail import check

from .test_delivery import Recorder, _free_port

# The login test server has no TLS, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


class Server:
    """A plain SMTP relay (no STARTTLS), optionally requiring a login (user / secret)."""

    def __init__(self, auth: bool = False) -> None:
        self.port = _free_port()
        self.handler = Recorder()
        options = {}
        if auth:
            options = {
                "authenticator": self.authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

    @staticmethod
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"user",
            b"secret",
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def relay(app):
    server = Server()
    server.controller.start()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_USE_TLS=True,  # the default
        MAIL_USE_SSL=False,
        MAIL_TIMEOUT=5.0,
    )
    yield server
    server.controller.stop()


@pytest.fixture
def auth_relay(app, relay):
    server = Server(auth=True)
    server.controller.start()
    app.config.update(MAIL_PORT=server.port, MAIL_USE_TLS=False)
    yield server
    server.controller.stop()


def mail_check(runner, *args):
    return runner.invoke(args=["mail", "check", *args])


def test_a_plain_relay_with_tls_on_says_to_turn_it_off(runner, relay):
    result = mail_check(runner)

    assert result.exit_code == 1
    assert "ok   Connected to 127.0.0.1" in result.output
    assert "ok   EHLO accepted" in result.output
    assert "FAIL STARTTLS: not offered" in result.output
    assert check.STARTTLS_HINT in result.output
    assert "MAIL_USE_TLS=false" in check.STARTTLS_HINT
    assert relay.handler.messages == []


def test_a_plain_relay_with_tls_off_works_and_sends_nothing_unasked(app, runner, relay):
    app.config["MAIL_USE_TLS"] = False

    result = mail_check(runner)

    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert "No message sent" in result.output
    assert result.output.strip().endswith("The mail settings work.")
    assert relay.handler.messages == []


def test_send_to_sends_one_test_message(app, runner, relay):
    app.config["MAIL_USE_TLS"] = False

    result = mail_check(runner, "--send-to", "me@example.com")

    assert result.exit_code == 0, result.output
    assert "Test message to me@example.com accepted" in result.output
    [message] = relay.handler.messages
    assert message["To"] == "me@example.com" and message["Message-ID"]
    assert mail_check(runner, "--send-to", "not-an-address").exit_code == 2


def test_a_refused_port_points_at_server_and_port(app, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_TIMEOUT=5.0)

    result = mail_check(runner)

    assert result.exit_code == 1
    assert "ConnectionRefusedError" in result.output
    assert check.CONNECT_HINT in result.output and "MAIL_PORT" in check.CONNECT_HINT


def test_ssl_on_a_plain_port_says_to_turn_ssl_off(app, runner, relay):
    app.config.update(MAIL_USE_SSL=True, MAIL_USE_TLS=False)

    result = mail_check(runner)

    assert result.exit_code == 1
    assert "over SSL" in result.output
    assert check.SSL_HINT in result.output and "MAIL_USE_SSL=false" in check.SSL_HINT


def test_ssl_and_tls_together_are_refused_before_connecting(app, runner, relay):
    app.config.update(MAIL_USE_SSL=True, MAIL_USE_TLS=True)
    result = mail_check(runner)
    assert result.exit_code == 1 and check.BOTH_HINT in result.output
    assert "Connected" not in result.output


def test_no_server_says_mail_goes_to_the_console(app, runner):
    app.config["MAIL_SERVER"] = None
    result = mail_check(runner)
    assert result.exit_code == 1
    assert "MAIL_SERVER is not set" in result.output and "console" in result.output


def test_login_wrong_and_right(app, runner, auth_relay):
    app.config.update(MAIL_USERNAME="user", MAIL_PASSWORD="wrong")
    wrong = mail_check(runner)
    assert wrong.exit_code == 1
    assert "FAIL Login as user refused: 535" in wrong.output
    assert check.AUTH_HINT in wrong.output

    app.config["MAIL_PASSWORD"] = "secret"
    right = mail_check(runner, "--send-to", "me@example.com")
    assert right.exit_code == 0, right.output
    assert "ok   Logged in as user." in right.output
    assert len(auth_relay.handler.messages) == 1


def test_no_login_where_one_is_required_fails_on_sending(app, runner, auth_relay):
    result = mail_check(runner, "--send-to", "me@example.com")
    assert result.exit_code == 1
    assert "refused the sender" in result.output and "530" in result.output
    assert "MAIL_USERNAME" in result.output
    assert auth_relay.handler.messages == []


def test_half_a_login_is_reported(app, runner, auth_relay):
    app.config.update(MAIL_USERNAME="user", MAIL_PASSWORD=None)
    result = mail_check(runner)
    assert result.exit_code == 1 and "Only one of MAIL_USERNAME and MAIL_PASSWORD" in result.output


@pytest.mark.parametrize(
    ("last_error", "expected"),
    [
        ("SMTPNotSupportedError: STARTTLS extension not supported by server.", check.STARTTLS_HINT),
        ("ConnectionRefusedError: [Errno 111] Connection refused", check.CONNECT_HINT),
        ("SMTPAuthenticationError: (535, b'5.7.8 Authentication failed')", check.AUTH_HINT),
        ("SMTPServerDisconnected: Connection unexpectedly closed", check.CHECK_POINTER),
        ("SMTPRecipientsRefused: {'a@b.c': (550, b'No such user')}", None),
        (None, None),
    ],
)
def test_advice_for_an_outbox_error(last_error, expected):
    got = check.advice(last_error)
    if expected is None:
        assert got is None
    else:
        assert expected in got and check.CHECK_POINTER in got


def test_tls_stays_the_default():
    from config import Config

    assert Config.MAIL_USE_TLS is True and Config.MAIL_USE_SSL is False
