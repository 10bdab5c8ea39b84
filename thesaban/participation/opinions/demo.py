"""Demo opinion groups: a published process "the market street" open for voting on 15 statements,
with about 120 synthetic participants who vote as three planted groups (walking and green
space, traders and parking, older residents and services) and agree on two statements, so the
map shows real groups after `thesaban demo`. Two demo residents vote on every statement (they
see their own mark when they sign in) and two statements wait for moderation.

Idempotent: does nothing when the process exists. Synthetic voters are accounts without a
usable password, created in bulk (a few hundred rows: well under a second)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from thesaban.accounts.models import User
from thesaban.municipalities.models import Municipality
from thesaban.participation import services as participation_services
from thesaban.participation.models import Participant, Phase, Process
from thesaban.participation.opinions import services
from thesaban.participation.opinions.models import StatementVote

SLUG = "market-street"
# (statement, planted position of groups A, B, C): 1 agree, -1 disagree, 0 split.
STATEMENTS = [
    ("เทศบาลควรเปิดเผยงบประมาณของทุกโครงการให้ประชาชนตรวจสอบได้", (1, 1, 1)),
    ("ทางเท้าต้องปลอดภัยสำหรับผู้สูงอายุและผู้พิการ", (1, 1, 1)),
    ("ควรปิดถนนหน้าตลาดเป็นถนนคนเดินทุกเย็นวันเสาร์", (1, -1, 0)),
    ("ควรเปลี่ยนที่จอดรถริมถนนสายหลักเป็นทางจักรยาน", (1, -1, -1)),
    ("ควรปลูกต้นไม้ใหญ่ริมถนนแม้จะต้องลดที่จอดรถ", (1, -1, 0)),
    ("เทศบาลควรเก็บค่าจอดรถในย่านตลาด", (1, -1, -1)),
    ("ควรสร้างลานจอดรถเพิ่มใกล้ตลาดสด", (-1, 1, 0)),
    ("ร้านค้าควรวางสินค้าบนทางเท้าได้ในช่วงเช้า", (-1, 1, -1)),
    ("ควรขยายถนนสายหลักเพื่อลดรถติด", (-1, 1, 0)),
    ("ควรจัดตลาดนัดกลางคืนทุกวันศุกร์เพื่อกระตุ้นเศรษฐกิจ", (0, 1, -1)),
    ("เทศบาลควรใช้งบกับสวัสดิการผู้สูงอายุก่อนโครงการก่อสร้าง", (-1, 0, 1)),
    ("ควรมีรถรับส่งผู้สูงอายุไปโรงพยาบาลทุกวัน", (0, -1, 1)),
    ("ควรมีอาสาสมัครช่วยผู้สูงอายุใช้บริการออนไลน์ของเทศบาล", (0, -1, 1)),
    ("ควรห้ามจุดพลุและประทัดในเขตชุมชนหลังสี่ทุ่ม", (0, -1, 1)),
    ("ควรติดกล้องวงจรปิดทุกซอยแม้จะมีค่าใช้จ่ายสูง", (-1, 1, 1)),
]  # fmt: skip
PENDING = [
    "ควรมีห้องน้ำสาธารณะที่สะอาดในตลาดสด",
    "ควรจัดรถสองแถวฟรีรอบเมืองในวันหยุด",
]
GROUP_SIZES = (50, 40, 30)
# A few synthetic voters vote on only 3 statements: the page says they are not on the map yet.
SPARSE_VOTERS = 8
FLIP, PASS, MISSING = 0.1, 0.05, 0.25


def _voters(municipality: Municipality, count: int) -> list[Participant]:
    unusable = make_password(None)
    emails = [f"voter{index:03d}.{municipality.slug}@demo.invalid" for index in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(username=email, email=email, password=unusable)
            for email in emails
            if email not in existing
        ]
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    have = set(
        Participant.objects.filter(municipality=municipality, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    Participant.objects.bulk_create(
        [Participant(municipality=municipality, user=user) for user in users if user.pk not in have]
    )
    return list(
        Participant.objects.filter(municipality=municipality, user__in=users).order_by(
            "user__email"
        )
    )


def _choice(rng: random.Random, planted: int) -> int:
    position = planted if planted else rng.choice((1, -1))
    roll = rng.random()
    if roll < FLIP:
        return -position
    if roll < FLIP + PASS:
        return 0
    return position


@transaction.atomic
def load(
    *,
    municipality: Municipality,
    residents: list[User],
    administrator: User,
    now: datetime,
    seed: int = 2569,
) -> Process | None:
    if Process.objects.filter(municipality=municipality, slug=SLUG).exists():
        return None
    rng = random.Random(seed)
    process = participation_services.process_save(
        process=Process(
            municipality=municipality,
            slug=SLUG,
            kind=Process.Kind.QUESTION,
            title_th="ถนนสายตลาดของเรา: เห็นด้วยหรือไม่",
            title_en="Our market street: agree or disagree?",
            summary_th="โหวตเห็นด้วย ไม่เห็นด้วย หรือผ่าน กับข้อความสั้น ๆ แล้วดูว่าคนในเมืองแบ่งเป็นกลุ่มความเห็นอย่างไร และเห็นตรงกันเรื่องใด",
            summary_en="Vote agree, disagree or pass on short statements and see the opinion "
            "groups of the town and what they agree on.",
            is_published=True,
        ),
        actor=administrator,
    )
    participation_services.phase_save(
        phase=Phase(
            municipality=municipality,
            process=process,
            kind=Phase.Kind.DELIBERATION,
            title_th="ร่วมโหวตข้อความ",
            title_en="Vote on statements",
            starts_at=now - timedelta(days=10),
            ends_at=now + timedelta(days=20),
            actions=[Phase.Action.OPINION],
        ),
        actor=administrator,
    )
    statements = [
        services.statement_seed(process=process, actor=administrator, text=text)
        for text, _planted in STATEMENTS
    ]
    voters = _voters(municipality, sum(GROUP_SIZES))
    votes: list[StatementVote] = []

    def vote(participant: Participant, statement, choice: int) -> None:
        votes.append(
            StatementVote(
                municipality=municipality,
                statement=statement,
                participant=participant,
                choice=choice,
            )
        )

    start = 0
    for group, size in enumerate(GROUP_SIZES):
        for offset, participant in enumerate(voters[start : start + size]):
            sparse = offset < SPARSE_VOTERS // len(GROUP_SIZES) + (group == 0)
            chosen = rng.sample(range(len(STATEMENTS)), k=3) if sparse else range(len(STATEMENTS))
            for index in chosen:
                if not sparse and rng.random() < MISSING:
                    continue
                vote(participant, statements[index], _choice(rng, STATEMENTS[index][1][group]))
        start += size
    # Two signed-in demo residents: one thinks like group A, one like group B.
    for group, user in enumerate(residents[:2]):
        participant = participation_services.participant_get_or_create(
            municipality=municipality, user=user
        )
        for index, (_text, planted) in enumerate(STATEMENTS):
            vote(participant, statements[index], planted[group] or 1)
    StatementVote.objects.bulk_create(votes)
    for user, text in zip(residents[2:4], PENDING, strict=False):
        services.statement_create(process=process, user=user, text=text)
    services.opinion_map_recompute(process=process)
    return process
