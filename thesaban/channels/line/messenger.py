"""Talking back to LINE: the Messaging API behind a small interface.

`LineMessenger` is what the rest of the app uses: `reply`, `push` and `get_content`. The real
implementation, `SdkLineMessenger`, uses line-bot-sdk's `MessagingApi` and `MessagingApiBlob`;
their base URLs come from the settings `LINE_API_BASE_URL` (default https://api.line.me) and
`LINE_DATA_API_BASE_URL` (default https://api-data.line.me), so a test or a staging install
can point the real client at another server. Tests that only need image bytes may replace the
factory with `set_messenger_factory`.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings

DEFAULT_API_BASE_URL = "https://api.line.me"
DEFAULT_DATA_API_BASE_URL = "https://api-data.line.me"
# (connect, read) seconds: a webhook must answer LINE quickly.
TIMEOUT = (3.05, 10)
MAX_CONTENT_BYTES = 10 * 1024 * 1024

# Retry keys derived from our own keys live in this namespace (UUID5).
RETRY_KEY_NAMESPACE = uuid.UUID("0b8a5a5e-4f0e-5d55-9a57-6c1f1d9b7a21")


class LineApiError(Exception):
    """A Messaging API call failed. `status` is the HTTP status, or None when no answer came
    (network error, time-out)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status

    @property
    def is_temporary(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


def retry_key(key: str) -> str:
    """An X-Line-Retry-Key (a UUID) for our key: the key itself when it is a UUID, otherwise a
    UUID5 derived from it, so the same delivery always carries the same retry key."""
    try:
        return str(uuid.UUID(key))
    except (ValueError, AttributeError, TypeError):
        return str(uuid.uuid5(RETRY_KEY_NAMESPACE, str(key)))


class LineMessenger(abc.ABC):
    """The interface. Messages are line-bot-sdk `linebot.v3.messaging` message models."""

    @abc.abstractmethod
    def reply(self, reply_token: str, messages: Sequence[Any]) -> None: ...

    @abc.abstractmethod
    def push(self, user_id: str, messages: Sequence[Any], retry_key: str) -> None: ...

    @abc.abstractmethod
    def get_content(self, message_id: str) -> bytes: ...


def api_base_url() -> str:
    return getattr(settings, "LINE_API_BASE_URL", "") or DEFAULT_API_BASE_URL


def data_api_base_url() -> str:
    return getattr(settings, "LINE_DATA_API_BASE_URL", "") or DEFAULT_DATA_API_BASE_URL


class SdkLineMessenger(LineMessenger):
    """The Messaging API through line-bot-sdk v3."""

    def __init__(self, access_token: str):
        self.access_token = access_token

    def _configuration(self, host: str):
        from linebot.v3.messaging import Configuration

        configuration = Configuration(host=host.rstrip("/"), access_token=self.access_token)
        configuration.retries = 0  # the outbox retries, with back-off and the same retry key
        return configuration

    def _call(self, host: str, api_class: str, method: str, *args, **kwargs):
        from linebot.v3 import messaging
        from linebot.v3.messaging.exceptions import ApiException

        try:
            with messaging.ApiClient(self._configuration(host)) as client:
                api = getattr(messaging, api_class)(client)
                return getattr(api, method)(*args, _request_timeout=TIMEOUT, **kwargs)
        except ApiException as error:
            status = error.status or None
            raise LineApiError(
                f"LINE answered {error.status} {error.reason}", status=status
            ) from error
        except LineApiError:
            raise
        except Exception as error:  # connection refused, time-out, TLS, unreadable answer
            raise LineApiError(f"LINE could not be reached: {type(error).__name__}") from error

    def reply(self, reply_token: str, messages: Sequence[Any]) -> None:
        from linebot.v3.messaging import ReplyMessageRequest

        request = ReplyMessageRequest(reply_token=reply_token, messages=list(messages)[:5])
        self._call(api_base_url(), "MessagingApi", "reply_message", request)

    def push(self, user_id: str, messages: Sequence[Any], retry_key: str) -> None:
        from linebot.v3.messaging import PushMessageRequest

        request = PushMessageRequest(to=user_id, messages=list(messages)[:5])
        try:
            self._call(
                api_base_url(), "MessagingApi", "push_message", request, x_line_retry_key=retry_key
            )
        except LineApiError as error:
            # 409: a request with this retry key was already accepted, so it was sent.
            if error.status != 409:
                raise

    def get_content(self, message_id: str) -> bytes:
        data = self._call(
            data_api_base_url(), "MessagingApiBlob", "get_message_content", message_id
        )
        content = bytes(data)
        if len(content) > MAX_CONTENT_BYTES:
            raise LineApiError("The content is larger than 10 MB.", status=413)
        return content


MessengerFactory = Callable[[Any], LineMessenger]


def _sdk_factory(channel) -> LineMessenger:
    return SdkLineMessenger(channel.access_token)


_factory: MessengerFactory = _sdk_factory


def messenger_for(channel) -> LineMessenger:
    """The messenger of a municipality's LINE channel."""
    return _factory(channel)


def set_messenger_factory(factory: MessengerFactory | None) -> None:
    """Replace how messengers are made (tests); None restores the line-bot-sdk one."""
    global _factory
    _factory = factory or _sdk_factory
