"""The acting user of the current request or command (a context variable, safe across threads)."""
import contextvars

acting_user = contextvars.ContextVar("nscl_acting_user", default=None)
