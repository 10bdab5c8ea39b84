"""Real receivers for the outbox's tests: an HTTP server that receives webhooks and an SMTP
server (aiosmtpd) that receives e-mail. Both record every message by its idempotency key and
drop repeats the way a careful receiver does (the key is the whole point of the protocol)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Received:
    def __init__(self):
        self.lock = threading.Lock()
        self.raw: list[str] = []  # every key, in arrival order, repeats included
        self.processed: dict[str, dict] = {}  # first arrival per key: what the receiver acts on

    def add(self, key: str, record: dict) -> bool:
        with self.lock:
            self.raw.append(key)
            if key in self.processed:
                return False
            self.processed[key] = record
            return True

    def duplicates(self) -> list[str]:
        with self.lock:
            return sorted({k for k in self.raw if self.raw.count(k) > 1})


class WebhookSink:
    """ThreadingHTTPServer on 127.0.0.1. `statuses` answers the first requests with these codes;
    `delay` slows every request; `block_at=n` makes the n-th request (1-based) record itself and
    then hang until `release` is set, so a test can kill the sender between "sent" and
    "recorded"."""

    def __init__(self, *, secret: str = "", delay: float = 0.0, statuses=(), block_at=None):
        self.secret = secret
        self.delay = delay
        self.statuses = list(statuses)
        self.block_at = block_at
        self.blocked = threading.Event()
        self.release = threading.Event()
        self.received = Received()
        self.requests: list[dict] = []
        self.count = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get("X-Thesaban-Delivery", "")
                expected = (
                    "sha256=" + hmac.new(sink.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                record = {
                    "key": key,
                    "event": self.headers.get("X-Thesaban-Event"),
                    "timestamp": self.headers.get("X-Thesaban-Timestamp"),
                    "signature_ok": hmac.compare_digest(
                        expected, self.headers.get("X-Thesaban-Signature", "")
                    ),
                    "json": json.loads(body),
                    "body": body,
                }
                with sink.received.lock:
                    sink.count += 1
                    number = sink.count
                    sink.requests.append(record)
                    status = sink.statuses.pop(0) if sink.statuses else 200
                if status == 200:
                    sink.received.add(key, record)
                if sink.block_at is not None and number == sink.block_at:
                    sink.blocked.set()
                    sink.release.wait(30)
                    return
                if sink.delay:
                    time.sleep(sink.delay)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    """aiosmtpd on 127.0.0.1; records messages by Message-ID."""

    def __init__(self, *, delay: float = 0.0):
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.received = Received()
        self.messages = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.original_content or envelope.content)
                key = (message["Message-ID"] or "").strip("<>").split("@")[0]
                sink.messages.append(message)
                sink.received.add(key, {"to": envelope.rcpt_tos, "message": message})
                if sink.delay:
                    time.sleep(sink.delay)  # slows the SMTP conversation like a busy server
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
