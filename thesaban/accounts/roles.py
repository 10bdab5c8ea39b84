"""Staff roles as Django groups with model permissions (used by the admin site).

What a role may do inside a municipality is decided by each app's rules.py; the groups give
the admin site the matching model permissions. The municipality scope comes from StaffRole.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

ROLE_GROUPS = {
    "administrator": "Municipality administrator",
    "officer": "Department officer",
    "viewer": "Viewer",
    "digital_centre": "Digital centre volunteer",
}

# app_label.model -> actions, per role.
ROLE_PERMISSIONS = {
    # Volunteers only use the assisted-intake pages: no admin-site rights at all.
    "digital_centre": {},
    "administrator": {
        "municipalities.department": ["view", "add", "change", "delete"],
        "municipalities.community": ["view", "add", "change", "delete"],
        "municipalities.municipality": ["view", "change"],
        "accounts.staffrole": ["view", "add", "change", "delete"],
        "reports.category": ["view", "add", "change", "delete"],
        "reports.routingrule": ["view", "add", "change", "delete"],
        "reports.report": ["view", "change"],
        "core.auditentry": ["view"],
        "channels.apikey": ["view", "change"],
        "participation.consultationdocument": ["view", "add", "change", "delete"],
        "participation.documentsection": ["view", "add", "change", "delete"],
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
    # post_migrate runs app by app and this handler runs before auth's own, so on a fresh
    # database the permissions of reports, municipalities (and accounts itself) do not exist
    # yet: create them first, or the groups would be left without them.
    for app_label in {
        label.split(".")[0] for perms in ROLE_PERMISSIONS.values() for label in perms
    }:
        create_permissions(global_apps.get_app_config(app_label), verbosity=0)
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
