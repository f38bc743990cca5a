"""Speed of `tblip2.detector.detect` on one core: the pixel path and the feature path at three sizes, and where the
pixel path's time goes at 1920x1080.

    python bench/bench_detect.py [--repeats 7]
    python bench/bench_detect.py --against 75469a0   # the pixel path now against a git revision's, in one run

Each pair is a smooth random photo-like image and the same with three changed rectangles, a little noise and a
brightness change; the default `DetectorConfig` (pixels), then `difference='features'` (EfficientNet-Lite0 at
strides 8 and 16, its one-off load not counted). One thread for OpenCV and torch; each row is the median of
`--repeats` runs after one warm-up. The issue asks for the pixel path at 1920x1080 in at most 30 ms a pair.
`--against REV` loads `tblip2/detector.py` as it was at git revision REV beside today's and times the two pixel paths
in turn (interleaved, so a burst of load hits both alike), checking that they give the same maps and clusters.

Its table documents the detector's speed (nbs/01_detector.ipynb names it); it feeds no results-log entry. Run it on an
idle machine: other work on the cores inflates every row.
"""
import argparse, importlib.util, os, subprocess, sys, tempfile
os.environ.setdefault('OMP_NUM_THREADS', '1')
from pathlib import Path
import numpy as np, cv2, torch
from tblip2.detector import (DetectorConfig, detect, aligned_rgb, compute_difference_map, threshold_difference,
                             clean_binary_map, dbscan_grid, clusters_from_labels)
from tblip2.backbone import load_backbone
import tblip2
from bench_dbscan import median_ms, interleaved_ms  # the same timing (python puts a script's own folder on the path)

def photo_pair(h, w, seed=0):
    "A smooth random RGB image and the same with three changed rectangles, sensor noise and 10 levels brighter"
    rng = np.random.default_rng(seed)
    before = cv2.resize(rng.integers(40, 220, (max(h // 45, 4), max(w // 45, 4), 3)).astype(np.uint8), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    after = before.astype(np.int16) + 10
    for fx, fy, fs in [(0.15, 0.35, 0.18), (0.6, 0.55, 0.25), (0.82, 0.1, 0.12)]:
        x, y, s = int(fx * w), int(fy * h), int(fs * min(h, w))
        after[y:y + s, x:x + s] = rng.integers(0, 255, 3)
    return before, np.clip(after + rng.normal(0, 3, after.shape), 0, 255).astype(np.uint8)

def stages(before, after, cfg, repeats):
    "Median ms of each stage of the pixel path, in detect's order"
    b, a = aligned_rgb(before, after, cfg)
    diff = compute_difference_map(b, a, cfg)
    t = threshold_difference(diff, cfg.noise_floor, cfg.diff_threshold_percentile, cfg.max_foreground)
    binary = clean_binary_map(t.binary_map, cfg.open_size, cfg.close_size, cfg.fill_holes)
    labels = dbscan_grid(binary, cfg.eps, cfg.min_samples)
    return {'difference map': median_ms(lambda: compute_difference_map(b, a, cfg), repeats),
            'threshold': median_ms(lambda: threshold_difference(diff, cfg.noise_floor, cfg.diff_threshold_percentile,
                                                                cfg.max_foreground), repeats),
            'morphology': median_ms(lambda: clean_binary_map(t.binary_map, cfg.open_size, cfg.close_size,
                                                             cfg.fill_holes), repeats),
            'DBSCAN': median_ms(lambda: dbscan_grid(binary, cfg.eps, cfg.min_samples), repeats),
            'clusters': median_ms(lambda: clusters_from_labels(labels, binary, diff, cfg.max_clusters, cfg.rank_by),
                                  repeats)}

def detector_at(rev):
    "The module `tblip2/detector.py` as it was at git revision `rev` (its relative imports: today's package)"
    root = Path(tblip2.__file__).parent
    code = subprocess.run(['git', 'show', f'{rev}:tblip2/detector.py'], cwd=root, capture_output=True, text=True)
    if code.returncode: sys.exit(f'git show {rev}:tblip2/detector.py failed: {code.stderr.strip()}')
    path = Path(tempfile.mkdtemp())/'detector.py'; path.write_text(code.stdout)
    spec = importlib.util.spec_from_file_location('tblip2._detector_then', path, submodule_search_locations=None)
    module = importlib.util.module_from_spec(spec); module.__package__ = 'tblip2'
    sys.modules[spec.name] = module; spec.loader.exec_module(module)   # dataclasses look their module up
    return module

def same(a, b):
    "Two detections with the same maps, threshold and clusters, bit for bit"
    return (np.array_equal(a.diff_map, b.diff_map) and np.array_equal(a.binary_map, b.binary_map)
            and a.threshold == b.threshold and [vars(c) for c in a.clusters] == [vars(c) for c in b.clusters])

def against(rev, repeats):
    "The pixel path now against revision `rev`'s, timed in turn in this one run"
    then = detector_at(rev)
    print(f'| pair | {rev} ms | now ms | speed-up | same result |\n|---|---|---|---|---|')
    for h, w in [(224, 224), (480, 640), (1080, 1920)]:
        before, after = photo_pair(h, w)
        for tolerance in (0, 1):
            old, new = then.DetectorConfig(shift_tolerance=tolerance), DetectorConfig(shift_tolerance=tolerance)
            t_old, t_new = interleaved_ms([lambda: then.detect(before, after, old), lambda: detect(before, after, new)],
                                          repeats)
            label = f'{w}x{h}' + (f', shift_tolerance {tolerance}' if tolerance else '')
            print(f'| {label} | {t_old:.1f} | {t_new:.1f} | {t_old / t_new:.2f}x | '
                  f'{same(then.detect(before, after, old), detect(before, after, new))} |')

def main(repeats=7):
    load_backbone()  # its one-off load is not a pair's cost
    pixels, features = DetectorConfig(), DetectorConfig(difference='features')
    print('| pair | pixels ms | features ms | clusters (pixels, features) |')
    print('|---|---|---|---|')
    for h, w in [(224, 224), (480, 640), (1080, 1920)]:
        before, after = photo_pair(h, w)
        tp = median_ms(lambda: detect(before, after, pixels), repeats)
        tf = median_ms(lambda: detect(before, after, features), max(3, repeats // 2))
        n = (len(detect(before, after, pixels).clusters), len(detect(before, after, features).clusters))
        print(f'| {w}x{h} | {tp:.1f} | {tf:.1f} | {n[0]}, {n[1]} |')
    print('\nThe pixel path at 1920x1080, stage by stage (ms):\n')
    print('| stage | ms |\n|---|---|')
    for k, v in stages(*photo_pair(1080, 1920), pixels, repeats).items(): print(f'| {k} | {v:.1f} |')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--repeats', type=int, default=7)
    p.add_argument('--against', metavar='REV', help='time the pixel path against this git revision\'s, in one run')
    args = p.parse_args()
    cv2.setNumThreads(1); torch.set_num_threads(1)
    if args.against: against(args.against, args.repeats)
    else: main(args.repeats)
