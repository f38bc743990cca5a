"""How much of a change's shape and colour can a crop encoder take in at all? A diagnostic, not training.

For each crop encoder (`shallow`, `deep`) and crop shape (`box`: the cluster's box stretched to a square;
`square`: a square window around it with context), train that encoder from scratch, with a linear
classifier on top, to predict the shape and the colour of the change from the detector's first cluster
(slot 0) of each single-change training pair, and score it on the validation ones. The generator's
attribute labels are used here only to measure what an encoder can represent (like the linear probes
of experiments/probes.py); the captioner never trains on them.

    python experiments/crop_probe.py              # the demo's synthetic set (data/synthetic), 3 seeds, ~4 minutes here
    python experiments/crop_probe.py --seeds 0 --epochs 10

Accuracy is capped by how often slot 0 is the changed object (printed too). Its table is in the results log
(RESULTS.md): 'Crop encoder capacity (`bench/crop_probe.py`), and one-seed explorations' (2026-11-30; the script is now experiments/crop_probe.py).
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from tblip2.datasets import SpotTheDiffDataset, COLOURS, SHAPES
from tblip2.detector import DetectorConfig, crop_encoder, detect_many, box_iou

def slot0(ds, boxes, cfg):
    "Slot-0 crops (N, 7, S, S) in [0, 1] of the single-change pairs, their shape and colour labels, and whether slot 0 is the change"
    ids = [i for i, k in enumerate(ds.img_ids) if len(boxes.get(k, [])) == 1]
    dets = detect_many([ds[i] for i in ids], cfg, num_workers=2, progress=False)
    keep = [j for j, d in enumerate(dets) if d.clusters]
    crops = torch.stack([torch.from_numpy(dets[j].crops[0]).float() / 255 for j in keep])
    changes = [boxes[ds.img_ids[ids[j]]][0] for j in keep]
    hit = [box_iou(np.array([dets[j].clusters[0].bbox]), np.array([c['bbox']] + ([c['bbox_before']] if 'bbox_before' in c else []))).max() > 0.3
           for j, c in zip(keep, changes)]
    shape = torch.tensor([SHAPES.index(c['shape']) for c in changes])
    colour = torch.tensor([list(COLOURS).index(c['colour']) for c in changes])  # a colour change: the new colour
    return crops, shape, colour, float(np.mean(hit))

def probe(kind, train, val, seed, epochs):
    "Val accuracy of (shape, colour) for an encoder of `kind` trained on `train`"
    torch.manual_seed(seed)
    enc = crop_encoder(kind); heads = nn.ModuleList([nn.Linear(128, len(SHAPES)), nn.Linear(128, len(COLOURS))])
    opt = torch.optim.AdamW([*enc.parameters(), *heads.parameters()], lr=1e-3)
    x, ys = train[0], train[1:3]
    for _ in range(epochs):
        for idx in torch.randperm(len(x)).split(32):
            f = enc(x[idx]); loss = sum(F.cross_entropy(h(f), y[idx]) for h, y in zip(heads, ys))
            opt.zero_grad(); loss.backward(); opt.step()
    enc.eval()
    with torch.no_grad(): f = enc(val[0])
    return [float((h(f).argmax(1) == y).float().mean()) for h, y in zip(heads, val[1:3])]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data_dir', default='data/synthetic'); ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--epochs', type=int, default=30); ap.add_argument('--crop_size', type=int, default=32)
    a = ap.parse_args()
    torch.set_num_threads(2)
    boxes = {s: json.loads((Path(a.data_dir)/f'annotations/boxes_{s}.json').read_text()) for s in ('train', 'val')}
    rows, t0 = [], time.time()
    for shape in ('box', 'square'):
        cfg = DetectorConfig(full_res_crops=True, crop_size=a.crop_size, crop_shape=shape)
        tr, va = (slot0(SpotTheDiffDataset(a.data_dir, split=s), boxes[s], cfg) for s in ('train', 'val'))
        for kind in ('shallow', 'deep'):
            acc = np.array([probe(kind, tr, va, s, a.epochs) for s in a.seeds])  # (seeds, 2)
            cell = lambda j: f"{acc[:, j].mean():.3f} ± {acc[:, j].std(ddof=1) if len(acc) > 1 else float('nan'):.3f} ({', '.join(f'{v:.3f}' for v in acc[:, j])})"
            rows.append(f"| {kind} | {shape} | {cell(0)} | {cell(1)} |")
    print(f"\nslot-0 crops ({a.crop_size} px) of {len(tr[0])} training / {len(va[0])} validation single-change pairs; slot 0 is the change in "
          f"{tr[3]:.0%} / {va[3]:.0%} of them; {a.epochs} epochs, seeds {a.seeds}, {time.time() - t0:.0f} s:\n")
    print("| crop encoder | crop shape | shape accuracy | colour accuracy |\n| --- | --- | ---: | ---: |"); print('\n'.join(rows))
