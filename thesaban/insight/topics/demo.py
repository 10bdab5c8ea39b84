"""Demo data for themes in comments: residents' comments on the sections of the demo's draft
local plan, an analysis of the whole process (published on its page) and one of its first
section (left for staff to publish). Called by the demo builder after participation's demo."""

from __future__ import annotations

from datetime import datetime, timedelta

from thesaban.insight.topics import services
from thesaban.insight.topics.models import TopicAnalysis
from thesaban.participation import services as participation_services
from thesaban.participation.models import Comment, DocumentSection, Participant, Process

# (section order, alignment, text): three themes per strategy of the draft plan.
SECTION_COMMENTS = [
    (0, "for", "ซอยบ้านผมน้ำท่วมขังทุกครั้งที่ฝนตกหนัก อยากให้ขุดลอกท่อระบายน้ำก่อนหน้าฝน"),
    (0, "for", "ท่อระบายน้ำหน้าตลาดอุดตันบ่อย น้ำท่วมถนนเป็นชั่วโมง ช่วยขุดลอกด้วย"),
    (0, "neutral", "ควรเพิ่มเครื่องสูบน้ำที่ชุมชนริมคลอง ฝนตกหนักทีไรน้ำท่วมบ้าน"),
    (0, "for", "เห็นด้วยเรื่องระบบระบายน้ำ ขอให้วางท่อระบายน้ำใหม่ให้ใหญ่ขึ้น น้ำจะได้ไม่ท่วมขัง"),
    (0, "for", "หน้าฝนน้ำท่วมขังหน้าโรงเรียน เด็กเดินลำบาก ท่อระบายน้ำเล็กเกินไป"),
    (0, "against", "ถนนในซอยเป็นหลุมเป็นบ่อมานาน ควรซ่อมถนนก่อนทำโครงการใหม่"),
    (0, "for", "ทางเท้าแตกและยุบหลายจุด ผู้สูงอายุเดินสะดุดล้ม ช่วยซ่อมทางเท้าด้วย"),
    (0, "for", "ขอให้ปูผิวถนนใหม่เส้นหลังวัด ถนนเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย"),
    (0, "neutral", "ทางเท้าแคบและมีร้านค้าวางของ ควรจัดระเบียบทางเท้าและซ่อมถนนที่ชำรุด"),
    (0, "for", "ถนนชำรุดเป็นหลุมหน้าตลาด ซ่อมถนนแล้วก็พังอีก ควรใช้วัสดุที่ทนกว่านี้"),
    (0, "for", "ไฟส่องสว่างในซอยดับหลายดวง กลางคืนมืดมาก ไม่ปลอดภัย"),
    (0, "for", "อยากให้ติดไฟส่องสว่างเพิ่มที่ทางเดินริมคลอง มืดและเปลี่ยว"),
    (0, "for", "ไฟถนนหน้าสวนสาธารณะดับมาเป็นเดือน กลางคืนมืด เด็กกลับบ้านไม่ปลอดภัย"),
    (0, "neutral", "ไฟส่องสว่างพลังงานแสงอาทิตย์น่าจะประหยัดกว่า ซอยเปลี่ยวมืดมาก"),
    (0, "for", "ขอไฟส่องสว่างที่ป้ายรถเมล์ กลางคืนมืดจนมองไม่เห็นทาง"),
    (1, "for", "ผู้สูงอายุที่อยู่บ้านคนเดียวควรมีอาสาสมัครเยี่ยมบ้านทุกสัปดาห์"),
    (1, "for", "อยากให้มีรถรับส่งผู้สูงอายุไปโรงพยาบาลตามนัดหมอ"),
    (1, "for", "ศูนย์ดูแลผู้สูงอายุกลางวันจะช่วยลูกหลานที่ต้องไปทำงานได้มาก"),
    (1, "neutral", "เบี้ยยังชีพผู้สูงอายุควรจ่ายตรงเวลา และมีคนช่วยผู้สูงอายุที่เดินทางไม่สะดวก"),
    (1, "for", "ขอกิจกรรมออกกำลังกายสำหรับผู้สูงอายุที่ศาลาชุมชนทุกเช้า"),
    (1, "for", "ศูนย์พัฒนาเด็กเล็กควรรับเด็กได้มากขึ้น ผู้ปกครองต้องรอคิวนาน"),
    (1, "for", "อยากให้มีห้องเรียนภาษาอังกฤษและคอมพิวเตอร์ให้เด็กนักเรียนหลังเลิกเรียน"),
    (1, "for", "อาหารกลางวันเด็กนักเรียนในโรงเรียนเทศบาลควรมีคุณภาพดีขึ้น"),
    (1, "neutral", "สนามเด็กเล่นในศูนย์พัฒนาเด็กเล็กชำรุด เด็กเล็กเล่นไม่ปลอดภัย"),
    (1, "for", "ขอทุนการศึกษาให้เด็กนักเรียนยากจนในชุมชน"),
    (1, "for", "หน่วยแพทย์เคลื่อนที่ตรวจสุขภาพในชุมชนปีละครั้งน้อยไป"),
    (1, "for", "อยากให้มีการตรวจคัดกรองเบาหวานและความดันที่ศาลาชุมชน"),
    (1, "for", "ควรมีนักกายภาพบำบัดมาดูแลผู้ป่วยติดเตียงที่บ้าน"),
    (1, "neutral", "โรงพยาบาลส่งเสริมสุขภาพตำบลคนรอนาน ควรเพิ่มวันตรวจสุขภาพ"),
    (1, "for", "ขอให้มีการฉีดวัคซีนและตรวจสุขภาพเด็กที่ศูนย์สุขภาพชุมชน"),
    (2, "for", "อยากยื่นคำร้องและชำระภาษีออนไลน์ ไม่ต้องไปที่สำนักงานเทศบาล"),
    (2, "for", "บริการออนไลน์ควรใช้ง่ายบนโทรศัพท์ มีภาษาไทยชัดเจน"),
    (2, "neutral", "ขออนุญาตก่อสร้างออนไลน์ได้จะดีมาก ลดเวลาเดินทางไปยื่นเอกสาร"),
    (2, "for", "ควรแจ้งผลคำร้องออนไลน์ผ่านไลน์ จะได้รู้ว่าเรื่องถึงไหน"),
    (2, "for", "ชำระค่าขยะและภาษีป้ายออนไลน์ผ่านแอปธนาคารได้ไหม"),
    (2, "for", "อินเทอร์เน็ตไวไฟฟรีในชุมชนสัญญาณอ่อนมาก ใช้งานไม่ได้"),
    (2, "for", "อยากให้ติดไวไฟฟรีที่ศาลาชุมชนและห้องสมุด เด็กจะได้ทำการบ้าน"),
    (2, "neutral", "อินเทอร์เน็ตในตลาดช้า แม่ค้าขายของออนไลน์ไม่สะดวก ขอไวไฟสาธารณะ"),
    (2, "for", "สัญญาณอินเทอร์เน็ตริมคลองไม่มีเลย ควรขยายไวไฟฟรีให้ทั่วถึง"),
    (2, "for", "ไวไฟฟรีที่สำนักงานเทศบาลต้องลงทะเบียนยุ่งยาก อินเทอร์เน็ตหลุดบ่อย"),
    (2, "for", "ศูนย์ดิจิทัลชุมชนควรสอนผู้สูงอายุใช้สมาร์ทโฟนและแอปธนาคาร"),
    (2, "for", "อยากให้มีอบรมการขายของออนไลน์ให้กลุ่มแม่บ้านที่ศูนย์ดิจิทัลชุมชน"),
    (2, "neutral", "ศูนย์ดิจิทัลชุมชนควรเปิดวันเสาร์อาทิตย์ คนทำงานจะได้ไปเรียนได้"),
    (2, "for", "ขอคอร์สอบรมคอมพิวเตอร์พื้นฐานและการระวังมิจฉาชีพออนไลน์ที่ศูนย์ดิจิทัล"),
    (2, "for", "ศูนย์ดิจิทัลชุมชนควรมีเจ้าหน้าที่ช่วยสอนกรอกแบบฟอร์มออนไลน์"),
]  # fmt: skip


