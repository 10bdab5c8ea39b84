"""Permissions of the channels app: integrators' API keys are the administrators' business.

Officers and viewers neither see nor issue keys: a key lets an outside system file reports in
the municipality's name, so handing one out is an administrative decision.
"""

import rules

from thesaban.accounts.rules import is_administrator

rules.add_perm("channels.manage_api_keys", is_administrator)
