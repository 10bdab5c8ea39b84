"""Demo municipalities: structure, people and a year of reports, written through the services.

Everything is keyed by slug or code, so building twice changes nothing: the structure
(municipality, departments, communities, categories, routing rules) is brought in line with
the data files, people are created once, and reports are generated only while the municipality
has none. A profile is one entry of `municipalities.json`; an unknown slug gets a generated test
profile with the demo's geography (the benchmarks use that).

Services stamp what they write with the current time. A demo needs a year of history, so the
generator notes when each service call started and which moment it stands for; at the end the
rows the calls wrote (timeline events, audit entries, supports, followers, comments, consents)
are moved to those moments in a few bulk updates, and each report's own timestamps are set once
its story is told. This is done here, for demo data only.
"""

from __future__ import annotations

import json
import math
import random
import re
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext
from tqdm import tqdm

from thesaban.accounts.models import ConsentRecord, StaffRole, User
from thesaban.accounts.services import staff_role_grant, user_register
from thesaban.core.models import AuditEntry
from thesaban.municipalities import geo
from thesaban.municipalities.models import Community, Department, Municipality
from thesaban.municipalities.services import community_save
from thesaban.reports.models import (
    Category,
    Report,
    ReportComment,
    ReportEvent,
    ReportFollower,
    ReportSupport,
    RoutingRule,
)
from thesaban.reports.services import (
    report_assign,
    report_comment_create,
    report_create,
    report_merge,
    report_rate,
    report_reopen,
    report_support,
    report_transition,
)
from thesaban.reports.workflow import Actor, Status

DATA_DIR = Path(__file__).resolve().parent
# Every demo account gets this password. It is printed by `thesaban demo` and is for a demo
# installation only: never load the demo into a server that real people use.
DEMO_PASSWORD = "thesaban-demo"
# Reports are only sent to a dummy task queue while the demo is built: nobody is told of them.
_SILENT_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LNG_AT_EQUATOR = 111.320


# --------------------------------------------------------------------------- data files


@cache
def _data(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def profile_slugs() -> list[str]:
    """Slugs that have a hand-written profile in municipalities.json."""
    return list(_data("municipalities.json"))


def texts() -> dict[str, Any]:
    """The pieces of Thai text the demo writes with (texts.json)."""
    return _data("texts.json")


def category_specs() -> list[dict[str, Any]]:
    return _data("categories.json")["categories"]


def load_profile(slug: str) -> dict[str, Any]:
    """The profile of a demo municipality; an unknown slug gets a generated test profile with
    the demo's geography, departments and categories but no people and no reports."""
    profiles = _data("municipalities.json")
    if slug in profiles:
        profile = profiles[slug]
        if "inherit" in profile:
            # Departments, staff, communities and streets come from the profile named; the
            # readiness story and the networks are each municipality's own.
            base = {
                k: v for k, v in profiles[profile["inherit"]].items() if k not in ("readiness",)
            }
            profile = {**base, **profile}
        return {"slug": slug, **profile}
    base = profiles["demo"]
    prefix = re.sub(r"[^A-Z0-9]", "", slug.upper())[:10].ljust(2, "X")
    return {
        **base,
        "slug": slug,
        "name_th": f"เทศบาลทดสอบ {slug}",
        "name_en": f"Test municipality {slug}",
        "tracking_prefix": prefix,
        "contact_email": "",
        "contact_phone": "",
        "email_domain": f"{slug}.thesaban.local",
        "seed": zlib.crc32(slug.encode()),
        "reports": 0,
        "staff": [],
        "residents": 0,
    }


# --------------------------------------------------------------------------- geography


def _round(point: tuple[float, float]) -> tuple[float, float]:
    return round(point[0], 6), round(point[1], 6)


def municipality_geometry(profile: dict[str, Any]) -> tuple[dict, dict[str, dict]]:
    """The municipality's boundary and one polygon per community, as GeoJSON.

    The communities are the cells of a grid whose inner corners and edges are displaced at
    random (seeded by the profile), so they look drawn by hand, share their edges exactly,
    never overlap and together tile the boundary.
    """
    rng = random.Random(profile["seed"])
    cols, rows = profile["grid"]
    lat0, lng0 = profile["center_lat"], profile["center_lng"]
    height = profile["height_km"] / KM_PER_DEGREE_LAT
    width = profile["width_km"] / (KM_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(lat0)))
    north, west = lat0 + height / 2, lng0 - width / 2
    dx, dy = width / cols, height / rows

    nodes: dict[tuple[int, int], tuple[float, float]] = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            on_west_east, on_north_south = i in (0, cols), j in (0, rows)
            jx = rng.uniform(-0.05, 0.05) if on_west_east else rng.uniform(-0.16, 0.16)
            jy = rng.uniform(-0.05, 0.05) if on_north_south else rng.uniform(-0.16, 0.16)
            nodes[i, j] = _round((west + (i + jx) * dx, north - (j + jy) * dy))

    edges: dict[tuple[tuple[int, int], tuple[int, int]], list[tuple[float, float]]] = {}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
        """Points strictly between two grid nodes, from a to b; computed once per edge."""
        key = (min(a, b), max(a, b))
        if key not in edges:
            (x0, y0), (x1, y1) = nodes[key[0]], nodes[key[1]]
            horizontal = key[0][1] == key[1][1]
            points = []
            for step in (0.25, 0.5, 0.75):
                wobble = rng.uniform(-0.07, 0.07)
                x, y = x0 + (x1 - x0) * step, y0 + (y1 - y0) * step
                points.append(_round((x, y + wobble * dy) if horizontal else (x + wobble * dx, y)))
            edges[key] = points
        return edges[key] if a < b else list(reversed(edges[key]))

    def ring(corners: list[tuple[int, int]]) -> list[list[float]]:
        points: list[tuple[float, float]] = []
        for a, b in zip(corners, corners[1:], strict=False):
            points.append(nodes[a])
            points.extend(edge(a, b))
        points.append(nodes[corners[0]])
        return [list(p) for p in points]

    cells = {}
    for j in range(rows):
        for i in range(cols):
            # Counter-clockwise with north up (RFC 7946): NW, SW, SE, NE, NW.
            corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j), (i, j)]
            cells[j * cols + i] = {"type": "Polygon", "coordinates": [ring(corners)]}
    outline = (
        [(0, j) for j in range(rows + 1)]
        + [(i, rows) for i in range(1, cols + 1)]
        + [(cols, j) for j in range(rows - 1, -1, -1)]
        + [(i, 0) for i in range(cols - 1, -1, -1)]
    )
    boundary = {"type": "Polygon", "coordinates": [ring(outline)]}
    communities = {spec["code"]: cells[k] for k, spec in enumerate(profile["communities"])}
    return boundary, communities


