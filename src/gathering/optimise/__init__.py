"""Pure-Python solvers for timetabling and grouping: no Django imports here."""
