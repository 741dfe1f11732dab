"""Reads of a programme that pages and the API share, each in a fixed number of queries."""

# -------------------------------------------------------- published timetable, agenda, board (public)


# -------------------------------------------------------- organisers: proposals, reviews, runs
