"""One comparison bench: every method trained and tested on the synthetic benchmark with the same data and seeds, one table.

    python bench/compare.py                                  # the demo's parameters (nbs/demo.yaml), seeds 0 1 2, every method
    python bench/compare.py -p num_epochs 15 --name demo-15ep # any parameter overridden for every trained method
    python bench/compare.py --methods ddla tblip2 --seeds 0   # some of the methods

Methods: the most frequent training caption and the nearest training pair (no training: the first sentence of the training
pair whose before and after images, both shrunk to 24x24 pixels, are nearest in L2 distance), DDLA (`architecture=ddla`,
nbs/02a_ddla.ipynb), T-BLIP2 (the parameters as given) and T-BLIP2 with one part switched off: the cluster tokens
(`use_clusters=false`), the after-before ViT tokens (`use_diff_features=false`), the ITC and ITM losses (their weights 0).
Each trained method and seed is one `tblip2_train` process (`tblip2.seeds.run_seed`), with one OpenMP thread unless
OMP_NUM_THREADS says otherwise; a seed that finished before is not trained again. Every cell is mean ± std over the
seeds (n - 1); the per-seed values are in summary.json. Writes <out>/table.md and <out>/summary.json (out:
runs/compare/<name>; runs in <out>/<method>/seed-<s>, checkpoints in checkpoints/compare/<name>/, or <out>/checkpoints
with --out).

Feeds the results log (RESULTS.md): the DDLA comparison of 'The present demo: `shift_tolerance 1`' (`demo-v6`) and the
entries 'DDLA against T-BLIP2, both with the pair aligned (`demo-v5`)', 'DDLA against the demos of commits 2bad6d9 and
6356e63 (`demo-v4`, 30 epochs)', 'DDLA with the detector of the demo of commit 6c2c3bc (`demo-v3`)', 'DDLA against the
demo with word detectors and `word_fusion 1`, at the demo's length (`demo-20ep`)' and 'The comparison bench at 15
epochs: DDLA, T-BLIP2 and its parts (`demo-15ep`)' (all 2026-11-30).
"""
import argparse, json, math, os, sys, time
from pathlib import Path
from tblip2.seeds import mean_std, run_params, run_seed, seed_dirs
from tblip2.train import GROUPS

ROOT = Path(__file__).resolve().parents[1]

BASELINES = {'most frequent caption': 'frequent', 'nearest training pair (24x24 pixels)': 'nearest'}
TRAINED = {  # method: its parameters on top of the run's
    'DDLA': dict(architecture='ddla'),
    'T-BLIP2': dict(),
    # the word detectors and the outline's part read the clusters: without clusters there are none
    'T-BLIP2 without clusters': dict(use_clusters=False, words=False, outline_norm=False),
    'T-BLIP2 without difference features': dict(use_diff_features=False),
    'T-BLIP2 without ITC / ITM': dict(aln_weight_itc=0.0, aln_weight_itm=0.0),
}
KEYS = {**{v: k for k, v in BASELINES.items()}, 'ddla': 'DDLA', 'tblip2': 'T-BLIP2', 'no-clusters': 'T-BLIP2 without clusters',
        'no-diff': 'T-BLIP2 without difference features', 'no-itc-itm': 'T-BLIP2 without ITC / ITM'}
