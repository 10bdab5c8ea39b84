from django.conf import settings


def thesaban(request):
    return {
        "municipality": getattr(request, "municipality", None),
        "staff_role": getattr(request, "staff_role", None),
        "LANGUAGE_COOKIE_NAME": settings.LANGUAGE_COOKIE_NAME,
    }
