"""Notifications: in-app messages and e-mail to users about events in the apps above (a dossier
moved, a record waiting for confirmation, a recall, a reporting duty). `services.notify` is the one
way in; texts are rendered from the kind and its parameters in the reader's language."""
