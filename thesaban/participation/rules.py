"""Who may do what in participation. Residents' rights (proposing, supporting, commenting)
depend on the open phase and on verification, and are checked in services.py; this file
holds the staff side. `obj` is the municipality."""

import rules

from thesaban.accounts.rules import is_administrator, is_officer, is_staff_of_municipality

# Configure processes and phases, answer proposals, publish results and their updates.
rules.add_perm("participation.manage_process", is_administrator | is_officer)
# Hide or keep flagged content.
rules.add_perm("participation.moderate", is_administrator | is_officer)
# Read the staff pages (processes, the moderation queue, proposals awaiting an answer).
rules.add_perm("participation.view_staff_pages", is_staff_of_municipality)
