"""Choose `words.fusion` on the validation split: what a trained model with word detectors (`words` on) names at each
fusion weight, nothing retrained.

For each weight: the model's first sentence for every validation pair (greedy, as `test` generates), the share of
single-change pairs whose sentence names the change's colour, shape and place (the generator's labels: evaluation
only), CIDEr-D against the references and the share of distinct sentences. The test split is not looked at: the
weight chosen here is then set with `-p words.fusion W` in `bench/seeds.py`, which reports on the test split.

    python experiments/word_fusion.py --model checkpoints/demo/best --weights 0 0.5 1 1.5 2    # `make demo`'s model
    python experiments/word_fusion.py --model checkpoints/seeds/demo/seed-{0,1,2}/best --weights 0.5 1 --num_beams 4

With several models (a run's seeds: `python bench/seeds.py` trains the demo's three), each measure is the mean ± std
over them (n - 1), and "all three" per model. Its tables are in the results log (RESULTS.md): '`word_fusion`: the
word detectors speak at generation; and the place probe', 'Thirty epochs and a lighter push', '`outline_norm`' and
'Outline, order, prior and beam search' (all 2026-11-30).
"""
import argparse
import torch
from tblip2.datasets import SpotTheDiffDataset
from tblip2.evaluation import attribute_accuracy, score_captions
from tblip2.model import EnhancedDiffBLIP2
from tblip2.train import CaptionPairs, generate_for, references_of
from tblip2.seeds import mean_std

def sweep(model, pairs:CaptionPairs, ds:SpotTheDiffDataset, weights, num_beams:int=1) -> list[dict]:
    "One row per fusion weight: attributes named on single-change pairs, CIDEr-D, distinct sentences"
    rows = []
    for w in weights:
        model.config.words.fusion = w
        preds = generate_for(model, pairs, len(ds), progress=False, num_beams=num_beams)
        named = attribute_accuracy(preds, ds.boxes)
        cider = score_captions(preds, references_of(ds, preds), metrics=('CIDEr-D',), verbose=False)['CIDEr-D']
        rows.append(dict(weight=w, **named.to_dict(), cider=cider, unique=len(set(preds.values())) / len(preds), n=named.name))
    return rows

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', required=True, nargs='+', help="saved models trained with words (e.g. a run's best/); several: mean ± std over them")
    ap.add_argument('--data_dir', default='data/synthetic', help='the synthetic set they were trained on')
    ap.add_argument('--weights', type=float, nargs='+', default=[0, 0.5, 1, 1.5, 2])
    ap.add_argument('--num_beams', type=int, default=1, help='beam search width (1: greedy, as training validates)')
    a = ap.parse_args()
    torch.set_num_threads(1)
    ds = SpotTheDiffDataset(a.data_dir, split='val')
    if ds.boxes is None: raise SystemExit(f"{a.data_dir}: not a synthetic set (no boxes_val.json): the attributes cannot be checked")
    per_model = []
    for path in a.model:
        model = EnhancedDiffBLIP2.from_pretrained(path).eval()
        if model.config.words is None: raise SystemExit(f"{path}: trained without words, it has no word detectors")
        per_model.append(sweep(model, CaptionPairs(ds, model.processor, model.config.detector, progress=False), ds, a.weights, a.num_beams))
    print(f"`python experiments/word_fusion.py --model {' '.join(a.model)} --weights {' '.join(map(str, a.weights))}"
          f"{f' --num_beams {a.num_beams}' if a.num_beams > 1 else ''}`, validation split, "
          f"{per_model[0][0]['n']}{f', mean ± std over {len(a.model)} models' if len(a.model) > 1 else ''}:\n")
    keys = ('colour', 'shape', 'place', 'all', 'cider', 'unique')
    print('| words.fusion | names colour | names shape | names place | names all three | CIDEr-D | unique sentences |'
          + (' all three, per model |' if len(a.model) > 1 else ''))
    print('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |' + (' ---: |' if len(a.model) > 1 else ''))
    for i, w in enumerate(a.weights):
        rows = [m[i] for m in per_model]
        each = ' / '.join(f"{r['all']:.3f}" for r in rows)
        print(f"| {w:g} | " + ' | '.join(mean_std([r[k] for r in rows]) for k in keys) + ' |' + (f' {each} |' if len(rows) > 1 else ''))
