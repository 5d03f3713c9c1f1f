"""The synthetic-data generator (load tests, benchmarks). Synthetic data says so."""