CAPTION = ('BLEU-4', 'METEOR', 'ROUGE-L', 'CIDEr-D')
ATTRIBUTES = ('colour', 'shape', 'place', 'all')
CHANGE_TYPES = ('appear', 'disappear', 'move', 'colour', 'none')
CAPTION_METRICS = ('BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'METEOR', 'ROUGE-L', 'CIDEr-D')

def test_data(params:dict) -> tuple:
    "The run's training and test splits (generated once here, before any training) and the test pairs every method is scored on"
    from tblip2.train import check_config, load_splits
    cfg = check_config(**{k: v for k, v in params.items() if k not in ('seed',)})
    splits = load_splits(cfg, ('train', 'test'))
    return splits['train'], splits['test'], splits['test'].img_ids[:cfg.max_test_samples]

def change_columns(predictions:dict, references:dict, boxes:dict, per_change:dict|None) -> dict:
    "Attributes named (single-change pairs), change recall (multi-change pairs) and CIDEr-D per change type"
    from tblip2.evaluation import score_captions, attribute_accuracy, change_recall, score_breakdown, pair_metadata
    out = {f'names {k}': v for k, v in attribute_accuracy(predictions, boxes).items()}
    out['change recall'] = change_recall(per_change, boxes)['change recall'] if per_change is not None else math.nan
    cider = score_captions(predictions, references, metrics=['CIDEr-D'], verbose=False).per_pair
    by_type = score_breakdown(cider, pair_metadata({k: boxes.get(k, []) for k in predictions}))['CIDEr-D']
    return out | {f'CIDEr-D {t}': float(by_type.get(t, math.nan)) for t in CHANGE_TYPES}

def baseline(kind:str, train_ds, test_ds, ids:list) -> dict:
    "The columns of a method that is not trained: its one sentence per test pair, scored as the trained ones are"
    from tblip2.train import most_frequent_caption, nearest_pair_captions
    from tblip2.evaluation import score_captions
    start = time.perf_counter()
    if kind == 'frequent': predictions = dict.fromkeys(ids, most_frequent_caption(train_ds))
    else: predictions = {i: s for i, s in nearest_pair_captions(train_ds, test_ds).items() if i in set(ids)}
    seconds = time.perf_counter() - start
    references = {i: test_ds.sentences[i] for i in ids}
    scores = score_captions(predictions, references, metrics=CAPTION_METRICS, verbose=False)
    per_change = {i: [s] for i, s in predictions.items()}  # one sentence a pair: it names at most one of the changes
    return {k: scores[k] for k in CAPTION} | change_columns(predictions, references, test_ds.boxes, per_change) | {'training s': seconds}

def method_params(params:dict, method:str) -> dict:
    "The run's parameters with the method's on top; a group the method switches off (`words`) takes none of its settings"
    off = [g for g in GROUPS if TRAINED[method].get(g) is False]
    return {k: v for k, v in {**params, **TRAINED[method]}.items() if k.split('.', 1)[0] not in off or k in off}

def trained(params:dict, seed:int, method:str, out:Path, checkpoints:Path, test_ds) -> dict:
    "Train and test one method with one seed (its own `tblip2_train` process); its columns, read back from the run's files"
    from tblip2.evaluation import read_coco_results
    slug = next(k for k, v in KEYS.items() if v == method)
    m = run_seed(method_params(params, method), seed, slug, runs=str(out), checkpoints=str(checkpoints))
    run_dir = Path(seed_dirs(slug, seed, str(out))[0])
    predictions = read_coco_results(run_dir/'test_predictions.json')
    references = {i: test_ds.sentences[i] for i in predictions}
    changes = run_dir/'test_changes.json'
    per_change = json.loads(changes.read_text()) if changes.is_file() else None  # none without clusters: nothing to condition on
    return ({k: m[k] for k in CAPTION} | change_columns(predictions, references, test_ds.boxes, per_change)
            | {'training s': m['training s'], 'weights': m['weights']})

def one_thread(f, *args):
    "`f(*args)` with one OpenMP thread in the processes it starts, unless OMP_NUM_THREADS says otherwise"
    # on a shared machine two threads per process, waiting on each other at every small op while other processes hold the
    # cores, made a DDLA training step 20x slower (3.8 s against 0.18 s, measured here)
    before = os.environ.get('OMP_NUM_THREADS')
    os.environ['OMP_NUM_THREADS'] = before or '1'
    try: return f(*args)
    finally:
        if before is None: del os.environ['OMP_NUM_THREADS']

def cell(values:list) -> str:
    "mean ± std (n - 1) of the seeds' values, '—' where the method has no such value"
    values = [v for v in values if not math.isnan(v)]
    return mean_std(values) if values else '—'

def tables(results:dict, seeds:list) -> str:
    "Markdown: one row per method; caption scores, attributes named, change recall, training time; then CIDEr-D per change type"
    def table(columns, head):
        rows = [f"| {len(seeds)} seed{'s' if len(seeds) > 1 else ''} | " + ' | '.join(head) + ' |', '|---|' + '---:|' * len(columns)]
        for method, per_seed in results.items():
            rows.append(f'| {method} | ' + ' | '.join(cell([per_seed[s][c] for s in seeds if s in per_seed]) for c in columns) + ' |')
        return '\n'.join(rows)
    main = [*CAPTION, *(f'names {k}' for k in ATTRIBUTES), 'change recall', 'training s']
    head = [*CAPTION, 'colour', 'shape', 'place', 'all three', 'change recall (2+ changes)', 'training s']
    return table(main, head) + '\n\nCIDEr-D per change type (pairs with that change; CIDEr-D of each pair, corpus IDF):\n\n' + \
        table([f'CIDEr-D {t}' for t in CHANGE_TYPES], [f'{t}' for t in CHANGE_TYPES])

def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--config', default='nbs/demo.yaml', help='parameters file (YAML, as papermill -f takes)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--methods', nargs='+', default=list(KEYS), choices=list(KEYS))
    p.add_argument('--name', default=None, help='runs/compare/<name> (default: the config file name)')
    p.add_argument('--out', default=None, help='write everything here instead (checkpoints in <out>/checkpoints)')
    p.add_argument('-p', nargs=2, action='append', default=[], metavar=('KEY', 'VALUE'), help='override one parameter (YAML value)')
    return p.parse_args(argv)

def main(argv=None) -> str:
    a = parse(argv)
    params = run_params(a.config, a.p)  # seed and folders: set per method and seed
    name = a.name or Path(a.config).stem
    out = Path(a.out).resolve() if a.out else ROOT/'runs'/'compare'/name
    checkpoints = out/'checkpoints' if a.out else ROOT/'checkpoints'/'compare'/name
    out.mkdir(parents=True, exist_ok=True)
    train_ds, test_ds, ids = test_data(params)
    methods = [KEYS[k] for k in KEYS if k in a.methods]
    results = {m: {} for m in methods}
    for seed in a.seeds:  # every method once before any gets a second seed
        for method in methods:
            start = time.perf_counter()
            results[method][seed] = (baseline(BASELINES[method], train_ds, test_ds, ids) if method in BASELINES
                                     else one_thread(trained, params, seed, method, out, checkpoints, test_ds))
            print(f"seed {seed}, {method}: CIDEr-D {results[method][seed]['CIDEr-D']:.3f} ({time.perf_counter() - start:.0f} s)", flush=True)
            (out/'summary.json').write_text(json.dumps(dict(params=params, seeds=a.seeds, test_pairs=len(ids), per_seed=results), indent=1))
            (out/'table.md').write_text(tables(results, a.seeds) + '\n')  # so far: an interrupted bench still leaves its table
    text = tables(results, a.seeds)
    (out/'table.md').write_text(text + '\n')
    print(f"\n`python bench/compare.py {' '.join(argv if argv is not None else sys.argv[1:])}`, test split ({len(ids)} pairs):\n\n{text}")
    return text

if __name__ == '__main__': main()
