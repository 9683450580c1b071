"""KPIs for the Resolution 57-NQ/TW communication programme: plans, submissions, progress."""
