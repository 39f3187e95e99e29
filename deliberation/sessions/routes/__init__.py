"""A live session's HTML routes: joining, ideas and votes, the console and the projector, themes, polls and the timer, follow-up."""
