"""Data: the SMARD client and fetch, price-file readers and writers, day vectors, splits and
conditions (source → days)."""
