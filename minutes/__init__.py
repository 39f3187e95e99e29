"""Minutes drafting, approval and publication; work plans and indicators — arrives with its issue (see DESIGN.md §2)."""
