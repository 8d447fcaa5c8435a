"""makemessages that also finds `_l("...")` (the project's alias of gettext_lazy in forms): xgettext
knows Django's names (gettext_lazy, _) but not this one, so those labels were never catalogued."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
