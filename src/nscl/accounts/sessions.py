"""Sessions that survive a database that cannot write (a full disk, SQLite busy past its timeout):
kept in the cache and in the database (Django's cached_db), and when the database write fails the
session lives on in the cache alone, with a warning in the log. Reading a session needs no write,
so an officer already signed in, or signing in, is not locked out by a full disk. A session that
exists only in the cache ends when the cache is cleared (a restart with the in-process cache):
the user signs in again."""
from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.db import OperationalError

log = logging.getLogger("nscl.sessions")


class SessionStore(cached_db.SessionStore):
    def save(self, must_create=False):
        try:
            return super().save(must_create)
        except CreateError:
            raise
        except UpdateError as e:
            # a failure to write, or a session that lives in the cache only (its row was never
            # written); not a session deleted meanwhile (a logout removes it from both)
            if isinstance(e.__context__, OperationalError) or self.cache_key in self._cache:
                self._keep_in_cache(e.__context__)
            else:
                raise
        except OperationalError as e:
            if self.session_key is None:
                raise
            self._keep_in_cache(e)

    def _keep_in_cache(self, error):
        log.warning("session kept in the cache only (the database could not write it: %s)", error)
        self._cache.set(self.cache_key, self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except OperationalError as e:
            log.warning("session not deleted from the database (%s); removed from the cache", e)
            key = session_key or self.session_key
            if key is not None:
                self._cache.delete(self.cache_key_prefix + key)
