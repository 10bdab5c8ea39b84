"""Request and response bodies of the JSON API (pydantic, via django-ninja).

Public representations carry no personal data: no reporter name, e-mail, phone, account id or
follow token; a report's answers to extra questions are shown to staff only. Staff
representations add the reporter's contact details only when reports/rules.py allows
(`reports.view_reporter_contact`).
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from thesaban.reports.workflow import Status

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _clean_text(value: str) -> str:
    """No NUL characters or lone surrogates: databases refuse them, so we refuse them first."""
    if "\x00" in value:
        raise ValueError(_("This text contains a character that is not allowed."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("This text contains a character that is not allowed.")) from None
    return value


def text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[
        str,
        StringConstraints(max_length=max_length, min_length=min_length),
        AfterValidator(_clean_text),
    ]


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(_("Enter a valid e-mail address.")) from None
    return value


Email = Annotated[
    str, StringConstraints(max_length=254), AfterValidator(_clean_text), AfterValidator(_email)
]
Phone = Annotated[str, StringConstraints(max_length=20, pattern=r"^[0-9+\-() ]*$")]
QuestionCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,50}$")]
AnswerText = text(2000)
Answer = AnswerText | Annotated[float, Field(allow_inf_nan=False)] | list[text(200)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
StatusFilter = Literal[
    "open", "done", "submitted", "accepted", "in_progress", "resolved", "closed", "rejected"
]
StaffStatusFilter = Literal[
    "open",
    "done",
    "submitted",
    "accepted",
    "in_progress",
    "resolved",
    "closed",
    "rejected",
    "duplicate",
]
StaffTarget = Literal["accepted", "in_progress", "resolved", "rejected", "closed"]
StatusValue = Literal[tuple(Status.values)]


RequiredLongText = text(5000, 1)
LongText = text(5000)
Address = text(300)
PersonName = text(150)
RequiredMediumText = text(2000, 1)
MediumText = text(2000)
ShortToken = text(64)
Login = text(254, 1)
Password = text(1024, 1)
TokenName = text(100, 1)


class Input(BaseModel):
    """Request bodies: plain pydantic models, so a body that is not a JSON object is refused
    (django-ninja's Schema would read attributes off any value and accept it)."""


# --- municipalities and categories ------------------------------------------------------


class MunicipalityOut(Schema):
    slug: str = Field(description="Used in every URL of this municipality.")
    name: str = Field(description="In the request's language.")
    name_th: str
    name_en: str
    kind: str = Field(description="nakhon (city), mueang (town) or tambon (subdistrict).")
    province: str
    population: int
    center_lat: float
    center_lng: float
    default_zoom: int
    tracking_prefix: str
    contact_email: str
    contact_phone: str
    web_url: str
    reports_url: str = Field(description="This municipality's reports in this API.")


class ChoiceOut(Schema):
    key: str
    name: str
    name_th: str
    name_en: str


class QuestionOut(Schema):
    code: str = Field(description='The key of the answer in a report\'s "answers".')
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    order: int
    label: str
    label_th: str
    label_en: str
    description: str
    values: list[ChoiceOut] = Field(description="The choices of a (single|multi)valuelist.")


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_th: str
    name_en: str
    icon: str
    department: str | None = Field(description="The department that handles it by default.")
    sla_hours: int = Field(description="The municipality's target time to resolve, in hours.")
    notice: str = Field(description="A notice shown to people reporting in this category.")
    questions: list[QuestionOut] = Field(description="Extra questions asked with a report.")


class AreaOut(Schema):
    id: int
    code: str
    name: str
    name_th: str
    name_en: str


# --- reports: public ----------------------------------------------------------------------


class CategoryRef(Schema):
    id: int
    code: str
    name: str
    icon: str


class ReportSummaryOut(Schema):
    tracking_code: str
    category: CategoryRef
    status: StatusValue
    status_label: str
    description: str
    address: str
    lat: float | None
    lng: float | None
    community: str | None
    submitted_at: datetime
    updated_at: datetime
    support_count: int
    comment_count: int
    url: str = Field(description="This report in this API.")
    web_url: str = Field(description="The report's public page.")


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    width: int
    height: int
    by_staff: bool = Field(description="A photo of the work done, posted by staff.")


class EventOut(Schema):
    kind: Literal["created", "status", "note", "assigned", "merged", "rated", "reopened"]
    kind_label: str
    from_status: StatusValue | None
    to_status: StatusValue | None
    note: str
    is_public: bool
    created_at: datetime


class ReportOut(ReportSummaryOut):
    department: str | None
    sla_due_at: datetime
    sla_breached: bool
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None = Field(description="The reporter's rating, 1-5, once rated.")
    reported_by: str | None = Field(
        description="The reporter's chosen display name when they reported publicly; "
        "null for anonymous reports. Never contact data."
    )
    duplicate_of: str | None = Field(description="The tracking code this report was merged into.")
    photos: list[PhotoOut]
    timeline: list[EventOut] = Field(description="Public events, oldest first.")


class ReportCreatedOut(ReportOut):
    follow_token: str = Field(
        description="Secret given only to the reporter: lets them rate the result without an "
        "account. Keep it private."
    )
    follow_url: str = Field(description="The reporter's private page (contains the token).")


class CommentOut(Schema):
    id: int
    author: str = Field(description="The commenter's display name.")
    body: str
    created_at: datetime


class SupportOut(Schema):
    supported: bool
    created: bool = Field(description="False when you had already supported it.")
    support_count: int


class FollowOut(Schema):
    following: bool


class ReportPage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    results: list[ReportSummaryOut]


# --- reports: input -----------------------------------------------------------------------


class ReportIn(Input):
    category: Id = Field(description="A category id of this municipality (see /categories).")
    description: RequiredLongText = Field(description="What is wrong, in the reporter's words.")
    lat: Latitude | None = None
    lng: Longitude | None = None
    address: Address = Field(
        "", description="Address or landmark; required when no coordinates are given."
    )
    answers: dict[QuestionCode, Answer] = Field(
        default_factory=dict,
        description="Answers to the category's extra questions, by question code.",
    )
    is_anonymous: bool = Field(True, description="Hide the reporter's display name publicly.")
    reporter_name: PersonName = ""
    reporter_email: Email = ""
    reporter_phone: Phone = ""
    contact_consent: bool = Field(
        False,
        description="The reporter agrees to be contacted about this report (PDPA); required "
        "for their e-mail to receive updates.",
    )


class CommentIn(Input):
    body: RequiredMediumText


class RateIn(Input):
    score: int = Field(ge=1, le=5)
    comment: MediumText = ""
    follow_token: ShortToken = Field(
        "", description="The token returned at creation, when not signed in as the reporter."
    )


class FollowIn(Input):
    email: Email = Field(
        "", description="Without a token: the e-mail address that receives the updates."
    )


# --- staff --------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class RefOut(Schema):
    id: int
    name: str


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class StaffEventOut(EventOut):
    actor: str | None = Field(description="Who did it (staff view only).")


class StaffReportOut(ReportSummaryOut):
    department: RefOut | None
    assigned_to: PersonRef | None
    channel: str
    answers: dict[str, Any]
    sla_due_at: datetime
    sla_breached: bool
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None
    satisfaction_comment: str
    duplicate_of: str | None
    priority: float | None = Field(description="Triage priority (queue only).")
    reporter_contact: ContactOut | None = Field(
        description="Only for staff who may act on the report; null otherwise."
    )
    allowed_transitions: list[str] = Field(description="Statuses this report may move to now.")
    photos: list[PhotoOut]
    timeline: list[StaffEventOut] = Field(description="Every event, internal ones included.")


class QueueItemOut(ReportSummaryOut):
    department: RefOut | None
    assigned_to: PersonRef | None
    sla_due_at: datetime
    sla_breached: bool
    priority: float


class QueuePage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    results: list[QueueItemOut]


class TransitionIn(Input):
    to_status: StaffTarget
    public_note: LongText = Field(
        "", description="Shown to the public; required to resolve or reject."
    )
    internal_note: LongText = ""


class AssignIn(Input):
    department: Id | None = Field(None, description="A department id; null for unassigned.")
    officer: Id | None = Field(None, description="A staff member's user id; null for nobody.")


class NoteIn(Input):
    note: RequiredLongText
    is_public: bool = Field(False, description="Public reply (true) or internal note (false).")


# --- tokens -------------------------------------------------------------------------------


class TokenCreateIn(Input):
    login: Login = Field(description="E-mail address or Thai mobile number.")
    password: Password
    name: TokenName = Field(description="The app or device the token is for.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="Shown only now: send it as Authorization: Bearer <token>.")


class DateRange(Schema):
    date_from: date | None = None
    date_to: date | None = None
