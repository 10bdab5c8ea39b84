"""The permission surface of the open-data back office (see docs/roles.md and docs/opendata.md).

Everything public needs no permission. In the back office every staff member may look;
administrators and officers import, enter and publish; viewers only look.
"""

import rules

from thesaban.accounts.rules import is_administrator, is_officer, is_staff_of_municipality

may_edit_open_data = is_administrator | is_officer

rules.add_perm("opendata.view_back_office", is_staff_of_municipality)
rules.add_perm("opendata.manage_budget", may_edit_open_data)
rules.add_perm("opendata.manage_spending", may_edit_open_data)
rules.add_perm("opendata.manage_datasets", may_edit_open_data)
