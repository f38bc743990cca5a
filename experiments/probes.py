"""Where does a trained model lose the colour, shape and place of a change? Linear probes on each representation
in its path, for the single-change pairs of the synthetic set: fitted on the training split, scored on validation.

    python experiments/probes.py --model checkpoints/demo/best [--data data/synthetic]    # `make demo`'s model

Representations, in the order the pair flows through the model (slot 0 = the detector's largest cluster):
the outline descriptors of slot 0's pixels (`cluster_outlines`, detector notebook: whether or not the model reads
them), crop CNN feature of slot 0 (crops + geometry, `DifferenceDetector`), its cluster token (`ClusterEncoder`), the
same slot in the fused memory (`FusionLayer`), the Q-Former query outputs, the visual prefix the LM reads; the
word detectors of slot 0 (models with `words` on: the colour and shape word they score highest, the place
phrase as `experiments/place_probe.py` reads it); and the generated sentence itself (`attribute_accuracy`). A moved object
has two right places (where it was, where it is), a recoloured one two right colours, as in `names`. The generator's labels are used here to *measure*,
never to train. Its tables are in the results log (RESULTS.md): 'Where the colour, shape and place get lost: linear
probes along the path' and 'Outline, order, prior and beam search' (both 2026-11-30).
"""
import argparse
from pathlib import Path
import numpy as np, pandas as pd, torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tblip2.datasets import SpotTheDiffDataset, COLOURS, SHAPES
from tblip2.detector import outline_tensor
from tblip2.model import EnhancedDiffBLIP2
from tblip2.train import CaptionPairs, collate_pairs, generate_for
from tblip2.evaluation import attribute_accuracy, markdown_table
from place_probe import word_places  # experiments/place_probe.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
ATTRIBUTES = ('colour', 'shape', 'location')
ALSO_RIGHT = {'colour': 'colour_before', 'location': 'location_before'}  # a recoloured object's old colour, a moved one's old place

@torch.no_grad()
def representations(model, pairs:CaptionPairs, ids:list[int], batch_size:int=32) -> dict[str, np.ndarray]:
    "Each representation of the pairs `ids`, one row per pair"
    out = {}
    for start in range(0, len(ids), batch_size):
        batch = collate_pairs([pairs[i] for i in ids[start:start + batch_size]])
        dets = [pairs.detections[i] for i in batch['index']]
        before, after = batch['before'], batch['after']
        crops, _, _ = model.detector_features(before, after, dets)  # from the crops it was trained on
        tokens, _ = model.cluster_tokens(before, after, dets)
        enc = model.encode_images(before, after, dets)
        slot = sum(n for k, n in enc.segment_lengths.items() if k != 'clusters')  # the first cluster's place in the memory
        parts = {'outline descriptors (slot 0)': outline_tensor(dets, model.max_clusters)[:, 0],
                 'crop CNN feature (slot 0)': crops[:, 0], 'cluster token (slot 0)': tokens[:, 0],
                 'fused memory (slot 0)': enc.memory[:, slot], 'Q-Former queries': enc.query_output.flatten(1),
                 'visual prefix': enc.visual_prefix.flatten(1)}
        for k, v in parts.items(): out.setdefault(k, []).append(v.float().numpy())
    return {k: np.concatenate(v) for k, v in out.items()}

def single_change(ds:SpotTheDiffDataset) -> tuple[list[int], pd.DataFrame]:
    "Indices of the single-change pairs whose detector found something, and their labels"
    rows, idx = [], []
    for i, pid in enumerate(ds.img_ids):
        if len(bs := ds.boxes.get(pid, [])) == 1: idx.append(i); rows.append({a: bs[0].get(a) for a in (*ATTRIBUTES, *ALSO_RIGHT.values())})
    return idx, pd.DataFrame(rows)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='checkpoints/demo/best'); p.add_argument('--data', default='data/synthetic')
    a = p.parse_args()
    torch.manual_seed(0)
    model = EnhancedDiffBLIP2.from_pretrained(ROOT/a.model)
    feats, labels = {}, {}
    for split in ('train', 'val'):
        ds = SpotTheDiffDataset(ROOT/a.data, split)
        pairs = CaptionPairs(ds, model.processor, model.config.detector, progress=False)
        idx, labels[split] = single_change(ds)
        feats[split] = representations(model, pairs, idx)
        if split == 'val':
            preds = generate_for(model, pairs)
            words = attribute_accuracy({k: v for k, v in preds.items()}, ds.boxes)
    val = labels['val']
    right = lambda attr, predicted: float(np.mean([p == t or (attr in ALSO_RIGHT and p == b) for p, t, b in
                                                   zip(predicted, val[attr], val[ALSO_RIGHT.get(attr, attr)])]))
    table = {}
    for rep in feats['train']:
        row = {}
        for attr in ATTRIBUTES:
            probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=0.5))
            probe.fit(feats['train'][rep], labels['train'][attr])
            row[attr] = right(attr, probe.predict(feats['val'][rep]))
        table[rep] = row
    if model.config.words is not None:  # what the word detectors of slot 0 say, read without any fitting
        tokens = torch.from_numpy(feats['val']['cluster token (slot 0)'])
        with torch.no_grad(): scores = model.word_scores(tokens)
        best = lambda words: [words[i] for i in scores[:, [model.tokenizer(' ' + w, add_special_tokens=False).input_ids[-1] for w in words]].argmax(1).tolist()]
        table['word detectors (slot 0)'] = dict(colour=right('colour', best(list(COLOURS))), shape=right('shape', best(list(SHAPES))),
                                                location=right('location', word_places(model, tokens.numpy())))
    table['generated sentence (words named)'] = dict(colour=words['colour'], shape=words['shape'], location=words['place'])
    chance = {a: right(a, [labels['train'][a].value_counts().idxmax()] * len(val)) for a in ATTRIBUTES}
    table['majority class'] = chance
    df = pd.DataFrame(table).T.rename(columns={'location': 'place'})
    print(f"linear probes, {len(labels['train'])} training / {len(labels['val'])} validation single-change pairs, model {a.model}:\n")
    print(markdown_table(df.rename_axis('representation')))
