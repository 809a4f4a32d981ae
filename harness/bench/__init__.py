"""Benchmarks: accuracy, latency, throughput and training time vs stock Rasa."""
