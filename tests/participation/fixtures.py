"""One of each participation object in a municipality, for the tenant-isolation walk:
the URL keywords of participation pages mapped to this municipality's ids."""

from decimal import Decimal

from tests.participation.conftest import make_process, make_resident
from thesaban.participation import services
from thesaban.participation.models import ConsultationDocument, DocumentSection


def participation_objects(municipality, administrator) -> dict[str, str | int]:
    # The same slug in every municipality: an unscoped lookup would find the other's.
    process = make_process(municipality, slug="plan")
    author = make_resident(municipality, pseudonym=f"ผู้เสนอ-{municipality.slug}")
    proposal = services.proposal_create(
        process=process, user=author, title="ข้อเสนอ", body="...", topic="other"
    )
    comment = services.comment_create(target=proposal, user=author, body="ความเห็น")
    services.debate_create(process=process, user=author, title="อภิปราย", body="...")
    document = ConsultationDocument.objects.create(
        municipality=municipality, process=process, slug="draft", title_th="ร่าง", is_published=True
    )
    section = DocumentSection.objects.create(
        municipality=municipality, document=document, heading_th="หมวด 1", body_th="..."
    )
    services.accountability_result_create(
        process=process,
        title_th="ผลลัพธ์",
        budget=Decimal(1),
        sources=[proposal],
        actor=administrator,
    )
    flag = services.flag_create(target=comment, user=None, reason="spam")
    return {
        "process": process.slug,
        "number": proposal.number,  # proposal, debate and result are all number 1
        "comment_id": comment.pk,
        "kind": "proposal",
        "object_id": proposal.number,
        "document": document.slug,
        "section_id": section.pk,
        "phase_id": process.phases.get().pk,
        "flag_id": flag.pk,
    }
