import contextvars

acting_user = contextvars.ContextVar("nscl_acting_user", default=None)
