"""Who may do what with announcements, the outbox and webhooks (docs/notifications.md has the
same table). `obj` is the municipality. Residents' own subscriptions need no rule: a person
only ever sees and changes their own, through their account or a signed link."""

import rules

from thesaban.accounts.rules import is_administrator, is_officer, is_staff_of_municipality

__all__ = ["is_administrator", "is_officer", "is_staff_of_municipality"]

# Administrators and officers publish; every staff role reads what was published and sent.
rules.add_perm("notifications.view_announcements", is_staff_of_municipality)
rules.add_perm("notifications.publish_announcement", is_administrator | is_officer)
# The outbox (with addresses masked) and its dead letters; only administrators send again.
rules.add_perm("notifications.view_outbox", is_staff_of_municipality)
rules.add_perm("notifications.retry_delivery", is_administrator)
# Webhook endpoints hold a secret and reach outside systems: administrators only.
rules.add_perm("notifications.manage_webhooks", is_administrator)
