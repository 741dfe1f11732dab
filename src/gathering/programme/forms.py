"""Forms for proposals, interest, reviews, the grid and the timetable editor."""

from django import forms  # noqa: F401

# --------------------------------------------------------- attendees: proposals and interest


# --------------------------------------------------------- organisers and reviewers
