"""How long the LINE webhook takes per event, beside the cheapest answer it can give.

    .venv/bin/python bench/bench_line.py [--repeat 50]

Applies pending migrations, then uses (and creates when missing) a municipality `linebench` with one category and a LINE channel,
in whatever database DATABASE_URL names. Every request goes through Django's test client (URL
routing, tenancy middleware, the view) with a body built and signed like LINE's; the replies go
to a messenger that discards them, so LINE's network time is not counted. Rows, alternating:

- baseline: a request with a wrong signature (routing, channel lookup, HMAC, 400);
- a tracking-code lookup (signature, parse with line-bot-sdk, the webhookEventId row, the
  conversation row locked and saved, the report read, the reply built);
- a whole report conversation: 7 events from "แจ้งปัญหา" to the confirmation that creates the
  report (timed per conversation; per event = / 7).

Medians and 90th percentiles in milliseconds; the ratio is to the baseline.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import statistics
import time

import _django

_django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from thesaban.accounts.models import User  # noqa: E402
from thesaban.channels.line import messenger as line_messenger  # noqa: E402
from thesaban.channels.line.services import line_channel_save  # noqa: E402
from thesaban.municipalities.models import Municipality  # noqa: E402
from thesaban.reports.models import Category, Report  # noqa: E402

SLUG = "linebench"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


class DiscardingMessenger(line_messenger.LineMessenger):
    def reply(self, reply_token, messages):
        pass

    def push(self, user_id, messages, retry_key):
        pass

    def get_content(self, message_id):
        raise line_messenger.LineApiError("no content in the benchmark", status=404)


def setup_municipality() -> tuple[Municipality, Category, Report]:
    municipality, _created = Municipality.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name_th": "เทศบาลทดสอบความเร็ว",
            "name_en": "Benchmark Town",
            "province_th": "ทดสอบ",
            "center_lat": 13.0,
            "center_lng": 100.0,
            "tracking_prefix": "LBENCH",
        },
    )
    category, _created = Category.objects.get_or_create(
        municipality=municipality, code="road", defaults={"name_th": "ถนน", "name_en": "Road"}
    )
    admin, _created = User.objects.get_or_create(
        username="linebench-admin", defaults={"email": "linebench-admin@example.org"}
    )
    line_channel_save(
        municipality=municipality, actor=admin, channel_secret=SECRET, access_token="bench-token"
    )
    report = Report.objects.filter(municipality=municipality).first()
    return municipality, category, report


def event(user_id: str, kind: str, value) -> dict:
    common = {
        "source": {"type": "user", "userId": user_id},
        "timestamp": int(time.time() * 1000),
        "mode": "active",
        "webhookEventId": "01" + secrets.token_hex(12).upper(),
        "deliveryContext": {"isRedelivery": False},
        "replyToken": secrets.token_hex(16),
    }
    if kind == "postback":
        return {**common, "type": "postback", "postback": {"data": value}}
    if kind == "location":
        message = {"type": "location", "id": "1", "latitude": value[0], "longitude": value[1]}
    else:
        message = {"type": "text", "id": "1", "text": value, "quoteToken": "q"}
    return {**common, "type": "message", "message": message}


def post(client: Client, url: str, events: list[dict], secret: str = SECRET) -> int:
    body = json.dumps({"destination": "U" + "0" * 32, "events": events}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    response = client.post(
        url, data=body, content_type="application/json", HTTP_X_LINE_SIGNATURE=signature
    )
    return response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a fresh database gets its tables
    setup_test_environment()
    line_messenger.set_messenger_factory(lambda channel: DiscardingMessenger())
    municipality, category, _report = setup_municipality()
    client = Client()
    url = reverse("line:webhook", kwargs={"municipality": municipality.slug})

    def conversation() -> None:
        user = "U" + secrets.token_hex(16)
        steps = [
            ("text", "แจ้งปัญหา"),
            ("postback", f"a=cat&id={category.pk}"),
            ("text", "ถนนหน้าตลาดเป็นหลุมลึก"),
            ("location", (13.001, 100.001)),
            ("postback", "a=skip"),
            ("postback", "a=consent&v=no"),
            ("postback", "a=confirm&v=yes"),
        ]
        for kind, value in steps:
            assert post(client, url, [event(user, kind, value)]) == 200

    conversation()  # so there is a report to look up
    code = Report.objects.filter(municipality=municipality).latest("id").tracking_code
    looker = "U" + secrets.token_hex(16)
    cases = {
        "wrong signature (baseline)": lambda: post(
            client, url, [event(looker, "text", code)], secret="f" * 32
        ),
        "tracking-code lookup": lambda: post(client, url, [event(looker, "text", code.lower())]),
        "whole report (7 events)": conversation,
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for run in cases.values():
        run()  # warm up
    for _ in range(args.repeat):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1000)

    print(f"database: {_django.describe_database()}; {args.repeat} runs each")
    base = statistics.median(times["wrong signature (baseline)"])
    print(f"{'request':32} {'median ms':>10} {'p90 ms':>10} {'× baseline':>11}")
    for name, values in times.items():
        values.sort()
        median = statistics.median(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"{name:32} {median:10.2f} {p90:10.2f} {median / base:11.1f}")
    whole = statistics.median(times["whole report (7 events)"])
    print(f"per event of a whole report: {whole / 7:.2f} ms")


if __name__ == "__main__":
    main()
