from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "thesaban.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from thesaban.accounts.roles import sync_role_groups

        # Groups and their model permissions are configuration, kept in step after every migrate.
        post_migrate.connect(sync_role_groups, sender=self)
