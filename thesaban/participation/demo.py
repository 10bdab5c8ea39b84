"""Demo participation for a demo municipality: the local development plan consultation open
for proposals, a draft plan in sections, a debate, answered proposals and results with their
progress, so "you said, we did" has something to show. Idempotent: does nothing when the
municipality already has a process. Called by the demo builder."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from thesaban.accounts.identity import national_id_digits
from thesaban.accounts.models import User
from thesaban.accounts.services import user_set_national_id
from thesaban.municipalities.models import Municipality
from thesaban.participation import services
from thesaban.participation.models import (
    ConsultationDocument,
    DocumentSection,
    Phase,
    Process,
    Proposal,
)

PSEUDONYMS = [
    "ต้นกล้า", "ฟ้าใส", "ลมเย็น", "ดาวเหนือ", "ริมน้ำ", "ใบไผ่", "นกกระจิบ", "แสงเช้า",
    "ทุ่งทอง", "ภูผา", "ข้าวหอม", "ดอกแก้ว", "สายรุ้ง", "เรือน้อย", "ผีเสื้อ", "จันทร์เพ็ญ",
]  # fmt: skip

PROPOSALS = [
    ("ลานกีฬาชุมชนข้างตลาดสด", "ขอให้ปรับพื้นที่ว่างข้างตลาดสดเป็นลานกีฬาและลานออกกำลังกายสำหรับผู้สูงอายุ มีไฟส่องสว่างตอนเย็น", "culture"),
    ("ทางเท้าปลอดภัยหน้าโรงเรียน", "ทางเท้าหน้าโรงเรียนเทศบาล 1 แคบและชำรุด เด็กต้องเดินบนถนน ขอปรับปรุงทางเท้าและทำทางม้าลายยกระดับ", "infrastructure"),
    ("ศูนย์ดิจิทัลชุมชนที่ศาลาประชาคม", "ตั้งจุดบริการอินเทอร์เน็ตและอาสาสมัครช่วยผู้สูงอายุใช้บริการออนไลน์ของเทศบาลและรัฐ", "digital"),
    ("ธนาคารขยะรีไซเคิลทุกชุมชน", "ให้แต่ละชุมชนมีธนาคารขยะ รับซื้อขวดพลาสติกและกระดาษ ลดขยะที่ต้องเก็บขน", "environment"),
    ("รถรับส่งผู้สูงอายุไปโรงพยาบาล", "จัดรถรับส่งผู้สูงอายุและผู้พิการไปตามนัดแพทย์ สัปดาห์ละสองวัน", "health"),
    ("ตลาดนัดสินค้าชุมชนวันเสาร์", "เปิดถนนคนเดินวันเสาร์ให้ผู้ประกอบการในชุมชนขายสินค้าและอาหารพื้นบ้าน", "economy"),
    ("กล้องวงจรปิดในซอยเปลี่ยว", "ติดตั้งกล้องวงจรปิดและไฟส่องสว่างในซอยที่มีเหตุวิ่งราวบ่อย", "safety"),
    ("สวนผักคนเมืองบนที่ดินเทศบาล", "ใช้ที่ดินว่างของเทศบาลทำสวนผักชุมชน ให้โรงเรียนและผู้สูงอายุดูแลร่วมกัน", "environment"),
    ("ห้องสมุดเคลื่อนที่", "รถห้องสมุดเคลื่อนที่เวียนไปตามชุมชนช่วงปิดเทอม", "education"),
    ("ระบบแจ้งเตือนน้ำท่วมทาง LINE", "แจ้งระดับน้ำและจุดน้ำท่วมผ่าน LINE ของเทศบาลเมื่อฝนตกหนัก", "digital"),
]  # fmt: skip

COMMENTS = [
    ("for", "เห็นด้วยค่ะ ลูกหลานจะได้มีที่ออกกำลังกายแทนการเล่นโทรศัพท์"),
    ("for", "สนับสนุนครับ ขอให้มีห้องน้ำสาธารณะด้วย"),
    ("neutral", "ควรสอบถามชาวบ้านที่อยู่ใกล้ ๆ เรื่องเสียงดังตอนกลางคืนก่อน"),
    ("against", "งบประมาณน่าจะเอาไปซ่อมถนนก่อนดีกว่า"),
    ("for", "ดีมากค่ะ ผู้สูงอายุในชุมชนรออยู่"),
]

PLAN_SECTIONS = [
    ("ยุทธศาสตร์ที่ 1 โครงสร้างพื้นฐาน", "Strategy 1: infrastructure", "พัฒนาถนน ทางเท้า ระบบระบายน้ำ และไฟฟ้าสาธารณะให้ครอบคลุมทุกชุมชน ภายในปี 2570"),
    ("ยุทธศาสตร์ที่ 2 คุณภาพชีวิต", "Strategy 2: quality of life", "ส่งเสริมสุขภาพ การศึกษา และสวัสดิการผู้สูงอายุ ผู้พิการ และเด็กเล็ก"),
    ("ยุทธศาสตร์ที่ 3 เมืองดิจิทัล", "Strategy 3: digital town", "บริการออนไลน์ครบวงจร ข้อมูลเปิด และศูนย์ดิจิทัลชุมชน"),
]  # fmt: skip


def _demo_national_id(seed: int) -> str:
    """A well-formed (check-digit valid) 13-digit number from a reserved-looking range."""
    body = f"9{seed:011d}"[:12]
    total = sum(int(digit) * (13 - index) for index, digit in enumerate(body))
    return body + str((11 - total % 11) % 10)


def _verify(users: list[User]) -> None:
    for index, user in enumerate(users):
        if not user.national_id_verified:
            number = _demo_national_id(user.pk * 7919 + index)
            assert national_id_digits(number) == number
            user_set_national_id(user=user, national_id=number)


@transaction.atomic
def load(
    *,
    municipality: Municipality,
    residents: list[User],
    administrator: User,
    now: datetime,
    seed: int = 2569,
) -> Process | None:
    if Process.objects.filter(municipality=municipality).exists() or len(residents) < 4:
        return None
    rng = random.Random(seed)
    participants = []
    for index, user in enumerate(residents[: len(PSEUDONYMS)]):
        participant = services.participant_get_or_create(municipality=municipality, user=user)
        if not participant.pseudonym:
            services.participant_update(
                participant=participant, pseudonym=PSEUDONYMS[index], community=None
            )
        participants.append(user)
    _verify(participants)

    plan = services.process_save(
        process=Process(
            municipality=municipality,
            slug="plan-2570",
            kind=Process.Kind.DEVELOPMENT_PLAN,
            title_th="แผนพัฒนาท้องถิ่น พ.ศ. 2570",
            title_en="Local development plan 2027",
            summary_th="ร่วมเสนอโครงการ แสดงความเห็นต่อร่างแผน และติดตามว่าข้อเสนอของท่านกลายเป็นอะไร",
            summary_en="Propose projects, comment on the draft plan and follow what became of "
            "your proposals.",
            support_threshold=5,
            allows_anonymous=True,
            is_published=True,
        ),
        actor=administrator,
    )
    phases = [
        (Phase.Kind.INFORMATION, "ชี้แจงข้อมูล", "Information", -40, -30, []),
        (
            Phase.Kind.PROPOSALS,
            "เสนอโครงการและแสดงความเห็น",
            "Proposals and comments",
            -30,
            20,
            ["propose", "support", "comment", "debate", "consult"],
        ),
        (Phase.Kind.IMPLEMENTATION, "ดำเนินการ", "Implementation", 20, 380, ["comment"]),
    ]
    for order, (kind, title_th, title_en, start, end, actions) in enumerate(phases):
        services.phase_save(
            phase=Phase(
                municipality=municipality,
                process=plan,
                kind=kind,
                order=order,
                title_th=title_th,
                title_en=title_en,
                starts_at=now + timedelta(days=start),
                ends_at=now + timedelta(days=end),
                actions=actions,
            ),
            actor=administrator,
        )
    proposals: list[Proposal] = []
    for index, (title, body, topic) in enumerate(PROPOSALS):
        proposals.append(
            services.proposal_create(
                process=plan,
                user=participants[index % len(participants)],
                title=title,
                body=body,
                topic=topic,
                is_anonymous=index == 6,
            )
        )
    for index, proposal in enumerate(proposals):
        supporters = rng.sample(participants, k=max(0, len(participants) - 2 * index))
        for user in supporters:
            services.proposal_support(proposal=proposal, user=user)
        for turn, (alignment, text) in enumerate(rng.sample(COMMENTS, k=2 if index < 4 else 1)):
            # Round robin: nobody writes fast enough to meet the comment rate limit.
            author = participants[(2 * index + turn) % len(participants)]
            services.comment_create(target=proposal, user=author, body=text, alignment=alignment)
    # Comments are rate-limited per person; the demo spreads them over the past weeks.
    from thesaban.participation.models import Comment

    for offset, comment in enumerate(Comment.objects.filter(process=plan)):
        Comment.objects.filter(pk=comment.pk).update(
            created_at=now - timedelta(days=25 - offset % 20, hours=offset)
        )
    answers = [
        ("accepted", "บรรจุในแผนพัฒนาท้องถิ่น พ.ศ. 2570 ใช้งบประมาณ 450,000 บาท"),
        ("accepted", "กองช่างสำรวจแล้ว บรรจุในแผนปรับปรุงทางเท้าปีนี้"),
        ("evaluating", "อยู่ระหว่างหารือกับสำนักงานพัฒนาชุมชนเรื่องอาสาสมัคร"),
        ("rejected", "มีบริการรถรับส่งของโรงพยาบาลส่งเสริมสุขภาพตำบลอยู่แล้ว จะประสานให้ขยายเวลาให้บริการแทน"),
    ]  # fmt: skip
    for proposal, (answer, reason) in zip(proposals, answers, strict=False):
        services.proposal_answer(
            proposal=proposal, actor=administrator, answer=answer, reason=reason
        )
    sport = services.accountability_result_create(
        process=plan,
        title_th="ลานกีฬาชุมชนตลาดสด",
        title_en="Market community sports ground",
        description_th="ปรับพื้นที่ ติดตั้งเครื่องออกกำลังกาย และไฟส่องสว่าง",
        budget=Decimal("450000"),
        sources=[proposals[0]],
        actor=administrator,
    )
    services.result_update_add(
        result=sport,
        actor=administrator,
        status="in_progress",
        progress=60,
        spent=Decimal("262500"),
        note_th="ปรับพื้นที่และเทพื้นแล้ว รอติดตั้งเครื่องออกกำลังกาย",
        note_en="Ground levelled and paved; exercise equipment being installed.",
    )
    walkway = services.accountability_result_create(
        process=plan,
        title_th="ทางเท้าและทางม้าลายยกระดับหน้าโรงเรียนเทศบาล 1",
        title_en="Walkway and raised crossing at Municipal School 1",
        budget=Decimal("180000"),
        sources=[proposals[1]],
        actor=administrator,
    )
    services.result_update_add(
        result=walkway,
        actor=administrator,
        status="done",
        progress=100,
        spent=Decimal("171250"),
        note_th="ส่งมอบงานแล้ว",
        note_en="Handed over.",
    )
    debate_author = participants[2]
    debate = services.debate_create(
        process=plan,
        user=debate_author,
        title="ควรปิดถนนหน้าตลาดทุกเย็นวันเสาร์หรือไม่",
        body="ถนนคนเดินช่วยเศรษฐกิจชุมชน แต่ผู้ใช้รถอาจไม่สะดวก ท่านคิดอย่างไร",
    )
    services.comment_create(
        target=debate, user=participants[3], body="เห็นด้วยถ้ามีที่จอดรถสำรอง", alignment="for"
    )
    document = ConsultationDocument.objects.create(
        municipality=municipality,
        process=plan,
        slug="draft-plan",
        title_th="ร่างแผนพัฒนาท้องถิ่น พ.ศ. 2570",
        title_en="Draft local development plan 2027",
        introduction_th="อ่านแต่ละยุทธศาสตร์ แล้วบอกเราว่าเห็นด้วยหรือไม่ และควรปรับอะไร",
        introduction_en="Read each strategy and tell us whether you agree and what to change.",
        is_published=True,
    )
    for order, (heading_th, heading_en, body) in enumerate(PLAN_SECTIONS):
        section = DocumentSection.objects.create(
            municipality=municipality,
            document=document,
            order=order,
            heading_th=heading_th,
            heading_en=heading_en,
            body_th=body,
        )
        for user in participants[: 6 - order]:
            services.section_position_set(
                section=section, user=user, stance="agree" if rng.random() < 0.7 else "disagree"
            )
    _load_budget_and_poll(
        municipality=municipality,
        participants=participants,
        administrator=administrator,
        now=now,
        rng=rng,
    )
    return plan


BUDGET_PROJECTS = [
    ("ไฟส่องสว่างพลังงานแสงอาทิตย์ซอยเปลี่ยว", "Solar street lights in dark lanes", "650000", "ความปลอดภัย", "Safety"),
    ("สนามเด็กเล่นชุมชนริมน้ำ", "Riverside community playground", "480000", "สวนและพื้นที่สีเขียว", "Parks"),
    ("จุดคัดแยกขยะรีไซเคิล 5 ชุมชน", "Recycling points in 5 communities", "320000", "สิ่งแวดล้อม", "Environment"),
    ("ทางลาดและราวจับสำหรับผู้สูงอายุ", "Ramps and handrails for older residents", "410000", "ผู้สูงอายุ", "Older people"),
    ("ห้องสมุดชุมชนพร้อมอินเทอร์เน็ต", "Community library with internet", "560000", "การศึกษา", "Education"),
]  # fmt: skip


def _load_budget_and_poll(*, municipality, participants, administrator, now, rng) -> None:
    """The participatory budget with projects, a ranked question, and some residents' votes."""
    from thesaban.participation.voting import services as voting

    process = services.process_save(
        process=Process(
            municipality=municipality,
            slug="pb-2570",
            kind=Process.Kind.PARTICIPATORY_BUDGET,
            title_th="งบประมาณแบบมีส่วนร่วม พ.ศ. 2570",
            title_en="Participatory budget 2027",
            summary_th="ประชาชนเลือกโครงการที่อยากให้ทำ ภายในงบ 2,000,000 บาท",
            summary_en="Residents choose the projects they want, within 2,000,000 baht.",
            is_published=True,
        ),
        actor=administrator,
    )
    services.phase_save(
        phase=Phase(
            municipality=municipality,
            process=process,
            kind=Phase.Kind.VOTING,
            title_th="ลงคะแนน",
            title_en="Voting",
            starts_at=now - timedelta(days=3),
            ends_at=now + timedelta(days=25),
            actions=["vote", "budget_vote"],
        ),
        actor=administrator,
    )
    window = {
        "opens_at": now - timedelta(days=3),
        "closes_at": now + timedelta(days=25),
        "is_published": True,
        "eligibility": "any",
        "community": None,
        "community_check": "declared",
        "results_visibility": "live",
    }
    budget = voting.budget_save(
        municipality=municipality,
        actor=administrator,
        data={
            "process": process,
            "title_th": "งบประมาณชุมชน พ.ศ. 2570",
            "title_en": "Community budget 2027",
            "total": Decimal("2000000"),
            "min_spend_percent": 50,
            "min_projects": 1,
            "max_projects": 3,
            **window,
        },
    )
    projects = [
        voting.budget_project_save(
            budget=budget,
            actor=administrator,
            data={
                "title_th": title_th,
                "title_en": title_en,
                "cost": Decimal(cost),
                "category_th": category_th,
                "category_en": category_en,
            },
        )
        for title_th, title_en, cost, category_th, category_en in BUDGET_PROJECTS
    ]
    poll = voting.poll_save(
        municipality=municipality,
        actor=administrator,
        data={
            "process": process,
            "title_th": "เรื่องใดควรทำก่อน (เรียงลำดับ)",
            "title_en": "What should come first? (rank them)",
            "kind": "ranked",
            "max_choices": 0,
            "allows_change": True,
            **window,
        },
    )
    options = [
        voting.poll_option_save(
            poll=poll, actor=administrator, data={"title_th": th, "title_en": en, "order": order}
        )
        for order, (th, en) in enumerate(
            [("ความปลอดภัย", "Safety"), ("สิ่งแวดล้อม", "Environment"), ("ผู้สูงอายุ", "Older people")],
            start=1,
        )
    ]
    for user in participants[:10]:
        basket = sorted(rng.sample(projects, k=3), key=lambda p: p.cost)
        spent = Decimal(0)
        for project in basket:
            if spent + project.cost <= budget.total:
                voting.budget_basket_add(budget=budget, user=user, project=project)
                spent += project.cost
        if spent * 2 >= budget.total:
            voting.budget_checkout(budget=budget, user=user)
        order = [option.pk for option in rng.sample(options, k=len(options))]
        voting.poll_ballot_cast(poll=poll, user=user, option_ids=order)
