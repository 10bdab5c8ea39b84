"""How views fetch the LINE channel: always through the request's municipality."""

from django.http import Http404

from thesaban.channels.line.models import LineChannel


def access_line_channel(*, municipality) -> LineChannel:
    """The municipality's active, configured LINE channel; 404 when there is none, so an
    unconfigured municipality's webhook tells nothing and changes nothing."""
    channel = (
        LineChannel.objects.filter(municipality=municipality, is_active=True)
        .select_related("municipality")
        .first()
    )
    if channel is None or not channel.is_configured:
        raise Http404("No LINE channel")
    return channel
