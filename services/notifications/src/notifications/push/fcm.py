"""pyfcm (FCM HTTP v1) with every wait bounded: no sleeping on Retry-After, no urllib3 retry loop.

pyfcm sleeps for as long as Retry-After says and then retries without a limit, and its HTTP adapter
retries 502/503 with growing pauses: both would hold a sender thread for minutes. Here one call is
one HTTP request (plus one token refresh), and the queue's own backoff decides when to try again.
"""

from typing import Any

from pyfcm import FCMNotification
from pyfcm.errors import FCMNotRegisteredError, FCMSenderIdMismatchError, FCMServerError, InvalidDataError
from requests.adapters import HTTPAdapter


class PushThrottled(FCMServerError):
    """FCM asked us to slow down (429 / Retry-After)."""

    def __init__(self, delay: int) -> None:
        super().__init__(f"FCM asked to retry after {delay} s")
        self.delay = delay


class BoundedFCM(FCMNotification):
    def __init__(self, service_account_file: str, project_id: str | None, endpoint_base: str | None) -> None:
        super().__init__(service_account_file=service_account_file, project_id=project_id,
                         adapter=HTTPAdapter(max_retries=0))
        if endpoint_base:
            self.FCM_END_POINT_BASE = endpoint_base.rstrip("/")  # a local fake FCM

    def send_request(self, payload: Any = None, timeout: Any = None) -> Any:
        for _ in range(2):  # the second pass only after an expired access token was dropped
            response = self.requests_session.post(self.fcm_end_point, data=payload, timeout=timeout)
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit() and int(retry_after) > 0:
                raise PushThrottled(int(retry_after))
            if not self._is_access_token_expired(response):
                return response
            self.thread_local.token_expiry = 0
        return response


def device_is_gone(exc: BaseException) -> bool:
    """FCM disowns the token (app uninstalled, token rotated, other project): never send to it again."""
    return isinstance(exc, FCMNotRegisteredError | FCMSenderIdMismatchError)


def message_refused(exc: BaseException) -> bool:
    """FCM refused the message itself (400). pyfcm also raises InvalidDataError when getting an access token
    fails, wrapping that error: that is an outage, not a bad message."""
    return isinstance(exc, InvalidDataError) and not (exc.args and isinstance(exc.args[0], Exception))
