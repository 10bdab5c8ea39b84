"""Staff roles as Django groups with model permissions (used by the admin site).

What a role may do inside a municipality is decided by each app's rules.py; the groups give
the admin site the matching model permissions. The municipality scope comes from StaffRole.
"""

from django.contrib.auth.models import Group, Permission

ROLE_GROUPS = {
    "administrator": "Municipality administrator",
    "officer": "Department officer",
    "viewer": "Viewer",
}

# app_label.model -> actions, per role.
ROLE_PERMISSIONS = {
    "administrator": {
        "municipalities.department": ["view", "add", "change", "delete"],
        "municipalities.community": ["view", "add", "change", "delete"],
        "municipalities.municipality": ["view", "change"],
        "accounts.staffrole": ["view", "add", "change", "delete"],
        "reports.category": ["view", "add", "change", "delete"],
        "reports.routingrule": ["view", "add", "change", "delete"],
        "reports.report": ["view", "change"],
        "core.auditentry": ["view"],
    },
    "officer": {
        "reports.report": ["view", "change"],
        "reports.category": ["view"],
        "municipalities.department": ["view"],
    },
    "viewer": {
        "reports.report": ["view"],
        "reports.category": ["view"],
        "municipalities.department": ["view"],
    },
}


def sync_role_groups(**kwargs) -> None:
    for role, group_name in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for model_label, actions in ROLE_PERMISSIONS[role].items():
            app_label, model = model_label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted += list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
        group.permissions.set(wanted)
