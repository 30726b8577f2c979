"""Evaluation harness: datasets, quality metrics, classical-codec baselines.

Modules are imported on demand; importing ``semcodec.eval`` itself imports nothing heavy.
"""
