"""Signals other apps listen to instead of reports naming them.

`report_event_recorded` is sent inside the transaction that records a ReportEvent (creation,
state change, note, assignment, merge...), so a receiver's writes (an outbox row, a ledger
leaf) commit or roll back with the event itself. Receivers must not do slow I/O here: they
write rows, and deliver after commit.

Arguments: sender=Report, report=<Report>, event=<ReportEvent>.
"""

from django.dispatch import Signal

report_event_recorded = Signal()
