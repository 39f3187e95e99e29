"""The agenda's HTML routes: the agenda and its papers, and the meeting's conduct."""
