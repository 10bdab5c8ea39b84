"""Nothing of voting is registered on the admin site, on purpose.

Polls, options, budgets and projects are edited on the staff pages (/<slug>/staff/votes/),
whose services lock what a ballot means once people have voted and audit every change; the
admin site would bypass both. Ballots and participation rows are never shown to anyone.
"""
