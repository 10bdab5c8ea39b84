from django.contrib.auth.backends import ModelBackend

from thesaban.accounts.identity import normalize_thai_mobile
from thesaban.accounts.models import User


class EmailOrPhoneBackend(ModelBackend):
    """Sign in with an e-mail address or a Thai mobile number in any common spelling."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        identifier = username.strip()
        if "@" in identifier:
            user = User.objects.filter(email__iexact=identifier).first()
        else:
            phone = normalize_thai_mobile(identifier)
            user = User.objects.filter(phone=phone).first() if phone else None
        if user is None:
            User().set_password(password)  # same time whether or not the account exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
