"""Speed of the synthetic generator: pairs written per second (one process).
Run: `.venv/bin/python bench/bench_synthetic.py` (budget: 1,000 pairs at 224x224 in at most 30 s).
Its table documents the generator's speed (nbs/00_datasets.ipynb); it feeds no results-log entry."""
import tempfile, time
from pathlib import Path
from tblip2.datasets import make_synthetic_dataset

def main():
    rows = []
    for n, size in ((1000, 224), (200, 448)):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            make_synthetic_dataset(Path(tmp)/'syn', n_train=n, n_val=0, n_test=0, image_size=size, progress=False)
            rows.append((n, size, time.perf_counter() - start))
    print("| pairs | image | seconds | pairs/s |\n|---:|---:|---:|---:|")
    for n, size, sec in rows: print(f"| {n:,} | {size}x{size} | {sec:.1f} | {n/sec:.0f} |")

if __name__ == '__main__': main()
