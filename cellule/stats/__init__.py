"""Anonymous statistics: facts written at each business event, aggregated with small counts
suppressed. Reads facts only, never personal tables (architecture §4)."""
