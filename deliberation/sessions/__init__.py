"""Live sessions (เวทีระดมความคิดเห็น): a hall of phones joins by code and sends ideas and
votes; themes, quick polls, the timer, the word cloud, and taking ideas forward."""
