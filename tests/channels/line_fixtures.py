"""Fixtures of the LINE tests: a local stand-in for LINE's servers, and a resident who chats.

`FakeLineApi` is an HTTP server on 127.0.0.1 that answers the Messaging API endpoints the app
uses (reply, push, message content), so the app's REAL line-bot-sdk client is exercised end to
end: the settings LINE_API_BASE_URL / LINE_DATA_API_BASE_URL point the SDK at it. Like LINE, it
answers 409 to a second push with an X-Line-Retry-Key it already accepted.

`LineChat` builds webhook payloads with line-bot-sdk's v3 webhook models, signs them with the
channel secret and POSTs them to the webhook with Django's test client.

Import explicitly: `from tests.channels.line_fixtures import ...` (and the pytest fixtures with
`from tests.channels.line_fixtures import line_api, line_channel  # noqa: F401`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse
from linebot.v3.webhooks import (
    BeaconContent,
    BeaconEvent,
    CallbackRequest,
    ContentProvider,
    DeliveryContext,
    EventMode,
    FollowDetail,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackContent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from tests import factories

CHANNEL_SECRET = "8c5b2d1f0a9e4c7b6d3a2f1e0c9b8a7d"
OTHER_SECRET = "0123456789abcdef0123456789abcdef"
ACCESS_TOKEN = "test-access-token-A/xyz="
BOT_USER_ID = "U" + "b" * 32
_ids = itertools.count(1)


def ulid() -> str:
    """A webhookEventId as LINE sends it (26 characters of Crockford base32)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "01" + "".join(secrets.choice(alphabet) for _ in range(24))


def line_user_id() -> str:
    return "U" + secrets.token_hex(16)


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# -- the fake Messaging API --------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body or b"{}")


@dataclass
class FakeLineApi:
    requests: list[Recorded] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)
    # Status codes to answer the next pushes / replies with, before answering normally.
    push_statuses: list[int] = field(default_factory=list)
    reply_statuses: list[int] = field(default_factory=list)
    accepted_retry_keys: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, path_start: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(path_start)]

    @property
    def replies(self) -> list[dict]:
        return [r.json for r in self.of("/v2/bot/message/reply")]

    @property
    def pushes(self) -> list[Recorded]:
        return self.of("/v2/bot/message/push")

    def last_reply_texts(self) -> list[str]:
        return [message["text"] for message in self.replies[-1]["messages"]]

    def last_reply_text(self) -> str:
        return "\n".join(self.last_reply_texts())

    def last_quick_replies(self) -> list[dict]:
        """The actions of the quick-reply buttons of the last message of the last reply."""
        quick = self.replies[-1]["messages"][-1].get("quickReply") or {}
        return [item["action"] for item in quick.get("items", [])]


def _handler(api: FakeLineApi, token: str):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _record(self) -> Recorded:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
            with api.lock:
                api.requests.append(recorded)
            return recorded

        def _answer(self, status: int, payload: dict | bytes, content_type="application/json"):
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-line-request-id", secrets.token_hex(8))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {token}":
                self._answer(401, {"message": "Authentication failed"})
                return False
            return True

        def do_POST(self):
            recorded = self._record()
            if not self._authorised():
                return
            sent = {"sentMessages": [{"id": str(next(_ids)), "quoteToken": "q"}]}
            if self.path == "/v2/bot/message/reply":
                status = api.reply_statuses.pop(0) if api.reply_statuses else 200
                return self._answer(status, sent if status == 200 else {"message": "error"})
            if self.path == "/v2/bot/message/push":
                key = recorded.headers.get("X-Line-Retry-Key", "")
                with api.lock:
                    status = api.push_statuses.pop(0) if api.push_statuses else 200
                    if status == 200 and key in api.accepted_retry_keys:
                        status = 409
                    elif status == 200 and key:
                        api.accepted_retry_keys.add(key)
                if status == 200:
                    return self._answer(200, sent)
                return self._answer(status, {"message": f"status {status}"})
            return self._answer(404, {"message": "Not found"})

        def do_GET(self):
            self._record()
            if not self._authorised():
                return
            parts = self.path.strip("/").split("/")
            # /v2/bot/message/{messageId}/content
            if len(parts) == 5 and parts[:3] == ["v2", "bot", "message"] and parts[4] == "content":
                content = api.contents.get(parts[3])
                if content is not None:
                    return self._answer(200, content, content_type="image/jpeg")
            return self._answer(404, {"message": "Not found"})

    return Handler


class _Server:
    def __init__(self, api: FakeLineApi, token: str):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api, token))
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def line_api(settings):
    """The Messaging API (api.line.me) and its data API (api-data.line.me) on two local ports."""
    api = FakeLineApi()
    main, data = _Server(api, ACCESS_TOKEN), _Server(api, ACCESS_TOKEN)
    settings.LINE_API_BASE_URL = main.url
    settings.LINE_DATA_API_BASE_URL = data.url
    api.main_url, api.data_url = main.url, data.url
    yield api
    main.stop()
    data.stop()


