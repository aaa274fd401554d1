"""Planning: population figures, the demand projection, alert rules and the alerts they
raise, and redistribution inside an area. Reads stock; never writes it."""
