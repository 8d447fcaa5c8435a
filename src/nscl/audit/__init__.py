"""The audit log: who created, changed, confirmed, reopened or deleted what, with the values before and after. Other apps use only audit.api."""
