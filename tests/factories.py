"""factory_boy factories for every model the tests need."""

import factory
from django.utils import timezone

from thesaban.accounts.models import StaffRole, User
from thesaban.municipalities.models import Community, Department, Municipality
from thesaban.reports.models import Category, Report
from thesaban.reports.workflow import Status

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[100.0, 13.0], [100.01, 13.0], [100.01, 13.01], [100.0, 13.01], [100.0, 13.0]]
    ],
}


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"town{n}")
    name_th = factory.Sequence(lambda n: f"เทศบาลเมืองทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Town {n}")
    kind = Municipality.Kind.TOWN
    province_th = "ฉะเชิงเทรา"
    province_en = "Chachoengsao"
    population = 40000
    center_lat = 13.005
    center_lng = 100.005
    tracking_prefix = factory.Sequence(lambda n: f"T{n:03d}"[:10])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"dept{n}")
    name_th = factory.Sequence(lambda n: f"กองช่าง {n}")
    name_en = factory.Sequence(lambda n: f"Engineering {n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"community{n}")
    name_th = factory.Sequence(lambda n: f"ชุมชนที่ {n}")
    name_en = factory.Sequence(lambda n: f"Community {n}")
    boundary = SQUARE
    min_lat, max_lat, min_lng, max_lng = 13.0, 13.01, 100.0, 100.01


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"cat{n}")
    name_th = "ถนน"
    name_en = "Road"
    icon = "🛣️"
    department = factory.SubFactory(
        DepartmentFactory, municipality=factory.SelfAttribute("..municipality")
    )
    sla_hours = 72
    severity = 3


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"resident{n}@example.org")
    username = factory.SelfAttribute("email")
    display_name = factory.Sequence(lambda n: f"Resident {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    municipality = factory.SubFactory(MunicipalityFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffRole.Role.ADMINISTRATOR
    department = None


class ReportFactory(factory.django.DjangoModelFactory):
    """A report written straight to the table; use services.report_create to test the flow."""

    class Meta:
        model = Report

    municipality = factory.SubFactory(MunicipalityFactory)
    category = factory.SubFactory(
        CategoryFactory, municipality=factory.SelfAttribute("..municipality")
    )
    department = factory.LazyAttribute(lambda o: o.category.department)
    tracking_code = factory.Sequence(lambda n: f"TEST-2569-{n:06d}")
    description = "ถนนเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย"
    lat = 13.005
    lng = 100.005
    status = Status.SUBMITTED
    reporter_name = "สมชาย ใจดี"
    reporter_email = factory.Sequence(lambda n: f"reporter{n}@example.org")
    reporter_phone = "0812345678"
    is_anonymous = True
    submitted_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
    sla_due_at = factory.LazyAttribute(lambda o: o.submitted_at + timezone.timedelta(hours=72))
