"""The case workspace: one window per open case, with a tab for each part of the work on it."""
