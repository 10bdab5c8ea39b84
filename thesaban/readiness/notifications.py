"""E-mail to the residents drawn into a survey round, sent as a task after the round is saved."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def send_survey_invitations(round_id: int) -> int:
    from thesaban.readiness.models import SurveyInvitation, SurveyRound

    survey_round = SurveyRound.objects.select_related("municipality").get(pk=round_id)
    path = reverse(
        "readiness:survey",
        kwargs={"municipality": survey_round.municipality.slug, "round_id": survey_round.pk},
    )
    url = settings.PUBLIC_BASE_URL.rstrip("/") + path
    sent = 0
    invitations = SurveyInvitation.objects.filter(
        municipality_id=survey_round.municipality_id, round=survey_round
    ).select_related("user")
    for invitation in invitations:
        user = invitation.user
        if not user.email:
            continue
        with translation.override(getattr(user, "preferred_language", "") or "th"):
            context = {
                "survey_round": survey_round,
                "url": url,
                "municipality": survey_round.municipality,
            }
            subject = render_to_string("readiness/email/invitation_subject.txt", context).strip()
            body = render_to_string("readiness/email/invitation.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
