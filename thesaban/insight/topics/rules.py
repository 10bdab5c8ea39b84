"""Who may do what with themes in comments. `obj` is the municipality.

Any municipal staff may read the machine summary; administrators and officers compute it and
decide whether residents see it on the process page."""

import rules

from thesaban.accounts.rules import is_administrator, is_officer, is_staff_of_municipality

rules.add_perm("topics.view", is_staff_of_municipality)
rules.add_perm("topics.compute", is_administrator | is_officer)
rules.add_perm("topics.publish", is_administrator | is_officer)
