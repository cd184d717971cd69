from functools import cached_property


class UnreadNotifications:
    """The header bell's count: one indexed COUNT, run only when a template reads it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        from cellule.alerts.models import Notification

        return Notification.objects.visible_to(self.user).unread().count()


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadNotifications(user)}
