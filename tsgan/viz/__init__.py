"""Seeing: plots of a run and the offline HTML report."""
