"""Authentication events, journaled: logins, logouts, failures and lockouts."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from cellule.access.journaling import Action, journal_event

# Account-security changes, sent by the account views with user= and request= (the alerts app
# notifies the account's owner). second_factor_changed also has change="totp" or "recovery_codes".
second_factor_changed = Signal()
password_changed = Signal()


def _account(identifier):
    """The account an identifier names, if any: the journal keeps its id, never the identifier."""
    from cellule.accounts.models import User

    if not identifier:
        return None
    return User.objects.filter(email__iexact=str(identifier).strip()).first()


@receiver(user_logged_in)
def journal_login(sender, request, user, **kwargs):
    journal_event(user, Action.LOGIN, target=user)


@receiver(user_logged_out)
def journal_logout(sender, request, user, **kwargs):
    if user is not None:
        journal_event(user, Action.LOGOUT, target=user)


@receiver(user_login_failed)
def journal_login_failure(sender, credentials, request=None, **kwargs):
    journal_event(None, Action.LOGIN_FAILED, target=_account(credentials.get("username")))


@receiver(user_locked_out)
def journal_lockout(sender, request, username, ip_address, **kwargs):
    journal_event(None, Action.LOCKOUT, target=_account(username))
