"""Domain vocabulary and rules, free of storage and UI."""
