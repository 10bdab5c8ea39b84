"""The only way views fetch a notifications object: always through the request's municipality
(and, for a person's own subscriptions, through that person)."""

from django.http import Http404

from thesaban.municipalities.models import Community
from thesaban.notifications.models import Delivery, Subscription, WebhookEndpoint


def access_community(*, municipality, community_id) -> Community:
    try:
        return Community.objects.get(municipality=municipality, pk=community_id)
    except (Community.DoesNotExist, ValueError, TypeError):
        raise Http404("No such community") from None


def access_own_subscription(*, municipality, user, subscription_id) -> Subscription:
    try:
        return Subscription.objects.get(municipality=municipality, user=user, pk=subscription_id)
    except (Subscription.DoesNotExist, ValueError, TypeError):
        raise Http404("No such subscription") from None


def access_webhook_endpoint(*, municipality, endpoint_id) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.select_related("municipality").get(
            municipality=municipality, pk=endpoint_id
        )
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise Http404("No such webhook endpoint") from None


def access_delivery(*, municipality, delivery_id) -> Delivery:
    try:
        return Delivery.objects.select_related("municipality").get(
            municipality=municipality, pk=delivery_id
        )
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404("No such delivery") from None