@pytest.fixture
def line_channel(municipality, admin_user):
    from thesaban.channels.line.services import line_channel_save

    return line_channel_save(
        municipality=municipality,
        actor=admin_user,
        channel_secret=CHANNEL_SECRET,
        access_token=ACCESS_TOKEN,
    )


@pytest.fixture
def categories(municipality, category):
    """The `category` fixture (a road) and a second one, street lights."""
    lights = factories.CategoryFactory(
        municipality=municipality,
        code="lights",
        name_th="ไฟฟ้าส่องสว่าง",
        name_en="Street lights",
        icon="💡",
        department=category.department,
    )
    return [category, lights]


# -- a resident chatting -----------------------------------------------------------------------


class LineChat:
    """One LINE user talking to one municipality's webhook."""

    def __init__(self, client: Client, slug: str, secret: str = CHANNEL_SECRET, user_id=None):
        self.client = client
        self.slug = slug
        self.secret = secret
        self.user_id = user_id or line_user_id()
        self.last_body = b""

    @property
    def url(self) -> str:
        return reverse("line:webhook", kwargs={"municipality": self.slug})

    def _common(self, redelivery: bool = False) -> dict:
        return {
            "source": UserSource(user_id=self.user_id),
            "timestamp": int(time.time() * 1000),
            "mode": EventMode.ACTIVE,
            "webhook_event_id": ulid(),
            "delivery_context": DeliveryContext(is_redelivery=redelivery),
        }

    def text_event(self, text: str, **kwargs) -> MessageEvent:
        return MessageEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            message=TextMessageContent(id=str(next(_ids)), text=text, quote_token="q"),
        )

    def postback_event(self, data: str, **kwargs) -> PostbackEvent:
        return PostbackEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            postback=PostbackContent(data=data),
        )

    def location_event(self, lat: float, lng: float, address: str = "", **kwargs) -> MessageEvent:
        return MessageEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            message=LocationMessageContent(
                id=str(next(_ids)), latitude=lat, longitude=lng, address=address or None
            ),
        )

    def image_event(self, message_id: str, provider: str = "line", **kwargs) -> MessageEvent:
        content_provider = ContentProvider(
            type=provider,
            original_content_url="https://example.org/a.jpg" if provider == "external" else None,
        )
        return MessageEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            message=ImageMessageContent(
                id=message_id, quote_token="q", content_provider=content_provider
            ),
        )

    def sticker_event(self, **kwargs) -> MessageEvent:
        return MessageEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            message=StickerMessageContent(
                id=str(next(_ids)),
                package_id="446",
                sticker_id="1988",
                sticker_resource_type="STATIC",
                quote_token="q",
            ),
        )

    def follow_event(self, **kwargs) -> FollowEvent:
        return FollowEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            follow=FollowDetail(is_unblocked=False),
        )

    def unfollow_event(self, **kwargs) -> UnfollowEvent:
        return UnfollowEvent(**self._common(**kwargs))

    def beacon_event(self, **kwargs) -> BeaconEvent:
        return BeaconEvent(
            **self._common(**kwargs),
            reply_token=secrets.token_hex(16),
            beacon=BeaconContent(hwid="d41d8cd98f", type="enter"),
        )

    def group_text_event(self, text: str) -> MessageEvent:
        common = self._common()
        common["source"] = GroupSource(group_id="C" + "c" * 32, user_id=self.user_id)
        return MessageEvent(
            **common,
            reply_token=secrets.token_hex(16),
            message=TextMessageContent(id=str(next(_ids)), text=text, quote_token="q"),
        )

    @staticmethod
    def body_of(*events) -> bytes:
        return CallbackRequest(destination=BOT_USER_ID, events=list(events)).to_json().encode()

    def post(self, body: bytes, *, signature: str | None = "sign", secret: str | None = None):
        headers = {}
        if signature == "sign":
            headers["HTTP_X_LINE_SIGNATURE"] = sign(body, secret or self.secret)
        elif signature is not None:
            headers["HTTP_X_LINE_SIGNATURE"] = signature
        self.last_body = body
        return self.client.post(self.url, data=body, content_type="application/json", **headers)

    def send(self, *events, **kwargs):
        response = self.post(self.body_of(*events), **kwargs)
        assert response.status_code == 200, response.content
        return response

    # Shortcuts for one event at a time.
    def say(self, text: str):
        return self.send(self.text_event(text))

    def tap(self, data: str):
        return self.send(self.postback_event(data))

    def share_location(self, lat: float, lng: float, address: str = ""):
        return self.send(self.location_event(lat, lng, address))

    def send_image(self, message_id: str):
        return self.send(self.image_event(message_id))
