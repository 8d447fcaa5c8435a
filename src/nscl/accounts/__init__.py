"""Users, their role and the unit or enterprise they act for; every permission decision is a function of accounts.roles."""
