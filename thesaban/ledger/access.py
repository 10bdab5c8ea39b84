"""The only way views fetch a ledger entry: through the request's municipality."""

from django.http import Http404

from thesaban.ledger import selectors
from thesaban.ledger.models import LedgerEntry


def access_ledger_entry(*, municipality, index: int) -> LedgerEntry:
    entry = selectors.ledger_entry(municipality=municipality, index=index)
    if entry is None:
        raise Http404("No such ledger entry")
    return entry
