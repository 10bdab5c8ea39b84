"""The whole permission surface of digital readiness (docs/readiness.md has the table).

Administrators run assessments and survey rounds and decide whether results are public;
officers and viewers read everything of their municipality and export it. `obj` is the
municipality or a row that carries `municipality_id` (an Assessment, a SurveyRound...).
"""

import rules

from thesaban.accounts.rules import is_administrator, is_staff_of_municipality

rules.add_perm("readiness.view_assessment", is_staff_of_municipality)
rules.add_perm("readiness.export_assessment", is_staff_of_municipality)
rules.add_perm("readiness.change_assessment", is_administrator)
rules.add_perm("readiness.view_survey_results", is_staff_of_municipality)
rules.add_perm("readiness.manage_survey", is_administrator)
rules.add_perm("readiness.change_publication", is_administrator)
