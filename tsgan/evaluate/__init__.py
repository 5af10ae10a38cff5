"""Evaluation: metrics, baselines, the metric tables of ``tsgan evaluate`` and anomalies."""
