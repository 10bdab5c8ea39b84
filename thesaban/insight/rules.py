"""The whole permission surface of the category suggester.

Any municipal staff may look at the suggestion on a report and at the list of category models.
Those who may act on a report (reports/rules.py) confirm a suggestion or accept it; only
administrators train, activate or switch back models and edit the label mapping, because a
model serves every report of the municipality.
"""

import rules

from thesaban.accounts.rules import is_administrator, is_staff_of_municipality
from thesaban.reports.rules import may_act_on_report

rules.add_perm("insight.view_suggestion", is_staff_of_municipality)
rules.add_perm("insight.decide_suggestion", may_act_on_report)
rules.add_perm("insight.view_models", is_staff_of_municipality)
rules.add_perm("insight.train_model", is_administrator)
rules.add_perm("insight.activate_model", is_administrator)
rules.add_perm("insight.edit_labels", is_administrator)
