"""Project proposals, ballots, tallies and receipts — arrives with its issue (see DESIGN.md §2)."""
