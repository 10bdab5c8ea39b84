"""The whole permission surface of the report back office, built from shared predicates.

`docs/roles.md` is the same table in words. Views ask `request.user.has_perm(<name>, obj)`;
`obj` is the report acted on, or the municipality for pages about many reports. Services
check again that a writer is non-viewer staff of the report's municipality.

Names such as `reports.change_report` are also Django model permissions the admin site asks
about *without* an object; every rule here is false without an object, so the admin keeps
using the role groups (`accounts/roles.py`) and this file decides object by object.
"""

import rules

from thesaban.accounts.models import StaffRole
from thesaban.accounts.rules import (
    is_administrator,
    is_digital_centre_volunteer,
    is_officer,
    is_staff_of_municipality,
    is_viewer,
    staff_role_of,
)
from thesaban.reports.models import Report

__all__ = [
    "is_administrator",
    "is_officer",
    "is_officer_of_report_department",
    "is_report_unassigned",
    "is_staff_of_municipality",
    "is_viewer",
    "may_act_on_report",
]


@rules.predicate
def is_officer_of_report_department(user, report) -> bool:
    """An officer whose department is the one the report is routed to."""
    if not isinstance(report, Report) or report.department_id is None:
        return False
    role = staff_role_of(user, report)
    return (
        role is not None
        and role.role == StaffRole.Role.OFFICER
        and role.department_id is not None
        and role.department_id == report.department_id
    )


@rules.predicate
def is_report_unassigned(user, report) -> bool:
    """The report has no department yet, so any officer may pick it up."""
    return isinstance(report, Report) and report.department_id is None


# Administrators act on every report of their municipality; officers on their department's
# reports and on unassigned ones; viewers never write.
may_act_on_report = is_administrator | (
    is_officer & (is_officer_of_report_department | is_report_unassigned)
)

rules.add_perm("reports.view_queue", is_staff_of_municipality)
rules.add_perm("reports.view_dashboard", is_staff_of_municipality)
# Assisted intake at a digital centre: submit for a resident and print their receipt.
rules.add_perm("reports.assist_intake", is_administrator | is_officer | is_digital_centre_volunteer)
rules.add_perm("reports.change_report", may_act_on_report)
rules.add_perm("reports.assign_report", may_act_on_report)
rules.add_perm("reports.merge_report", may_act_on_report)
rules.add_perm("reports.bulk_action", is_administrator | is_officer)
# Reporter name, e-mail and phone: only for those who act on the report (PDPA data
# minimisation; viewers follow the work without needing to contact anyone).
rules.add_perm("reports.view_reporter_contact", may_act_on_report)
