"""What the marginal map costs when sampling (stop 16), in one process.

    .venv/bin/python docs/prototypes/marginal_map_cost.py RUN_DIR

Times ``PriceGAN.sample(100_000)`` of a saved run with its marginal map and without it
(best of 3 each, alternating).
"""
import sys
import time

from tsgan.api import load

gan = load(sys.argv[1])
gan.sample(1000, seed=0)  # trace the sampling function first
fitted = gan.marginal_map
best = {"with the map": float("inf"), "without": float("inf")}
for _ in range(3):
    for label, marginal_map in (("with the map", fitted), ("without", None)):
        gan.marginal_map = marginal_map
        start = time.perf_counter()
        gan.sample(100_000, seed=1)
        best[label] = min(best[label], time.perf_counter() - start)
for label, seconds in best.items():
    print(f"{label}: {seconds:.2f} s per 100,000 days (best of 3)")
