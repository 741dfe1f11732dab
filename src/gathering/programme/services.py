"""Every change to a programme: proposals and reviews, interest marks, the grid, optimisation and publishing.

Each function takes keyword-only arguments, checks permission and input, and makes its whole change in one
transaction, with its emails (outbox) and audit entries.
"""

# -------------------------------------------------------- open space: proposals and interest (attendees)


# -------------------------------------------------------- call for sessions, review, organisers' changes
