"""Agenda drafting, online discussion and live idea gathering — arrives with its issue (see DESIGN.md §2)."""