def random_point_in(
    polygon: dict, rng: random.Random, *, margin: float = 0.0
) -> tuple[float, float]:
    """A uniformly random (lat, lng) inside a polygon; `margin` keeps away from its box's edges."""
    min_lat, max_lat, min_lng, max_lng = geo.bounds(polygon)
    mlat, mlng = (max_lat - min_lat) * margin, (max_lng - min_lng) * margin
    while True:
        lat = rng.uniform(min_lat + mlat, max_lat - mlat)
        lng = rng.uniform(min_lng + mlng, max_lng - mlng)
        if geo.contains(polygon, lat, lng):
            return lat, lng


# --------------------------------------------------------------------------- structure


@dataclass
class Structure:
    municipality: Municipality
    departments: dict[str, Department]
    communities: dict[str, Community]
    categories: dict[str, Category]


def ensure_municipality(profile: dict[str, Any]) -> Municipality:
    boundary, _cells = municipality_geometry(profile)
    municipality, _created = Municipality.objects.update_or_create(
        slug=profile["slug"],
        defaults={
            "name_th": profile["name_th"],
            "name_en": profile["name_en"],
            "kind": profile["kind"],
            "province_th": profile["province_th"],
            "province_en": profile["province_en"],
            "population": profile["population"],
            "center_lat": profile["center_lat"],
            "center_lng": profile["center_lng"],
            "default_zoom": profile["default_zoom"],
            "boundary": boundary,
            "tracking_prefix": profile["tracking_prefix"],
            "contact_email": profile["contact_email"],
            "contact_phone": profile["contact_phone"],
            "is_active": True,
        },
    )
    return municipality


def ensure_departments(
    municipality: Municipality, profile: dict[str, Any]
) -> dict[str, Department]:
    departments = {}
    for spec in profile["departments"]:
        departments[spec["code"]], _created = Department.objects.update_or_create(
            municipality=municipality,
            code=spec["code"],
            defaults={"name_th": spec["name_th"], "name_en": spec["name_en"], "is_active": True},
        )
    return departments


def ensure_communities(municipality: Municipality, profile: dict[str, Any]) -> dict[str, Community]:
    """Saved through community_save (which keeps the bounding box), only when something differs."""
    _boundary, cells = municipality_geometry(profile)
    existing = {c.code: c for c in Community.objects.filter(municipality=municipality)}
    communities = {}
    for spec in profile["communities"]:
        polygon = cells[spec["code"]]
        current = existing.get(spec["code"])
        if (
            current is not None
            and current.name_th == spec["name_th"]
            and current.name_en == spec["name_en"]
            and current.boundary == polygon
        ):
            communities[spec["code"]] = current
            continue
        communities[spec["code"]] = community_save(
            municipality=municipality,
            code=spec["code"],
            name_th=spec["name_th"],
            name_en=spec["name_en"],
            boundary=polygon,
        )
    return communities


def ensure_categories(
    municipality: Municipality, departments: dict[str, Department]
) -> dict[str, Category]:
    categories = {}
    for position, spec in enumerate(category_specs()):
        categories[spec["code"]], _created = Category.objects.update_or_create(
            municipality=municipality,
            code=spec["code"],
            defaults={
                "name_th": spec["name_th"],
                "name_en": spec["name_en"],
                "icon": spec["icon"],
                "department": departments.get(spec["department"]),
                "sla_hours": spec["sla_hours"],
                "severity": spec["severity"],
                "order": (position + 1) * 10,
                "is_active": True,
            },
        )
    return categories


def ensure_routing_rules(structure: Structure, profile: dict[str, Any]) -> None:
    for rule in profile.get("routing_rules", []):
        RoutingRule.objects.update_or_create(
            municipality=structure.municipality,
            category=structure.categories[rule["category"]],
            community=structure.communities[rule["community"]],
            defaults={"department": structure.departments[rule["department"]]},
        )


def ensure_structure(profile: dict[str, Any]) -> Structure:
    """Municipality, departments, communities, categories and routing rules of a profile."""
    with transaction.atomic():
        municipality = ensure_municipality(profile)
        departments = ensure_departments(municipality, profile)
        structure = Structure(
            municipality=municipality,
            departments=departments,
            communities=ensure_communities(municipality, profile),
            categories=ensure_categories(municipality, departments),
        )
        ensure_routing_rules(structure, profile)
    return structure


