"""Does a model know its domain? The share of synthetic test pairs it calls in its domain, and of real photographs
(../shared's real pairs) it calls out of it, with `domain_distance` quartiles per set.

    python bench/domain_check.py                                   # the demo model (make demo) and data/synthetic
    python bench/domain_check.py --model M --data_dir D

Feeds the results log (RESULTS.md): 'A model knows its domain' (2026-12-02).
"""
import argparse, json, sys
from pathlib import Path
import numpy as np
from PIL import Image
from tblip2.backbone import pair_domain_distance
from tblip2.datasets import SpotTheDiffDataset, repo_root, shared_dir
from tblip2.describe import load_model

def real_pairs(shared:Path) -> dict[str, list[tuple[Path, Path]]]:
    "Each real set's (before, after) paths"
    out = {'LEVIR-CD': [(p, p.parent.parent/'B'/p.name) for p in sorted((shared/'data'/'levir-cd-samples'/'A').glob('*.png'))]}
    for d in sorted((shared/'data'/'real-pairs').iterdir()):
        if (d/'manifest.json').is_file():
            out[d.name] = [(d/p['before'], d/p['after']) for p in json.loads((d/'manifest.json').read_text())['pairs']]
    return out

def load(path:Path) -> np.ndarray: return np.asarray(Image.open(path).convert('RGB'))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default=str(repo_root()/'checkpoints'/'demo'/'best'))
    ap.add_argument('--data_dir', default=str(repo_root()/'data'/'synthetic'))
    a = ap.parse_args()
    model = load_model(a.model)
    if getattr(model, 'domain', None) is None: sys.exit(f"{a.model}: saved without a domain (train it again)")
    rows = {}
    ds = SpotTheDiffDataset(a.data_dir, 'test')
    rows['synthetic test'] = [pair_domain_distance(model.domain, ds[i]['before'], ds[i]['after']) for i in range(len(ds))]
    shared = shared_dir()
    for name, pairs in (real_pairs(shared) if shared else {}).items():
        rows[name] = [pair_domain_distance(model.domain, load(b), load(f)) for b, f in pairs]
    print(f"`python bench/domain_check.py {' '.join(sys.argv[1:])}`:\n")
    print('| pairs | n | in domain | out of domain | domain_distance: 25% / 50% / 75% |\n| --- | ---: | ---: | ---: | ---: |')
    for name, d in rows.items():
        d = np.array(d); q = np.percentile(d, [25, 50, 75])
        print(f"| {name} | {len(d)} | {np.mean(d <= 1):.3f} | {np.mean(d > 1):.3f} | {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f} |")
    real = np.concatenate([np.array(v) for k, v in rows.items() if k != 'synthetic test'] or [np.zeros(0)])
    if len(real): print(f"| all real photographs | {len(real)} | {np.mean(real <= 1):.3f} | {np.mean(real > 1):.3f} | |")
