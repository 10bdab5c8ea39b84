"""The key that finds a person's secret ballot again without storing who they are.

`voter_key(kind, object_id, user_id)` is HMAC-SHA256 under a server secret: the ballot row
stores only this key, so the ballot tables hold no user id. Anyone holding the secret *and*
the database can recompute the key of every user and link ballots to voters; docs/voting.md
says so plainly. The secret is `settings.VOTING_BALLOT_KEY` when set, else derived from
`SECRET_KEY`. Changing it while a poll is open does not let anyone vote twice (the
participation row still says they voted) but stops voters from changing their ballot.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "thesaban.participation.voting.voter_key"


def _secret() -> str:
    return getattr(settings, "VOTING_BALLOT_KEY", "") or settings.SECRET_KEY


def voter_key(*, kind: str, object_id: int, user_id: int) -> str:
    """64 hex characters; `kind` is "poll" or "budget" so the two never share keys."""
    return salted_hmac(
        SALT, f"{kind}:{object_id}:{user_id}", secret=_secret(), algorithm="sha256"
    ).hexdigest()
