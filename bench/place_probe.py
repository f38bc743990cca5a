"""How much of a change's place the first cluster carries, and in which form a linear read-out finds it.

On the single-change pairs of the synthetic set whose detector found a cluster (training pairs to fit, validation
pairs to score), for the place (the generator's 3x3 name: a diagnostic with its labels, nothing trains on them):
- the rule: the place name of the first cluster's centroid, as the generator names an object's centre (the ceiling
  of any read-out of the first cluster: where it is not the change, or straddles a border, no read-out is right);
- a linear probe (logistic regression on standardised features) on the centroid (x, y) as it is, and on its Fourier
  features (`fourier_geometry`, 2 and 3 octaves);
- a linear probe on the model's first cluster token (the model's detector and image processor read the pairs).

    python bench/place_probe.py --model checkpoints/seeds/words-20ep/seed-0/best
"""
import argparse
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from tblip2.datasets import SpotTheDiffDataset, location_name
from tblip2.model import EnhancedDiffBLIP2, fourier_geometry
from tblip2.train import CaptionPairs, collate_pairs

def first_clusters(ds:SpotTheDiffDataset, pairs:CaptionPairs) -> tuple[list[int], np.ndarray, np.ndarray]:
    "Rows of the single-change pairs with a cluster, their first cluster's centroid (x, y) in [0, 1], their place"
    rows = [b for b, i in enumerate(ds.img_ids) if len(ds.boxes[i]) == 1 and pairs.detections[b].clusters]
    xy = np.array([[c.centroid[0] / d.diff_map.shape[1], c.centroid[1] / d.diff_map.shape[0]]
                   for d in (pairs.detections[b] for b in rows) for c in d.clusters[:1]])
    return rows, xy, np.array([ds.boxes[ds.img_ids[b]][0]['location'] for b in rows])

def cluster_tokens(model, pairs:CaptionPairs, rows:list[int]) -> np.ndarray:
    "The model's first cluster token of each row"
    out = []
    for s in range(0, len(rows), 64):
        batch = collate_pairs([pairs[i] for i in rows[s:s + 64]])
        with torch.no_grad():
            seg = model.image_segments(batch['before'], batch['after'], [pairs.detections[i] for i in rows[s:s + 64]])
        out.append(seg['clusters'][0][:, 0].float().numpy())
    return np.concatenate(out)

def probe(train_x, train_y, val_x, val_y) -> float:
    "Validation accuracy of a logistic regression fitted on standardised training features"
    sc = StandardScaler().fit(train_x)
    return LogisticRegression(max_iter=5000).fit(sc.transform(train_x), train_y).score(sc.transform(val_x), val_y)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', required=True, help='a saved model (its detector finds the clusters)')
    ap.add_argument('--data_dir', default='data/synthetic')
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = EnhancedDiffBLIP2.from_pretrained(a.model).eval()
    data = {}
    for split in ('train', 'val'):
        ds = SpotTheDiffDataset(a.data_dir, split=split)
        if ds.boxes is None: raise SystemExit(f"{a.data_dir}: not a synthetic set (no boxes_{split}.json)")
        pairs = CaptionPairs(ds, model.processor, model.config.detector, progress=False)
        rows, xy, place = first_clusters(ds, pairs)
        data[split] = dict(xy=xy, place=place, tokens=cluster_tokens(model, pairs, rows))
    t, v = data['train'], data['val']
    rule = np.mean([location_name(x, y, 1.0) == p for (x, y), p in zip(v['xy'], v['place'])])
    f = lambda xy, n: fourier_geometry(torch.tensor(xy, dtype=torch.float32), n).numpy()
    print(f"`python bench/place_probe.py --model {a.model}`: place of the change, {len(t['place'])} training / "
          f"{len(v['place'])} validation single-change pairs with a cluster; validation accuracy\n")
    print('| read-out of the first cluster | place |\n| --- | ---: |')
    print(f"| the rule: the place name of its centroid | {rule:.3f} |")
    print(f"| linear probe, centroid (x, y) | {probe(t['xy'], t['place'], v['xy'], v['place']):.3f} |")
    for n in (2, 3): print(f"| linear probe, centroid's Fourier features, {n} octaves | {probe(f(t['xy'], n), t['place'], f(v['xy'], n), v['place']):.3f} |")
    print(f"| linear probe, the model's cluster token | {probe(t['tokens'], t['place'], v['tokens'], v['place']):.3f} |")
    print(f"| majority class | {np.mean(v['place'] == max(set(t['place']), key=list(t['place']).count)):.3f} |")
