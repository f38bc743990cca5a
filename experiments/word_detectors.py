"""What the word detectors of a model trained with `words` on say about each change.

For each single-change validation pair whose detector found a cluster, the colour and the shape word
the first cluster's word head scores highest (among the generator's six colours and six shapes), against
the true ones (the generator's labels: evaluation only). The share right is how well the cluster word loss
taught the crop CNN, independent of whether the language model uses it.

    python experiments/word_detectors.py --model checkpoints/demo/best            # `make demo`'s model
    python experiments/word_detectors.py --model ... --show 5   # and the words the first cluster raises most, for 5 pairs

With `--show N`, the first N of those pairs are listed with the 8 words whose scores the first cluster raises most above
their prior (`word_raise`: the model's `words.centre`), which are what `words.prefix` and `words.fusion` pass on.
Its numbers are in the results log (RESULTS.md): 'Word detectors with a head of their own (`word_trains_crops`), 3
seeds', 'Outline, order, prior and beam search' (the `--show` word scores) and '`geometry_frequencies 3`' (all
2026-11-30).
"""
import argparse, json
import torch
from tblip2.datasets import SpotTheDiffDataset, COLOURS, SHAPES
from tblip2.model import EnhancedDiffBLIP2
from tblip2.train import CaptionPairs, collate_pairs

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', required=True); ap.add_argument('--data_dir', default='data/synthetic')
    ap.add_argument('--show', type=int, default=0, help='list this many pairs with the words their first cluster raises most')
    a = ap.parse_args()
    model = EnhancedDiffBLIP2.from_pretrained(a.model)
    if model.config.words is None: raise SystemExit(f"{a.model}: trained without words, it has no word detectors")
    tok = model.tokenizer
    ds = SpotTheDiffDataset(a.data_dir, split='val')
    boxes = json.loads((ds.data_dir/'annotations/boxes_val.json').read_text())
    pairs = CaptionPairs(ds, model.processor, model.config.detector, progress=False)
    batch = collate_pairs([pairs[i] for i in range(len(ds))])
    with torch.no_grad():
        tokens, mask = model.cluster_tokens(batch['before'], batch['after'], pairs.detections)
        scores = model.word_scores(tokens)[:, 0]                                   # (N, V): the first cluster's
        raised = model.word_raise(tokens[:, 0])                                    # (N, V): above each word's prior
    word = lambda w: tok(' ' + w, add_special_tokens=False).input_ids[-1]       # each colour and shape is one token here
    hits, n = dict(colour=0, shape=0), 0
    for i, k in enumerate(ds.img_ids):
        if len(boxes.get(k, [])) != 1 or not mask[i, 0]: continue
        c, n = boxes[k][0], n + 1
        if n <= a.show:
            top = raised[i].topk(8)
            print(f"{k} ({c['change']}: {c.get('colour_before', '')} {c['colour']} {c['shape']}, {c['location']}): "
                  + ', '.join(f"{tok.decode([w]).strip()!r} {v:+.1f}" for v, w in zip(top.values.tolist(), top.indices.tolist())))
        hits['colour'] += max(COLOURS, key=lambda w: scores[i, word(w)]) in {c['colour'], c.get('colour_before')}
        hits['shape'] += max(SHAPES, key=lambda w: scores[i, word(w)]) == c['shape']
    print(f"{a.model}: the first cluster's word detectors on {n} single-change validation pairs: "
          + ', '.join(f"{k} {v / n:.3f}" for k, v in hits.items()))
