from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Not audited (no `audited = True`): a notification is a message to one user about an event its
    own app already audits (the dossier step, the activity record, the recall), and a preference is a
    user's choice of the messages they get; neither is programme data. Auditing them would repeat
    every audited event once per recipient. Each message's e-mail outcome is kept on its row."""

    name = "nscl.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
