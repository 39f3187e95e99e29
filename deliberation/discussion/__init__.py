"""Discussion threads on agenda items: posts with a stance, replies, mentions, edits kept
as history."""
