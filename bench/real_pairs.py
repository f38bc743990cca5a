"""The detector on real labelled pairs that nobody here made (../shared/data: LEVIR-CD samples, DSIFN, INLPG's SAR,
cross-sensor and optical pairs, DeepPCB boards, CLEVR-Change renders with camera-only distractors), every mode in one
table, one row a mode.

    python bench/real_pairs.py                                   # pixels, features, both, and both as tuned
    python bench/real_pairs.py --rows pixels both -p max_foreground 0.7 --sets masks

Measures, as the detector notebook defines them: pixel F1 of the binary map against each change mask (mean over the
pairs of a set; a JPEG mask is thresholded at 128); on DeepPCB (`max_clusters` 20), the share of defects with a
cluster whose centre lies in the defect's (padded) box, and the share of clusters whose centre lies in some defect's
box; on CLEVR-Change, the share of distractors (the camera or the light moved, nothing changed) with no cluster, of
changed pairs with one, and the clusters per distractor; ms per pair of `detect` on the mask sets, on this machine, one
thread. Feeds the detector notebook's "Real photos" table and the results log (RESULTS.md): 'The detector on real
pairs' (2026-12-02).
"""
import argparse, json, os, sys, time
from dataclasses import replace
from pathlib import Path
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np
import torch
from PIL import Image
from tblip2.datasets import shared_dir
from tblip2.detector import DetectorConfig, detect
from tblip2.evaluation import holds_centre

ROWS = {  # a mode and the settings of its row
    'pixels': dict(),
    'features': dict(difference='features'),
    'both': dict(difference='both'),
    'both, tuned': dict(difference='both', max_foreground=0.7),  # chosen on the mask sets (results log)
    'both, window 2': dict(difference='both', max_foreground=0.7, feature_window=2),  # for a camera that moved
    'pixels, aligned, floor 60': dict(registration='ecc', noise_floor=60.0),  # chosen on the DeepPCB boards
}

def load(path, grey:bool=False) -> np.ndarray:
    return np.asarray(Image.open(path).convert('L' if grey else 'RGB'))

def mask_pairs(shared:Path) -> list[dict]:
    "Every pair with a change mask: set, id, kind, paths"
    levir = shared/'data'/'levir-cd-samples'
    pairs = [dict(set='LEVIR-CD', id=p.name, kind='optical', before=levir/'A'/p.name, after=levir/'B'/p.name, mask=p)
             for p in sorted((levir/'label').glob('*.png'))]
    for name, folder in (('DSIFN', 'dsifn_changeformer'), ('INLPG', 'inlpg_homo_hetero_cd')):
        d = shared/'data'/'real-pairs'/folder
        for p in json.loads((d/'manifest.json').read_text())['pairs']:
            kind = p.get('modality', 'optical').split()[0].replace('RGB', 'optical')
            pairs.append(dict(set=name, id=p['id'], kind=kind, before=d/p['before'], after=d/p['after'],
                              mask=d/p['gt_mask']))
    return pairs

def f1(pred:np.ndarray, truth:np.ndarray) -> float:
    tp, fp, fn = (pred & truth).sum(), (pred & ~truth).sum(), (~pred & truth).sum()
    return float(2 * tp / max(2 * tp + fp + fn, 1))

def best_f1(diff_map:np.ndarray, truth:np.ndarray) -> float:
    "The F1 of the best of 60 thresholds (the map's 50th to 99.5th percentiles), chosen with the truth in hand"
    return max(f1(diff_map >= t, truth) for t in np.percentile(diff_map, np.linspace(50, 99.5, 60)))

def masks(cfg:DetectorConfig, pairs:list[dict], oracle:bool=False) -> dict:
    "Mean pixel F1 per set and kind, and ms per pair; with `oracle`, the F1 of each map at its best threshold instead"
    from tblip2.detector import compute_difference_map
    scores, seconds = {}, []
    for p in pairs:
        before, after, truth = load(p['before']), load(p['after']), load(p['mask'], grey=True) >= 128
        if after.shape != before.shape: after = np.asarray(Image.fromarray(after).resize(before.shape[1::-1]))
        start = time.perf_counter()
        score = (best_f1(compute_difference_map(before, after, cfg), truth) if oracle else
                 f1(detect(before, after, cfg).binary_map, truth))
        seconds.append(time.perf_counter() - start)
        group = p['set'] if p['set'] != 'INLPG' else f"INLPG {p['kind']}"
        for key in (group, 'optical (LEVIR-CD, DSIFN)') if p['set'] != 'INLPG' else (group, 'INLPG'):
            scores.setdefault(key, []).append(score)
    return {k: float(np.mean(v)) for k, v in scores.items()} | {'ms per pair': 1e3 * float(np.mean(seconds))}

