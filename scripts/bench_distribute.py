"""Benchmark: tsgan training under tf.distribute strategies on this machine (docs/scaling.md).

Each configuration runs ``tests/distribute_worker.py bench`` in its own process (logical
devices and TF_CONFIG are fixed at TensorFlow's first use): the smard preset, the bundled
data, ``--steps`` iterations, ms per step after the first (tracing) chunk. Rows:

* default strategy (the fast single-device path), with and without XLA,
* mirrored over 1 and 2 logical CPU devices (the CPU split with
  ``tf.config.set_logical_device_configuration``),
* multiworker: two local worker processes (TF_CONFIG on 127.0.0.1), ``--multiworker``,

each at global batch 64 and 256. Prints one Markdown table. Usage:
``python scripts/bench_distribute.py [--steps 1000] [--multiworker]``, or ``--smoke`` (a few
steps of two rows, to keep the script from rotting).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORKER = REPO / "tests" / "distribute_worker.py"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    return {**env, "TF_CPP_MIN_LOG_LEVEL": "2", **extra}


def _parse(output: str) -> dict[str, Any]:
    for line in reversed(output.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError("worker printed no result:\n" + output[-2000:])


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def run_single(strategy: str, devices: int, batch: int, steps: int, jit: bool,
               timeout: float) -> dict[str, Any]:
    """One bench process; its result dict."""
    cmd = [sys.executable, str(WORKER), "bench", "--strategy", strategy, "--devices",
           str(devices), "--batch", str(batch), "--steps", str(steps)] + (["--jit"] if jit else [])
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode:
        raise RuntimeError(proc.stdout[-1000:] + proc.stderr[-2000:])
    return _parse(proc.stdout)


def run_multiworker(batch: int, steps: int, timeout: float, workers: int = 2) -> dict[str, Any]:
    """``workers`` local processes under one TF_CONFIG cluster; the chief's result."""
    cluster = {"worker": [f"127.0.0.1:{p}" for p in _free_ports(workers)]}
    procs = []
    try:
        for i in range(workers):
            tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})
            procs.append(subprocess.Popen(
                [sys.executable, str(WORKER), "bench", "--strategy", "multiworker",
                 "--devices", "1", "--batch", str(batch), "--steps", str(steps)],
                cwd=REPO, env=_env(TF_CONFIG=tf_config), stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True))
        outputs = [p.communicate(timeout=timeout)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, out in zip(procs, outputs, strict=True):
        if p.returncode:
            raise RuntimeError(out[-2000:])
    return _parse(outputs[0])


def main(argv: list[str] | None = None) -> int:
    """Run the configurations and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--multiworker", action="store_true",
                        help="add the two-local-process multi-worker row")
    parser.add_argument("--smoke", action="store_true", help="a few steps of two rows")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, int]] = [("default (XLA)", "default", 1),
                                         ("default (no XLA)", "default", 1),
                                         ("mirrored, 1 CPU device", "mirrored", 1),
                                         ("mirrored, 2 logical CPU devices", "mirrored", 2)]
    batches, steps = args.batches, args.steps
    if args.smoke:
        rows, batches, steps = [rows[0], rows[3]], [64], 200
    cores = os.cpu_count()
    print(f"smard preset, {steps} steps, ms per step after the first chunk; "
          f"{platform.processor() or platform.machine()}, {cores} cores\n")
    header = "| strategy | replicas | " + " | ".join(f"batch {b}: ms/step (days/s)"
                                                     for b in batches) + " |"
    print(header)
    print("|" + "---|" * (2 + len(batches)))
    results: list[tuple[str, int, list[dict[str, Any]]]] = []
    for label, strategy, devices in rows:
        jit = label == "default (XLA)"
        res = [run_single(strategy, devices, b, steps, jit, args.timeout) for b in batches]
        results.append((label, res[0]["replicas"], res))
    if args.multiworker and not args.smoke:
        res = [run_multiworker(b, steps, args.timeout) for b in batches]
        results.append(("multiworker, 2 local processes", res[0]["replicas"], res))
    for label, replicas, res in results:
        cells = " | ".join(f"{r['ms_per_step']:.2f} ({1000 * r['batch'] / r['ms_per_step']:,.0f})"
                           for r in res)
        print(f"| {label} | {replicas} | {cells} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