def load(*, municipality, administrator, now: datetime) -> TopicAnalysis | None:
    """Add the comments and compute the analyses once; later runs leave them alone."""
    process = Process.objects.filter(municipality=municipality, slug="plan-2570").first()
    if process is None or TopicAnalysis.objects.filter(process=process).exists():
        return None
    sections = list(
        DocumentSection.objects.filter(
            municipality=municipality, document__process=process, document__slug="draft-plan"
        ).order_by("order")
    )
    participants = list(
        Participant.objects.filter(municipality=municipality)
        .exclude(pseudonym="")
        .select_related("user")
        .order_by("pk")
    )
    if not sections or len(participants) < 8:
        return None
    for index, (order, alignment, text) in enumerate(SECTION_COMMENTS):
        if order >= len(sections):
            continue
        comment = participation_services.comment_create(
            target=sections[order],
            user=participants[index % len(participants)].user,
            body=text,
            alignment=alignment,
        )
        # Spread over the past weeks, as real comments would be (and so no one meets the
        # rate limit on comments).
        Comment.objects.filter(pk=comment.pk).update(
            created_at=now - timedelta(days=18 - index % 15, hours=index % 9, minutes=index)
        )
    whole = services.topic_analysis_request(process=process, enqueue=False)
    whole = services.topic_analysis_run(analysis_id=whole.pk)
    if whole.has_themes:
        whole = services.topic_analysis_publish(analysis=whole, actor=administrator)
    first = services.topic_analysis_request(process=process, section=sections[0], enqueue=False)
    services.topic_analysis_run(analysis_id=first.pk)
    return whole