# --------------------------------------------------------------------------- people


@dataclass
class Credential:
    login: str
    role: str
    department: str
    created: bool


@dataclass
class Resident:
    user: User
    gender: str  # "m" or "f": chooses the polite particle of what this person writes


@dataclass
class People:
    staff: dict[str, User]  # login -> user
    officers: dict[int, User]  # department id -> the department's officer
    administrator: User | None
    residents: list[Resident]
    credentials: list[Credential]


def _demo_user(
    email: str, display_name: str, password_hash: Callable[[], str], joined: datetime
) -> tuple[User, bool]:
    """An account registered through the service, or the one that already has this address."""
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    # No usable password from the service (hashing it per account would take seconds), then the
    # demo password's hash, computed once.
    user = user_register(identifier=email, password=None, display_name=display_name, consent=True)  # type: ignore[arg-type]
    user.password = password_hash()
    user.date_joined = joined
    user.save(update_fields=["password", "date_joined"])
    ConsentRecord.objects.filter(user=user, purpose=ConsentRecord.Purpose.ACCOUNT).update(
        given_at=joined
    )
    AuditEntry.objects.filter(
        action="user.register", target_type="accounts.user", target_id=str(user.pk)
    ).update(created_at=joined)
    return user, True


def resident_identity(profile: dict[str, Any], index: int) -> tuple[str, str, str]:
    """(e-mail, display name, gender) of the profile's index-th demo resident."""
    names = _data("texts.json")["names"]
    gender = "f" if index % 2 == 0 else "m"
    first = names[gender][(index // 2) % len(names[gender])]
    surname = names["surnames"][(index * 5) % len(names["surnames"])]
    return f"resident{index + 1:02d}@{profile['email_domain']}", f"{first} {surname[0]}.", gender


def ensure_people(structure: Structure, profile: dict[str, Any], *, now: datetime) -> People:
    municipality = structure.municipality
    password_hash: str | None = None
    joined = now - timedelta(days=400)

    def hashed() -> str:
        nonlocal password_hash
        password_hash = password_hash or make_password(DEMO_PASSWORD)
        return password_hash

    staff, officers, credentials = {}, {}, []
    administrator = None
    roles = {r.user_id: r for r in StaffRole.objects.filter(municipality=municipality)}
    for spec in profile["staff"]:
        email = f"{spec['login']}@{profile['email_domain']}"
        user, created = _demo_user(email, spec["display_name"], hashed, joined)
        department = structure.departments[spec["department"]] if spec["department"] else None
        role = roles.get(user.pk)
        if (
            role is None
            or role.role != spec["role"]
            or role.department_id != (department.pk if department else None)
        ):
            role = staff_role_grant(
                municipality=municipality, user=user, role=spec["role"], department=department
            )
            if created:
                StaffRole.objects.filter(pk=role.pk).update(created_at=joined)
                AuditEntry.objects.filter(
                    action="staff.grant", target_type="accounts.staffrole", target_id=str(role.pk)
                ).update(created_at=joined)
        staff[spec["login"]] = user
        if spec["role"] == StaffRole.Role.OFFICER and department is not None:
            officers.setdefault(department.pk, user)
        if spec["role"] == StaffRole.Role.ADMINISTRATOR and administrator is None:
            administrator = user
        credentials.append(
            Credential(
                login=email,
                role=StaffRole.Role(spec["role"]).label,
                department=department.name_th if department else "",
                created=created,
            )
        )

    residents = []
    for index in range(profile["residents"]):
        email, display_name, gender = resident_identity(profile, index)
        user, created = _demo_user(email, display_name, hashed, joined + timedelta(days=index))
        residents.append(Resident(user=user, gender=gender))
        if index < 2:
            credentials.append(
                Credential(login=email, role=gettext("Resident"), department="", created=created)
            )
    return People(staff, officers, administrator, residents, credentials)


# --------------------------------------------------------------------------- texts


@dataclass
class Place:
    community: str
    landmark: int | None
    where: str
    where_short: str
    address: str


class Writer:
    """Varied Thai texts from the pieces in texts.json: registers from a polite letter to a
    three-word LINE message, each with the writer's own polite particle."""

    CALM = frozenset({"inquiry", "suggestion", "complaint", "transport", "signs", "toilets"})
    QUESTIONS = frozenset({"inquiry", "suggestion"})

    def __init__(self, rng: random.Random, profile: dict[str, Any]):
        self.rng = rng
        self.texts = _data("texts.json")
        self.streets = profile["streets"]
        self.landmarks = {c["code"]: c["landmarks"] for c in profile["communities"]}

    def _pick(self, items: list[str], **values: Any) -> str:
        return self.rng.choice(items).format(**values) if items else ""

    def particle(self, gender: str) -> str:
        return self.texts["particles"][gender]

    def place(self, community: str) -> Place:
        landmarks = self.landmarks[community]
        landmark = self.rng.randrange(len(landmarks)) if self.rng.random() < 0.65 else None
        values = {
            "landmark": landmarks[
                landmark if landmark is not None else self.rng.randrange(len(landmarks))
            ],
            "street": self.rng.choice(self.streets),
            "soi": self.rng.randint(1, 18),
        }
        if landmark is None:
            where = self._pick([w for w in self.texts["where"] if "{landmark}" not in w], **values)
            address = self._pick(
                [a for a in self.texts["address"] if "{landmark}" not in a], **values
            )
            short = self._pick(
                [w for w in self.texts["where_short"] if "{landmark}" not in w], **values
            )
        else:
            where = self._pick([w for w in self.texts["where"] if "{landmark}" in w], **values)
            address = self._pick([a for a in self.texts["address"] if "{landmark}" in a], **values)
            short = self._pick(
                [w for w in self.texts["where_short"] if "{landmark}" in w], **values
            )
        return Place(community, landmark, where, short, address)

    def description(
        self, category: str, place: Place, *, gender: str, channel: str, severity: int
    ) -> str:
        t, rng = self.texts, self.rng
        entry = t["categories"][category]
        c = rng.choice(entry["topics"])  # every piece from one topic, so that they fit together
        p = self.particle(gender)
        where = place.where if rng.random() < entry.get("place_rate", 1.0) else ""
        problem = rng.choice(c["problems"])

        def maybe(items: list[str], chance: float) -> str:
            return rng.choice(items) if items and rng.random() < chance else ""

        detail, impact = maybe(c["details"], 0.6), maybe(c["impacts"], 0.55)
        since = "" if category in self.QUESTIONS else maybe(t["since"], 0.5)
        ask = rng.choice(c["asks"]) + p
        if channel in (Report.Channel.PHONE, Report.Channel.WALK_IN):
            prefixes = (
                t["phone_prefixes"] if channel == Report.Channel.PHONE else t["walk_in_prefixes"]
            )
            parts = [rng.choice(prefixes) + problem, where, detail, rng.choice(t["staff_tails"])]
        elif channel == Report.Channel.ASSISTED:
            parts = [rng.choice(t["assisted_prefixes"]) + problem, where, impact or detail, ask]
        else:
            styles = ["polite", "narrative", "short"] + (
                [] if category in self.CALM else ["urgent"]
            )
            weights = [4, 3, 3 if channel == Report.Channel.LINE else 1.5] + (
                [] if category in self.CALM else [1 + max(0, severity - 2) * 1.5]
            )
            style = rng.choices(styles, weights)[0]
            if style == "polite":
                greet = rng.choice(t["greetings"]).format(p=p)
                thanks = maybe(t["thanks"], 0.6).format(p=p)
                parts = [greet, problem, where, since, detail, impact, ask, thanks]
            elif style == "narrative":
                parts = [since, problem, where, detail, impact, ask]
            elif style == "urgent":
                opener = rng.choice(t["urgent_openers"]).format(p=p)
                parts = [
                    opener,
                    problem,
                    where,
                    impact,
                    rng.choice(t["urgent_tails"]).format(p=p),
                    ask,
                ]
            else:
                tail = rng.choice(["", "", " 🙏", "!!", " ด่วน"])
                if category in self.QUESTIONS:
                    parts = [problem + p + tail]
                else:
                    # A particle sticks to the word before it, but not to a number ("ซอย 5 ครับ").
                    gap = " " if place.where_short[-1:].isdigit() else ""
                    parts = [rng.choice(c["short"]), place.where_short + gap + p + tail]
        return re.sub(r"\s+", " ", " ".join(part for part in parts if part)).strip()

    def note(self, kind: str, category: str | None = None, **values: Any) -> str:
        notes = self.texts["notes"][kind]
        if isinstance(notes, dict):
            # The category's own wording when there is some, the general one now and then.
            specific = notes.get(category or "", [])
            notes = specific if specific and self.rng.random() < 0.75 else notes["default"]
        return self._pick(notes, **values)

    def comment(self, gender: str) -> str:
        return self._pick(self.texts["comments"], p=self.particle(gender))

    def rating_comment(self, score: int, gender: str) -> str:
        return self._pick(self.texts["ratings"][str(score)], p=self.particle(gender))

    def reopen_reason(self, gender: str) -> str:
        return self._pick(self.texts["notes"]["reopen"], p=self.particle(gender))

    def person(self) -> tuple[str, str]:
        names = self.texts["names"]
        gender = self.rng.choice(["m", "f"])
        return f"{self.rng.choice(names[gender])} {self.rng.choice(names['surnames'])}", gender


# --------------------------------------------------------------------------- reports


@dataclass
class Step:
    when: datetime
    kind: str
    payload: Any = None


@dataclass
class Plan:
    when: datetime
    category: Category
    community: Community
    lat: float
    lng: float
    address: str
    description: str
    channel: str
    gender: str
    final: str
    reporter: User | None = None
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    is_anonymous: bool = True
    contact_consent: bool = False
    original: Plan | None = None
    steps: list[Step] = field(default_factory=list)
    first_response: datetime | None = None
    resolved: datetime | None = None
    closed: datetime | None = None
    rated: datetime | None = None
    last_update: datetime | None = None
    report: Report | None = None


# Order of simultaneous steps of one report.
_STEP_ORDER = {
    "accept": 0,
    "start": 1,
    "assign": 2,
    "reject": 3,
    "resolve": 4,
    "reopen": 5,
    "support": 6,
    "comment": 7,
    "rate": 8,
    "close": 9,
    "merge": 10,
}
# The rows report services write with the current time: (model, timestamp field).
_STAMPED: tuple[tuple[type[models.Model], str], ...] = (
    (ReportEvent, "created_at"),
    (AuditEntry, "created_at"),
    (ReportSupport, "created_at"),
    (ReportFollower, "created_at"),
    (ReportComment, "created_at"),
    (ConsentRecord, "given_at"),
)
# The final state of a generated report by its age: (younger than days, {state: weight}).
AGE_STATUS_WEIGHTS = (
    (
        2,
        {
            Status.SUBMITTED: 55,
            Status.ACCEPTED: 20,
            Status.IN_PROGRESS: 12,
            Status.RESOLVED: 9,
            Status.REJECTED: 4,
        },
    ),
    (
        7,
        {
            Status.SUBMITTED: 18,
            Status.ACCEPTED: 20,
            Status.IN_PROGRESS: 25,
            Status.RESOLVED: 25,
            Status.CLOSED: 6,
            Status.REJECTED: 6,
        },
    ),
    (
        30,
        {
            Status.SUBMITTED: 5,
            Status.ACCEPTED: 8,
            Status.IN_PROGRESS: 17,
            Status.RESOLVED: 28,
            Status.CLOSED: 34,
            Status.REJECTED: 8,
        },
    ),
    (
        math.inf,
        {
            Status.SUBMITTED: 2,
            Status.ACCEPTED: 2,
            Status.IN_PROGRESS: 4,
            Status.RESOLVED: 4,
            Status.CLOSED: 80,
            Status.REJECTED: 8,
        },
    ),
)
_CHANNELS = {
    Report.Channel.WEB: 50,
    Report.Channel.LINE: 32,
    Report.Channel.PHONE: 8,
    Report.Channel.WALK_IN: 5,
    Report.Channel.ASSISTED: 5,
}
# Reports per hour of the day (local time), relative.
HOUR_WEIGHTS = (0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1, 2.5, 3, 3, 2.5, 2, 2.5, 2, 2, 2, 2.5, 3, 3, 3, 2.5, 2, 1.2, 0.6)  # fmt: skip
_NOT_PLACE_BOUND = frozenset({"inquiry", "suggestion", "complaint"})
DUPLICATE_SHARE = 0.06
HISTORY_DAYS = 365


class Clock:
    """When each service call really started, and the moment in the story it stands for."""

    def __init__(self) -> None:
        self.real: list[datetime] = []
        self.meant: list[datetime] = []

    def at(self, when: datetime) -> None:
        self.real.append(timezone.now())
        self.meant.append(when)

    def meant_for(self, stamp: datetime) -> datetime | None:
        index = bisect_right(self.real, stamp) - 1
        return self.meant[index] if index >= 0 else None

    def backdate(self, municipality: Municipality) -> int:
        """Give every row written since the first call the moment its call stands for."""
        if not self.real:
            return 0
        moved = 0
        for model, stamp in _STAMPED:
            rows = model.objects.filter(
                municipality=municipality, **{f"{stamp}__gte": self.real[0]}
            )
            changed = [
                model(pk=pk, **{stamp: self.meant_for(real)})
                for pk, real in rows.values_list("pk", stamp)
            ]
            model.objects.bulk_update(changed, [stamp], batch_size=500)
            moved += len(changed)
        return moved


def _final_status(age_days: float, rng: random.Random) -> str:
    for limit, weights in AGE_STATUS_WEIGHTS:
        if age_days < limit:
            return rng.choices(list(weights), list(weights.values()))[0]
    raise AssertionError("unreachable")


class ReportGenerator:
    """Plans a year of reports with their whole stories, then tells each through the services."""

    def __init__(
        self, structure: Structure, people: People, profile: dict[str, Any], *, now: datetime
    ):
        self.s, self.people, self.profile, self.now = structure, people, profile, now
        self.rng = random.Random(profile["seed"] * 7919 + 1)
        self.writer = Writer(self.rng, profile)
        self.limit = now - timedelta(minutes=5)
        _boundary, self.polygons = municipality_geometry(profile)
        spots = random.Random(profile["seed"] + 1)
        self.landmark_points = {
            c["code"]: [
                random_point_in(self.polygons[c["code"]], spots, margin=0.15)
                for _ in c["landmarks"]
            ]
            for c in profile["communities"]
        }
        self.tz = timezone.get_current_timezone()
        self.clock = Clock()
        self.department_names = {d.pk: d.name_th for d in structure.departments.values()}

    # -- planning ------------------------------------------------------------------------

    def _when(self) -> datetime:
        rng = self.rng
        local_now = timezone.localtime(self.now, self.tz)
        while True:
            # More reports lately, as residents take up the service: three times as many this
            # month as a year ago.
            days = rng.uniform(0, HISTORY_DAYS)
            if rng.random() * 3 > 1 + 2 * (1 - days / HISTORY_DAYS):
                continue
            day = (local_now - timedelta(days=days)).date()
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
            naive = datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60)
            )
            when = timezone.make_aware(naive, self.tz)
            if when < self.now - timedelta(minutes=30):
                return when

    def _category(self, when: datetime) -> Category:
        month = timezone.localtime(when, self.tz).month
        specs = category_specs()
        weights = [s["weight"] * (3 if month in s.get("peak_months", []) else 1) for s in specs]
        return self.s.categories[self.rng.choices(specs, weights)[0]["code"]]

    def _point(self, place_community: str, landmark: int | None) -> tuple[float, float]:
        polygon = self.polygons[place_community]
        if landmark is None:
            return random_point_in(polygon, self.rng)
        lat0, lng0 = self.landmark_points[place_community][landmark]
        for _attempt in range(30):
            lat, lng = self.rng.gauss(lat0, 0.0007), self.rng.gauss(lng0, 0.0007)
            if geo.contains(polygon, lat, lng):
                return lat, lng
        return lat0, lng0

    def _reporter(self, plan: Plan) -> None:
        rng = self.rng
        roll = rng.random()
        residents = self.people.residents
        if plan.channel in (Report.Channel.WEB, Report.Channel.LINE) and residents and roll < 0.45:
            resident = rng.choice(residents)
            plan.reporter, plan.gender = resident.user, resident.gender
            plan.is_anonymous = rng.random() < 0.7
        elif plan.channel not in (Report.Channel.WEB, Report.Channel.LINE) or roll < 0.8:
            name, plan.gender = self.writer.person()
            plan.reporter_name = name
            number = rng.randrange(10_000)
            if rng.random() < 0.6:
                plan.reporter_phone = f"080-000-{number:04d}"
            if plan.channel in (Report.Channel.WEB, Report.Channel.LINE) or rng.random() < 0.3:
                plan.reporter_email = f"reporter{number:04d}@example.com"
            plan.is_anonymous = rng.random() < 0.6
            plan.contact_consent = True
        else:
            plan.gender = rng.choice(["m", "f"])

    def _plan(
        self,
        *,
        when: datetime,
        category: Category,
        community: str,
        final: str,
        near: tuple[float, float] | None = None,
    ) -> Plan:
        rng = self.rng
        place = self.writer.place(community)
        if near:
            lat = near[0] + rng.uniform(-0.0002, 0.0002)
            lng = near[1] + rng.uniform(-0.0002, 0.0002)
            if not geo.contains(self.polygons[community], lat, lng):
                lat, lng = near
        else:
            lat, lng = self._point(community, place.landmark)
        channels = self.profile.get("channels", _CHANNELS)
        channel = rng.choices(list(channels), list(channels.values()))[0]
        plan = Plan(
            when=when,
            category=category,
            community=self.s.communities[community],
            lat=lat,
            lng=lng,
            address=place.address,
            description="",
            channel=channel,
            gender="m",
            final=final,
        )
        self._reporter(plan)
        plan.description = self.writer.description(
            category.code, place, gender=plan.gender, channel=channel, severity=category.severity
        )
        return plan

    def plan(self, count: int) -> list[Plan]:
        rng = self.rng
        codes = [c["code"] for c in self.profile["communities"]]
        community_weights = [c.get("weight", 1.0) for c in self.profile["communities"]]
        originals = round(count * (1 - DUPLICATE_SHARE))
        plans = []
        for _index in range(originals):
            when = self._when()
            age_days = (self.now - when).total_seconds() / 86400
            plans.append(
                self._plan(
                    when=when,
                    category=self._category(when),
                    community=rng.choices(codes, community_weights)[0],
                    final=_final_status(age_days, rng),
                )
            )
        # Every state must appear, whatever the draw: the youngest reports can take any of them.
        plans.sort(key=lambda p: p.when)
        present = {p.final for p in plans}
        for status in (
            Status.SUBMITTED,
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.RESOLVED,
            Status.CLOSED,
            Status.REJECTED,
        ):
            if status not in present:
                rng.choice(plans[-max(10, len(plans) // 20) :]).final = status
        for plan in plans:
            self._timeline(plan)
        plans += self._duplicates(plans, count - originals)
        for plan in plans:
            self._crowd(plan)
            plan.steps.sort(key=lambda s: (s.when, _STEP_ORDER[s.kind]))
        plans.sort(key=lambda p: p.when)
        return plans

    def _timeline(self, plan: Plan) -> None:
        """The staff and reporter steps that lead to the report's final state, all before now."""
        rng, sla, severity = self.rng, plan.category.sla_hours, plan.category.severity
        offsets: list[tuple[float, str]] = []  # hours after submission
        if plan.final != Status.SUBMITTED:
            response = max(0.2, rng.lognormvariate(math.log(6), 0.9) * 3 / severity)
            if plan.final == Status.REJECTED:
                if rng.random() < 0.5:
                    offsets += [(response, "accept"), (response + rng.uniform(2, 72), "reject")]
                else:
                    offsets.append((response, "reject"))
            elif plan.final == Status.ACCEPTED:
                offsets.append((response, "accept"))
            else:
                # A profile's resolve_factor is its typical share of the SLA used (slow < 1 < fast).
                speed = self.profile.get("resolve_factor", 0.55)
                resolve = max(response + 1, sla * rng.lognormvariate(math.log(speed), 0.7))
                path = rng.random()
                if path < 0.7:
                    start = response + (resolve - response) * rng.uniform(0.1, 0.5)
                    offsets += [(response, "accept"), (start, "start")]
                elif path < 0.9 or plan.final == Status.IN_PROGRESS:
                    start = response
                    offsets.append((start, "start"))
                else:
                    start = None
                    offsets.append((response, "accept"))
                if start is not None and rng.random() < 0.6:
                    offsets.append((start, "assign"))
                if plan.final in (Status.RESOLVED, Status.CLOSED):
                    offsets.append((resolve, "resolve"))
                    if rng.random() < 0.06:
                        reopen = resolve + rng.uniform(24, 120)
                        restart = reopen + rng.uniform(4, 48)
                        offsets += [
                            (reopen, "reopen"),
                            (restart, "start"),
                            (restart + rng.uniform(24, 120), "resolve"),
                        ]
                if plan.final == Status.CLOSED:
                    last = max(h for h, kind in offsets if kind == "resolve")
                    offsets.append(
                        (last + (336 if rng.random() < 0.6 else rng.uniform(24, 168)), "close")
                    )
        available = (self.limit - plan.when).total_seconds() / 3600
        latest = max((h for h, _kind in offsets), default=0)
        if latest > available:
            factor = available / latest * rng.uniform(0.6, 0.95)
            offsets = [(h * factor, kind) for h, kind in offsets]
        for hours, kind in offsets:
            when = plan.when + timedelta(hours=hours)
            plan.steps.append(Step(when, kind))
            if (
                kind in ("accept", "start", "reject", "resolve", "close")
                and plan.first_response is None
            ):
                plan.first_response = when
            if kind == "resolve":
                plan.resolved = when
            if kind == "reopen":
                plan.resolved = None
            if kind == "close":
                plan.closed = when
            plan.last_update = max(plan.last_update or when, when)
        if plan.resolved and rng.random() < 0.75:
            end = min(plan.closed or self.limit, self.limit)
            if end > plan.resolved:
                rated = plan.resolved + min(
                    timedelta(hours=rng.uniform(1, 96)), (end - plan.resolved) * 0.9
                )
                within = plan.resolved <= plan.when + timedelta(hours=sla)
                reopened = any(s.kind == "reopen" for s in plan.steps)
                weights = [2, 5, 15, 35, 43] if within and not reopened else [12, 18, 30, 25, 15]
                score = rng.choices([1, 2, 3, 4, 5], weights)[0]
                plan.steps.append(Step(rated, "rate", score))
                plan.rated = rated

    def _duplicates(self, plans: list[Plan], count: int) -> list[Plan]:
        """Second reports of a problem already reported nearby, merged by staff into the first."""
        rng = self.rng
        candidates = [
            p
            for p in plans
            if p.final != Status.REJECTED
            and p.category.code not in _NOT_PLACE_BOUND
            and ((p.resolved or self.limit) - p.when) > timedelta(hours=3)
        ]
        duplicates = []
        for original in rng.sample(candidates, min(count, len(candidates))):
            open_until = original.resolved or self.limit
            window = min(open_until - original.when, timedelta(days=5))
            when = original.when + window * rng.uniform(0.1, 0.6)
            plan = self._plan(
                when=when,
                category=original.category,
                community=original.community.code,
                final=Status.DUPLICATE,
                near=(original.lat, original.lng),
            )
            plan.original = original
            seen = when
            if rng.random() < 0.3:
                seen = when + min(timedelta(hours=rng.uniform(0.3, 6)), (self.limit - when) * 0.3)
                plan.steps.append(Step(seen, "accept"))
                plan.first_response = seen
            merged = seen + min(timedelta(hours=rng.uniform(0.5, 24)), (self.limit - seen) * 0.5)
            plan.steps.append(Step(merged, "merge"))
            plan.last_update = merged
            duplicates.append(plan)
        return duplicates

    def _crowd(self, plan: Plan) -> None:
        """ "Me too" supports and comments from other residents while the report is open."""
        rng = self.rng
        others = [r for r in self.people.residents if r.user != plan.reporter]
        if not others or plan.final == Status.DUPLICATE:
            return
        start, end = plan.when + timedelta(minutes=20), min(plan.resolved or self.limit, self.limit)
        if end <= start:
            return
        supports = min(len(others), int(rng.expovariate(1 / (0.3 + 0.5 * plan.category.severity))))
        for resident in rng.sample(others, supports):
            plan.steps.append(
                Step(start + (end - start) * rng.random() ** 2, "support", resident.user)
            )
        if rng.random() < 0.12:
            for resident in rng.sample(others, min(len(others), rng.randint(1, 2))):
                body = self.writer.comment(resident.gender)
                plan.steps.append(
                    Step(start + (end - start) * rng.random(), "comment", (resident.user, body))
                )

    # -- telling the stories through the services ----------------------------------------

    def _officer(self, report: Report) -> User:
        officer = self.people.officers.get(report.department_id) or self.people.administrator
        if officer is None:
            raise ValueError("A demo profile with reports needs an administrator or officers.")
        return officer

    def _create(self, plan: Plan) -> Report:
        return report_create(
            municipality=self.s.municipality,
            category=plan.category,
            description=plan.description,
            lat=plan.lat,
            lng=plan.lng,
            address=plan.address,
            reporter=plan.reporter,
            reporter_name=plan.reporter_name,
            reporter_email=plan.reporter_email,
            reporter_phone=plan.reporter_phone,
            is_anonymous=plan.is_anonymous,
            channel=plan.channel,
            contact_consent=plan.contact_consent,
            submitted_at=plan.when,
        )

    def _step(self, plan: Plan, report: Report, step: Step) -> Report:
        """One step of a report's story, through its service; returns the report as it now is."""
        w, code, rng = self.writer, plan.category.code, self.rng
        department = self.department_names.get(report.department_id, "")
        officer = self._officer(report)
        self.clock.at(step.when)

        def move(
            to: str,
            note: str = "",
            internal: str = "",
            actor: User | None = officer,
            kind: str = Actor.STAFF,
        ) -> Report:
            return report_transition(
                report=report,
                actor=actor,
                to_status=to,
                public_note=note,
                internal_note=internal,
                actor_kind=kind,
            )

        if step.kind == "accept":
            note = w.note("accept", department=department) if rng.random() < 0.6 else ""
            return move(Status.ACCEPTED, note, w.note("internal") if rng.random() < 0.25 else "")
        if step.kind == "start":
            note = w.note("in_progress", code, department=department) if rng.random() < 0.7 else ""
            return move(Status.IN_PROGRESS, note)
        if step.kind == "assign":
            return report_assign(
                report=report, actor=officer, department=report.department, officer=officer
            )
        if step.kind == "resolve":
            return move(Status.RESOLVED, w.note("resolved", code))
        if step.kind == "reject":
            return move(Status.REJECTED, w.note("rejected"))
        if step.kind == "close":
            if rng.random() < 0.6:
                return move(Status.CLOSED, w.note("closed_system"), actor=None, kind=Actor.SYSTEM)
            return move(Status.CLOSED, w.note("closed_staff"))
        if step.kind == "reopen":
            return report_reopen(
                report=report,
                user=None,
                follow_token=report.follow_token,
                reason=w.reopen_reason(plan.gender),
            )
        if step.kind == "rate":
            score = step.payload
            comment = w.rating_comment(score, plan.gender) if rng.random() < 0.6 else ""
            return report_rate(
                report=report,
                user=None,
                follow_token=report.follow_token,
                score=score,
                comment=comment,
            )
        if step.kind == "support":
            report_support(report=report, user=step.payload)
            return report
        if step.kind == "comment":
            author, body = step.payload
            report_comment_create(report=report, author=author, body=body)
            return report
        if step.kind == "merge":
            original = plan.original
            assert original is not None and original.report is not None
            note = w.note("merge", code=original.report.tracking_code)
            report_merge(duplicate=report, into=original.report, actor=officer, public_note=note)
            # The kept report was touched by the merge, at the merge's moment.
            original.last_update = max(original.last_update or step.when, step.when)
            Report.objects.filter(pk=original.report.pk).update(updated_at=original.last_update)
            return report
        raise ValueError(f"unknown step {step.kind}")

    def run(self, plans: Iterable[Plan], *, progress: bool = True) -> int:
        created = 0
        for plan in tqdm(
            list(plans),
            desc=f"{self.s.municipality.slug}: reports",
            unit="report",
            disable=not progress,
        ):
            self.clock.at(plan.when)
            report = self._create(plan)
            for step in plan.steps:
                report = self._step(plan, report, step)
            Report.objects.filter(pk=report.pk).update(
                updated_at=plan.last_update or plan.when,
                first_response_at=plan.first_response,
                resolved_at=plan.resolved
                if plan.final in (Status.RESOLVED, Status.CLOSED)
                else None,
                closed_at=plan.closed,
                rated_at=plan.rated,
            )
            plan.report = report  # the latest state, for a later merge into it
            created += 1
        self.clock.backdate(self.s.municipality)
        return created


# --------------------------------------------------------------------------- the whole demo


@dataclass
class BuildResult:
    municipality: Municipality
    reports_created: int
    credentials: list[Credential]


def ensure_category_model(*, progress: bool = True) -> None:
    """The shipped category model (insight), so staff see category suggestions on the demo's
    reports from the start. Trained once (about a minute); later runs find it up to date."""
    from thesaban.insight.services import categoriser_default_ensure

    with tqdm(total=100, desc="category model", unit="%", disable=not progress) as bar:

        def step(percent: int, note: str) -> None:
            bar.update(max(0, int(percent) - bar.n))

        categoriser_default_ensure(progress=step)


def build(slug: str, *, reports: int | None = None, progress: bool = True) -> BuildResult:
    """Bring one demo municipality up to its profile; generate reports only if it has none."""
    profile = load_profile(slug)
    now = timezone.now()
    from thesaban.ledger.services import ledger_automatic_appends_paused, ledger_backfill
    from thesaban.notifications.receivers import notifications_paused
    from thesaban.opendata import demo as opendata_demo
    from thesaban.opendata.models import Budget
    from thesaban.participation import demo as participation_demo

    # The silent task queue must outlive the transaction: its on_commit callbacks enqueue there.
    # The demo writes a year of history: nobody is notified of it, and the transparency ledger
    # records it once the events carry their final (back-dated) times.
    with (
        override_settings(TASKS=_SILENT_TASKS),
        notifications_paused(),
        ledger_automatic_appends_paused(),
        transaction.atomic(),
    ):
        structure = ensure_structure(profile)
        people = ensure_people(structure, profile, now=now)
        count = profile["reports"] if reports is None else reports
        created = 0
        if count and not Report.objects.filter(municipality=structure.municipality).exists():
            generator = ReportGenerator(structure, people, profile, now=now)
            created = generator.run(generator.plan(count), progress=progress)
        if people.administrator is not None:
            from thesaban.municipalities.demo.readiness import ensure_readiness

            participation_demo.load(
                municipality=structure.municipality,
                residents=[resident.user for resident in people.residents],
                administrator=people.administrator,
                now=now,
            )
            from thesaban.participation.opinions import demo as opinions_demo

            opinions_demo.load(
                municipality=structure.municipality,
                residents=[resident.user for resident in people.residents],
                administrator=people.administrator,
                now=now,
            )
            from thesaban.insight.topics import demo as topics_demo

            topics_demo.load(
                municipality=structure.municipality, administrator=people.administrator, now=now
            )
            ensure_readiness(structure.municipality, people.administrator, profile, now=now)
        if not Budget.objects.filter(municipality=structure.municipality).exists():
            # Two fiscal years of budget, disbursements, procurement and projects, shifted to
            # the current fiscal year (each record in the ledger as it is imported).
            opendata_demo.load(structure.municipality, today=timezone.localdate(now))
        ledger_backfill(municipality=structure.municipality)
    ensure_category_model(progress=progress)
    # The demo's reports were written with a silent task queue: suggest their categories now.
    from thesaban.insight.services import suggestions_refresh_open

    with tqdm(desc="category suggestions", unit="report", disable=not progress) as bar:

        def suggested(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        suggestions_refresh_open(municipality=structure.municipality, progress=suggested)
    return BuildResult(structure.municipality, created, people.credentials)
