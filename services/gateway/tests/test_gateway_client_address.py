"""Which address the per-address limits count: the peer, unless it is a proxy the settings name as trusted."""

from types import SimpleNamespace

from gateway.ratelimit import client_address
from gateway.settings import Settings
from starlette.requests import Request


def request_from(peer: str, forwarded: str | None, settings: Settings) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    app = SimpleNamespace(state=SimpleNamespace(settings=settings))
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 4711),
                    "app": app})


def test_by_default_no_proxy_is_trusted_and_x_forwarded_for_is_ignored() -> None:
    defaults = Settings()
    assert defaults.trusted_proxies == []
    for peer in ("127.0.0.1", "::1", "10.0.0.5"):
        assert client_address(request_from(peer, "198.51.100.7", defaults)) == peer


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_counts() -> None:
    settings = Settings(trusted_proxies=["10.0.0.5", "10.0.0.6"])
    assert client_address(request_from("10.0.0.5", "198.51.100.7", settings)) == "198.51.100.7"
    # Hops further left were written by the client: a made-up one in front changes nothing.
    assert client_address(request_from("10.0.0.5", "1.2.3.4, 198.51.100.7", settings)) == "198.51.100.7"
    assert client_address(request_from("10.0.0.5", "198.51.100.7, 10.0.0.6", settings)) == "198.51.100.7"
    assert client_address(request_from("10.0.0.5", None, settings)) == "10.0.0.5"
    assert client_address(request_from("192.0.2.1", "198.51.100.7", settings)) == "192.0.2.1"  # not our proxy


def test_the_setting_is_read_from_the_environment_as_a_list(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", '["10.0.0.5"]')
    assert Settings().trusted_proxies == ["10.0.0.5"]
