"""The only way views fetch a channels object: through the request's municipality."""

from django.http import Http404

from thesaban.channels.models import ApiKey


def access_api_key(*, municipality, key_id) -> ApiKey:
    """An API key of this municipality; 404 for another's, or for anything malformed."""
    try:
        return ApiKey.objects.select_related("municipality").get(
            municipality=municipality, pk=int(key_id)
        )
    except (ApiKey.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such API key") from None
