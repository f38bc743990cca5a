"""How much of a change's place the first cluster carries, and in which form a read-out finds it.

On the single-change pairs of the synthetic set whose detector found a cluster (training pairs to fit, validation
pairs to score), for the place (the generator's 3x3 name: a diagnostic with its labels, nothing trains on them).
A moved object has two right places, where it was and where it is, as in `names` (evaluation notebook); a probe is
fitted on the place of the object's position nearest the first cluster's centroid.
- the rule: the place name of the first cluster's centroid, as the generator names an object's centre (the ceiling
  of any read-out of the first cluster: where it is not the change, or straddles a border, no read-out is right);
- a linear probe (logistic regression on standardised features) on the centroid (x, y) as it is, and on its Fourier
  features (`fourier_geometry`, 2 and 3 octaves);
- a linear probe on the model's first cluster token (the model's detector and image processor read the pairs);
- the model's word detectors (models with `words` on): the place phrase whose words their scores make most
  likely, each of the five place words said or not as its probability says (what `words.fusion` can push).

    python experiments/place_probe.py --model checkpoints/demo/best     # `make demo`'s model

Its table is in the results log (RESULTS.md): '`word_fusion`: the word detectors speak at generation; and the place
probe' (2026-11-30).
"""
import argparse
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from tblip2.datasets import SpotTheDiffDataset, location_name, LOCATIONS
from tblip2.model import EnhancedDiffBLIP2, fourier_geometry
from tblip2.train import CaptionPairs, collate_pairs

PLACE_WORDS = sorted({w for p in LOCATIONS for w in p.split()})  # bottom, centre, left, right, top

def first_clusters(ds:SpotTheDiffDataset, pairs:CaptionPairs) -> tuple[list[int], np.ndarray, np.ndarray, list[set]]:
    "Rows of the single-change pairs with a cluster, their first cluster's centroid (x, y) in [0, 1], the place to fit, the right places"
    rows = [b for b, i in enumerate(ds.img_ids) if len(ds.boxes[i]) == 1 and pairs.detections[b].clusters]
    xy = np.array([[c.centroid[0] / d.diff_map.shape[1], c.centroid[1] / d.diff_map.shape[0]]
                   for d in (pairs.detections[b] for b in rows) for c in d.clusters[:1]])
    changes = [ds.boxes[ds.img_ids[b]][0] for b in rows]
    side = np.asarray(ds[rows[0]]['before']).shape[1] if rows else 1  # the generator's boxes are in its pixels
    def nearest(ch, p):  # the place of the change's position (before or after, for a move) nearest the centroid
        at = [(ch['bbox'], ch['location'])] + ([(ch['bbox_before'], ch['location_before'])] if ch['change'] == 'move' else [])
        centre = lambda b: np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]) / side
        return min(at, key=lambda a: np.linalg.norm(centre(a[0]) - p))[1]
    fit = np.array([nearest(ch, p) for ch, p in zip(changes, xy)])
    return rows, xy, fit, [{ch['location'], ch.get('location_before')} - {None} for ch in changes]

def cluster_tokens(model, pairs:CaptionPairs, rows:list[int]) -> np.ndarray:
    "The model's first cluster token of each row"
    out = []
    for s in range(0, len(rows), 64):
        batch = collate_pairs([pairs[i] for i in rows[s:s + 64]])
        with torch.no_grad():
            seg = model.image_segments(batch['before'], batch['after'], [pairs.detections[i] for i in rows[s:s + 64]])
        out.append(seg['clusters'][0][:, 0].float().numpy())
    return np.concatenate(out)

def word_places(model, tokens:np.ndarray) -> list[str]:
    "The place phrase the word detectors favour for each cluster token: most likely under independent place words"
    ids = [model.tokenizer(' ' + w, add_special_tokens=False).input_ids[-1] for w in PLACE_WORDS]
    with torch.no_grad(): p = torch.sigmoid(model.word_scores(torch.from_numpy(tokens))[:, ids].float()).clamp(1e-6, 1 - 1e-6)  # (N, 5)
    said = torch.tensor([[w in place.split() for w in PLACE_WORDS] for place in LOCATIONS], dtype=torch.float32)  # (9, 5)
    loglik = p.log() @ said.T + (1 - p).log() @ (1 - said).T                                                      # (N, 9)
    return [LOCATIONS[i] for i in loglik.argmax(1).tolist()]

def accuracy(predicted, right:list[set]) -> float: return float(np.mean([p in r for p, r in zip(predicted, right)]))

def probe(train_x, train_y, val_x) -> np.ndarray:
    "Validation predictions of a logistic regression fitted on standardised training features"
    sc = StandardScaler().fit(train_x)
    return LogisticRegression(max_iter=5000).fit(sc.transform(train_x), train_y).predict(sc.transform(val_x))

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
        rows, xy, fit, right = first_clusters(ds, pairs)
        data[split] = dict(xy=xy, fit=fit, right=right, tokens=cluster_tokens(model, pairs, rows))
    t, v = data['train'], data['val']
    f = lambda xy, n: fourier_geometry(torch.tensor(xy, dtype=torch.float32), n).numpy()
    print(f"`python experiments/place_probe.py --model {a.model}`: place of the change, {len(t['fit'])} training / "
          f"{len(v['fit'])} validation single-change pairs with a cluster; validation accuracy (a move: either place)\n")
    print('| read-out of the first cluster | place |\n| --- | ---: |')
    print(f"| the rule: the place name of its centroid | {accuracy([location_name(x, y, 1.0) for x, y in v['xy']], v['right']):.3f} |")
    print(f"| linear probe, centroid (x, y) | {accuracy(probe(t['xy'], t['fit'], v['xy']), v['right']):.3f} |")
    for n in (2, 3): print(f"| linear probe, centroid's Fourier features, {n} octaves | {accuracy(probe(f(t['xy'], n), t['fit'], f(v['xy'], n)), v['right']):.3f} |")
    print(f"| linear probe, the model's cluster token | {accuracy(probe(t['tokens'], t['fit'], v['tokens']), v['right']):.3f} |")
    if model.config.words is not None: print(f"| the model's word detectors | {accuracy(word_places(model, v['tokens']), v['right']):.3f} |")
    majority = max(set(t['fit']), key=list(t['fit']).count)
    print(f"| majority class | {accuracy([majority] * len(v['fit']), v['right']):.3f} |")
