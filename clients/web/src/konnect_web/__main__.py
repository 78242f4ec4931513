"""`python -m konnect_web`: serve the portal (WEB_HTTP_HOST / WEB_HTTP_PORT, WEB_GATEWAY_URL)."""

import uvicorn

from konnect_web.app import create_app
from konnect_web.settings import WebSettings


def main() -> None:
    settings = WebSettings()
    trusted = settings.trusted_proxies.strip()
    # server_header: a public page does not name the software behind it.
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_level="warning",
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None, server_header=False)


if __name__ == "__main__":
    main()
