"""The detector's moves (`DetectorConfig.join_moves`, `tblip2.detector.find_moves`) against the truth: the synthetic
set's moved objects, and the real pairs, where nothing moved.

    python bench/moves.py                          # the demo set's val and test splits, then every real set
    python bench/moves.py --splits val --real none

Synthetic (the demo set, data/synthetic; made by `make demo` or `tblip2_data --out_dir data/synthetic`): a claimed
move is right when the region it says the object left holds the centre of a true move's `bbox_before` and the region
it says the object arrived at holds the centre of that move's `bbox`. Precision over the claimed moves, recall over
the true moves, and over the true moves whose two places are both clusters (what pairing can find at most). The
thresholds (MOVE_COLOUR, MOVE_SHAPE, MOVE_PRESENCE in the detector notebook) were chosen on val; test only reports.
Real pairs (../shared/data/real-pairs and the LEVIR-CD samples: new buildings, flooded fields, board defects, CLEVR
colour changes and camera-only distractors): none of their changes is a move, so every claimed move is a false one;
the table gives the pairs with one and the moves per pair. One thread; the detector is deterministic, so one run.
"""
import argparse, json, os, sys
from dataclasses import replace
from pathlib import Path
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np
from PIL import Image
from tqdm.auto import tqdm
from tblip2.datasets import SpotTheDiffDataset, shared_dir
from tblip2.detector import DetectorConfig, detect
from tblip2.evaluation import holds_centre
from tblip2.seeds import run_params
from tblip2.train import check_config

def synthetic(split:str, cfg:DetectorConfig, root:Path) -> dict:
    "Claimed and true moves of one split, matched by the centres of the truth's two boxes"
    ds = SpotTheDiffDataset(root, split)
    claimed = right = truth = findable = found = 0
    for k in tqdm(range(len(ds)), desc=f'synthetic {split}', leave=False):
        item = ds[k]
        det = detect(item['before'], item['after'], cfg)
        moves = [c for c in item['boxes'] if c['change'] == 'move']
        hit = lambda m, i, j: holds_centre(det.clusters[i], m['bbox_before']) and holds_centre(det.clusters[j], m['bbox'])
        claimed += len(det.moves); truth += len(moves)
        right += sum(any(hit(m, i, j) for m in moves) for i, j in det.moves)
        found += sum(any(hit(m, i, j) for i, j in det.moves) for m in moves)
        findable += sum(any(holds_centre(c, m['bbox_before']) for c in det.clusters) and
                        any(holds_centre(c, m['bbox']) for c in det.clusters) for m in moves)
    return {'pairs': len(ds), 'true moves': truth, 'claimed': claimed, 'precision': right / max(claimed, 1),
            'recall': found / max(truth, 1), 'recall of findable': found / max(findable, 1)}

def real_pairs(shared:Path) -> dict[str, list]:
    "Per real set, its (before, after) paths"
    d, sets = shared/'data'/'real-pairs', {}
    levir = shared/'data'/'levir-cd-samples'
    sets['LEVIR-CD'] = [(levir/'A'/p.name, levir/'B'/p.name) for p in sorted((levir/'label').glob('*.png'))]
    for name, folder in (('DSIFN', 'dsifn_changeformer'), ('INLPG', 'inlpg_homo_hetero_cd'), ('DeepPCB', 'deeppcb'),
                         ('CLEVR-Change', 'clevr_change_yili19')):
        sets[name] = [(d/folder/p['before'], d/folder/p['after'])
                      for p in json.loads((d/folder/'manifest.json').read_text())['pairs']]
    return sets

def load(path) -> np.ndarray: return np.asarray(Image.open(path).convert('RGB'))

def false_moves(pairs:list, cfg:DetectorConfig, name:str) -> dict:
    "Pairs with a claimed move and moves per pair, on a set where nothing moved"
    per = []
    for b, a in tqdm(pairs, desc=name, leave=False):
        before, after = load(b), load(a)
        if after.shape != before.shape: after = np.asarray(Image.fromarray(after).resize(before.shape[1::-1]))
        per.append(len(detect(before, after, cfg).moves))
    return {'pairs': len(per), 'pairs with a move': float(np.mean([n > 0 for n in per])),
            'moves per pair': float(np.mean(per))}

def markdown(rows:dict, first:str) -> str:
    cols = list(dict.fromkeys(k for r in rows.values() for k in r))
    lines = [f'| {first} | ' + ' | '.join(cols) + ' |', '| --- |' + ' ---: |' * len(cols)]
    lines += [f'| {name} | ' + ' | '.join(f'{r[c]:.3f}' if isinstance(r[c], float) else str(r[c]) for c in cols) + ' |'
              for name, r in rows.items()]
    return '\n'.join(lines)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='data/synthetic', help='the synthetic set (the demo set)')
    ap.add_argument('--splits', nargs='*', default=['val', 'test'], choices=['train', 'val', 'test'])
    ap.add_argument('--real', nargs='*', default=['all'], help="real sets to run ('all', 'none' or names)")
    ap.add_argument('--config', default='nbs/demo.yaml', help='the detector settings of this parameters file')
    a = ap.parse_args(argv)
    cfg = replace(check_config(**run_params(a.config)).model.detector, join_moves=True)
    if a.splits:
        if not (Path(a.data)/'annotations').is_dir(): sys.exit(f'{a.data}: no synthetic set (make demo makes it)')
        rows = {split: synthetic(split, cfg, Path(a.data)) for split in a.splits}
        print(f"# synthetic moves, {a.data}, the detector of {a.config}\n\n{markdown(rows, 'split')}\n", flush=True)
    if a.real and a.real != ['none']:
        shared = shared_dir()
        if shared is None: sys.exit('needs ../shared (or TBLIP2_SHARED): the real pairs live there')
        sets = real_pairs(shared)
        names = list(sets) if a.real == ['all'] else a.real
        rows = {name: false_moves(sets[name], cfg, name) for name in names}
        print(f"# real pairs: nothing moved, every move is a false one\n\n{markdown(rows, 'set')}")

if __name__ == '__main__': main()
