"""A meeting's agenda: drafting, members' suggestions, versions, publishing, and its
conduct on the day (the item under consideration, each item's outcome)."""
