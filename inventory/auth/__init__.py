"""Users, their API tokens and the permission rules: who may do what, where."""
