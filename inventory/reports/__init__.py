"""Reports of an area: stock by office with status and days of cover, and consumption by
period and reason, as JSON or CSV. Read-only: reads stock and planning, writes nothing."""
