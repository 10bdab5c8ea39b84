"""Who may do what with a municipality's LINE channel (`obj` is the municipality)."""

import rules

from thesaban.accounts.rules import is_administrator

# The channel secret and access token give control of the municipality's LINE Official
# Account: only its administrators enter them.
rules.add_perm("line.manage_channel", is_administrator)
