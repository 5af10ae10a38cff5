"""Writing many synthetic scenarios to CSV or Parquet in bounded memory.

Scenarios are generated and written chunk by chunk, so a million days never sit in memory
at once, and the file appears at its target path only when complete (atomic rename).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.data.io import atomic_path
from tsgan.errors import TsganError

#: Rows generated per chunk: big enough to amortise framework overhead, small enough to
#: bound memory (100,000 days x 24 float64 = 19 MB).
CHUNK_ROWS = 100_000

#: Prices are published with two decimals (cents of EUR/MWh); CSV keeps that precision.
PRICE_CSV_FORMAT = "%.2f"


class Sampler(Protocol):
    """Anything with ``sample(n, seed)`` returning a frame in original units."""

    def sample(self, n: int, seed: int | None = None) -> pd.DataFrame: ...


def chunk_seeds(seed: int | None, n_chunks: int) -> list[int | None]:
    """Independent, reproducible seeds for each chunk derived from one user seed."""
    if seed is None:
        return [None] * n_chunks
    children = np.random.SeedSequence(seed).spawn(n_chunks)
    return [int(child.generate_state(1)[0] & 0x7FFFFFFF) for child in children]


def iter_scenario_chunks(
    model: Sampler, n: int, seed: int | None = None, chunk_rows: int = CHUNK_ROWS,
    conditions: Any = None,
) -> Iterator[pd.DataFrame]:
    """Yield frames of scenarios with a leading 1-based ``scenario`` column, ``n`` rows in all.

    A conditional model (one with ``condition_names``) gets ``conditions`` — a mapping
    passed to every chunk, or a frame of ``n`` rows sliced per chunk — and its frames carry
    the conditions after the values.
    """
    n = checks.positive_integer(n, "number of scenarios")
    conditional = bool(getattr(model, "condition_names", None))
    if isinstance(conditions, pd.DataFrame) and len(conditions) != n:
        raise TsganError(f"{len(conditions)} rows of conditions for {n} scenarios")
    sizes = [chunk_rows] * (n // chunk_rows) + ([n % chunk_rows] if n % chunk_rows else [])
    start = 1
    for size, chunk_seed in zip(sizes, chunk_seeds(seed, len(sizes)), strict=True):
        if conditional or conditions is not None:  # the model refuses what it cannot use
            part = conditions.iloc[start - 1:start - 1 + size] \
                if isinstance(conditions, pd.DataFrame) else conditions
            frame = model.sample(size, seed=chunk_seed, conditions=part,  # type: ignore[call-arg]
                                 return_conditions=conditional)
        else:
            frame = model.sample(size, seed=chunk_seed)
        frame = frame.reset_index(drop=True)
        frame.insert(0, "scenario", np.arange(start, start + size, dtype=np.int64))
        start += size
        yield frame


def write_scenarios(
    model: Sampler,
    n: int,
    out: str | os.PathLike[str],
    seed: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    float_format: str | None = PRICE_CSV_FORMAT,
    conditions: Any = None,
) -> Path:
    """Generate ``n`` scenarios with ``model`` and write them to ``out`` (.csv or .parquet).

    ``conditions``: for a conditional model, see :func:`iter_scenario_chunks`.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise TsganError(f"--out must end in .csv or .parquet, got {out.name!r}")
    if out.is_dir():
        raise TsganError(f"--out {out} is a directory; give a file name ending in {suffix}")
    chunks = iter_scenario_chunks(model, n, seed, chunk_rows, conditions)
    with atomic_path(out) as tmp:
        if suffix == ".csv":
            _write_csv_chunks(chunks, tmp, float_format)
        else:
            _write_parquet_chunks(chunks, tmp)
    return out


def _write_csv_chunks(chunks: Iterator[pd.DataFrame], path: Path, float_format: str | None) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for i, frame in enumerate(chunks):
            frame.to_csv(handle, index=False, header=(i == 0), float_format=float_format)


def _write_parquet_chunks(chunks: Iterator[pd.DataFrame], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer: Any = None
    try:
        for frame in chunks:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
