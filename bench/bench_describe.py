"""Describing a folder: pairs/s and peak memory of the per-pair path and the batched path, on the same pairs, in one run.

  python bench/bench_describe.py                                  # 1,000 synthetic 224x224 pairs, the demo model
  python bench/bench_describe.py --model_path M --pairs 200       # another model, fewer pairs

Each row runs in a fresh Python process, so its peak resident memory (`ru_maxrss`) is its own; the
worker processes that read and detect ahead of the model are reported apart (the largest one; forked,
they count the pages they share with the main process). Timing covers describing
only (the model is loaded first). The per-pair row is `describe_pair` on each pair in turn, as
`tblip2_diff` described folders before batching; the batched rows are `describe_folder` streaming its
results to a `.jsonl` log, as `tblip2_diff --input_dir --output_file` does now. The sentences of the two
paths are compared pair by pair. CPU ms per pair (user + system, main process and workers) says what
a row costs whatever else the machine is running; pairs/s is wall-clock and is not. Without `--model_path` the demo
model (`make demo`) is used, else a tiny untrained one (say which in what you quote).

Feeds the results log (RESULTS.md): 'Describing a folder: one pair at a time against batched' (2026-11-30).
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model_path', default=None, help='a saved EnhancedDiffBLIP2 (default: the demo model, else a tiny untrained one)')
    p.add_argument('--pairs', type=int, default=1000, help='synthetic pairs to describe')
    p.add_argument('--image_size', type=int, default=224, help='side of the synthetic images')
    p.add_argument('--batch_size', type=int, default=32, help='pairs per model call on the batched path')
    p.add_argument('--num_workers', type=int, default=None, help='reading/detecting processes on the batched path (default: one per CPU, at most 8)')
    p.add_argument('--threads', type=int, default=None, help="torch's threads in each row (default: torch's own choice)")
    p.add_argument('--run', default=None, help=argparse.SUPPRESS)  # internal: one row, in this process
    return p.parse_args(argv)

def one_row(spec:dict) -> dict:
    "Time one path in this process and measure its peak memory"
    import torch
    from tblip2.describe import DescribeConfig, describe_folder, describe_pair, find_pairs, load_model, write_json_atomic
    if spec['threads']: torch.set_num_threads(spec['threads'])
    model = load_model(spec['model_path']) if spec['with_model'] else None
    cfg = model.config.detector if model is not None else load_model(spec['model_path']).config.detector
    pairs = find_pairs(spec['input_dir'])[0][:spec['n']]
    cpu0 = sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    start = time.perf_counter()
    if spec['path'] == 'per pair':
        write_json_atomic(dict(results=[describe_pair(p, model, cfg) for p in pairs]), spec['output_file'])
    else:
        keep = Path(spec['output_file']).parent/'subset'; keep.mkdir(exist_ok=True)  # the first n pairs, as links
        for p in pairs:
            for k in ('before', 'after'): (keep/p[k].name).unlink(missing_ok=True); (keep/p[k].name).symlink_to(p[k])
        cpu0 = sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        start = time.perf_counter()
        describe_folder(keep, model, cfg, DescribeConfig(batch_size=spec['batch_size'], num_workers=spec['num_workers']),
                        output_file=spec['output_file'], progress=False)
    seconds = time.perf_counter() - start
    mib = lambda who: resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux
    cpu = lambda: sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return dict(seconds=seconds, pairs_per_s=len(pairs) / seconds, cpu_ms=1000 * (cpu() - cpu0) / len(pairs),
                rss_mib=mib(resource.RUSAGE_SELF), workers_rss_mib=mib(resource.RUSAGE_CHILDREN))

def run_row(spec:dict) -> dict:
    "`one_row(spec)` in a fresh process"
    r = subprocess.run([sys.executable, __file__, '--run', json.dumps(spec)], capture_output=True, text=True)
    if r.returncode: sys.exit(f"row {spec['path']} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])

def sentences(path) -> dict:
    return {r['name']: r.get('descriptions') for r in json.loads(Path(path).read_text())['results']}

def main(argv=None):
    a = parse_args(argv)
    if a.run: print(json.dumps(one_row(json.loads(a.run)))); return
    os.environ['TBLIP2_PROGRESS'] = 'off'
    from tblip2.datasets import make_synthetic_dataset
    from tblip2.describe import DescribeConfig, default_model_path, untrained_checkpoint
    work = Path(tempfile.mkdtemp(prefix='bench_describe-'))
    model_path = a.model_path or default_model_path()
    model_name = str(model_path) if model_path else 'a tiny untrained model (untrained_checkpoint, 32 px)'
    if model_path is None: model_path = untrained_checkpoint(work/'untrained')
    t = time.perf_counter()
    data = make_synthetic_dataset(work/'syn', a.pairs, 0, 0, image_size=a.image_size, progress=False)
    print(f"{a.pairs} synthetic {a.image_size}x{a.image_size} pairs in {time.perf_counter() - t:.0f} s; model: {model_name}", file=sys.stderr)
    workers = DescribeConfig(num_workers=a.num_workers).workers
    base = dict(model_path=str(model_path), input_dir=str(data/'resized_images'), threads=a.threads)
    rows = [('per pair', a.pairs, 1, 0, True), ('batched', a.pairs, a.batch_size, workers, True),
            ('batched', a.pairs // 4, a.batch_size, workers, True), ('detection only', a.pairs, a.batch_size, workers, False)]
    out = []
    for i, (path, n, bs, w, with_model) in enumerate(rows):
        spec = dict(base, path=path, n=n, batch_size=bs, num_workers=w, with_model=with_model, output_file=str(work/f'row{i}'/'results.json'))
        Path(spec['output_file']).parent.mkdir()
        out.append((path, n, bs, w, with_model, run_row(spec), spec['output_file']))
        print(f"{path}, {n} pairs: {out[-1][5]['pairs_per_s']:.1f} pairs/s", file=sys.stderr)
    per_pair, batched = sentences(out[0][6]), sentences(out[1][6])
    same = sum(per_pair[n] == batched.get(n) for n in per_pair)
    import torch
    print(f"\n{a.pairs} synthetic {a.image_size}x{a.image_size} pairs, model {model_name}, {os.cpu_count()} CPUs, "
          f"{a.threads or torch.get_num_threads()} torch thread(s), load average {os.getloadavg()[0]:.1f} at the end; "
          f"the same sentences on both paths for {same} of {len(per_pair)} pairs\n")
    print("| path | pairs | batch | worker processes | pairs/s | x per pair | CPU ms per pair | peak RSS, main process (MiB) | peak RSS, a worker (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ref = out[0][5]['pairs_per_s']
    for path, n, bs, w, with_model, r, _ in out:
        print(f"| {path} | {n:,} | {bs} | {w} | {r['pairs_per_s']:.1f} | {r['pairs_per_s'] / ref:.1f} | {r['cpu_ms']:.1f} | {r['rss_mib']:.0f} | "
              + (f"{r['workers_rss_mib']:.0f} |" if w else "- |"))
    import shutil; shutil.rmtree(work)

if __name__ == '__main__': main()