def deeppcb(cfg:DetectorConfig, shared:Path) -> dict:
    "Defects found and clusters that are defects, over the 200 boards"
    d = shared/'data'/'real-pairs'/'deeppcb'
    found = defects = hits = clusters = 0
    for p in json.loads((d/'manifest.json').read_text())['pairs']:
        boxes = [list(map(int, line.split()[:4])) for line in (d/p['gt_boxes']).read_text().splitlines() if line.strip()]
        det = detect(load(d/p['before']), load(d/p['after']), replace(cfg, max_clusters=20))
        found += sum(any(holds_centre(b, c) for c in det.clusters) for b in boxes); defects += len(boxes)
        hits += sum(any(holds_centre(b, c) for b in boxes) for c in det.clusters); clusters += len(det.clusters)
    return {'DeepPCB defects found': found / defects, 'DeepPCB clusters that are defects': hits / max(clusters, 1)}

def clevr(cfg:DetectorConfig, shared:Path) -> dict:
    "Distractors with no cluster, changed pairs with one, clusters per distractor"
    d = shared/'data'/'real-pairs'/'clevr_change_yili19'
    quiet, kept, per = [], [], []
    for p in json.loads((d/'manifest.json').read_text())['pairs']:
        det = detect(load(d/p['before']), load(d/p['after']), cfg)
        if p['change_type'] == 'none': quiet.append(not det.clusters); per.append(len(det.clusters))
        else: kept.append(bool(det.clusters))
    return {'CLEVR distractors quiet': float(np.mean(quiet)), 'CLEVR changes found': float(np.mean(kept)),
            'CLEVR clusters per distractor': float(np.mean(per))}

def row(cfg:DetectorConfig, sets:list[str], shared:Path, oracle:bool=False) -> dict:
    out = {}
    if 'masks' in sets: out |= masks(cfg, mask_pairs(shared), oracle)
    if 'deeppcb' in sets: out |= deeppcb(cfg, shared)
    if 'clevr' in sets: out |= clevr(cfg, shared)
    return out

def markdown(rows:dict) -> str:
    cols = list(dict.fromkeys(k for r in rows.values() for k in r))
    lines = ['| mode | ' + ' | '.join(cols) + ' |', '| --- |' + ' ---: |' * len(cols)]
    lines += [f'| {name} | ' + ' | '.join(f'{r[c]:.3f}' if c in r and not c.startswith('ms') else
                                          f'{r[c]:.0f}' if c in r else '' for c in cols) + ' |'
              for name, r in rows.items()]
    return '\n'.join(lines)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', nargs='+', default=list(ROWS), choices=list(ROWS))
    ap.add_argument('--sets', nargs='+', default=['masks', 'deeppcb', 'clevr'], choices=['masks', 'deeppcb', 'clevr'])
    ap.add_argument('--oracle', action='store_true', help="the mask sets' F1 at each map's best threshold (an upper bound)")
    ap.add_argument('-p', nargs=2, action='append', default=[], metavar=('KEY', 'VALUE'),
                    help='a detector setting for every row (JSON value)')
    a = ap.parse_args()
    shared = shared_dir()
    if shared is None: sys.exit('needs ../shared (or TBLIP2_SHARED): the real pairs live there')
    torch.set_num_threads(1)
    extra = {k: json.loads(v) if v[:1] in '[{0123456789-.tfn' and v not in ('none',) else v for k, v in a.p}
    rows = {}
    for name in a.rows:
        rows[name] = row(DetectorConfig(**{**ROWS[name], **extra}), a.sets, shared, a.oracle)
        print(name, {k: round(v, 3) for k, v in rows[name].items()}, flush=True)
    print(f"\n`python bench/real_pairs.py {' '.join(sys.argv[1:])}`:\n\n{markdown(rows)}")
