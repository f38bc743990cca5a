"""The attribute check on the validation split: what a choice between runs is made on (the test split only reports).

For each `bench/seeds.py` / `bench/ablate.py` run named, each seed's best model describes the validation pairs as
its test did (its own detector, `num_beams`, `words.fusion`); the table gives, over the seeds (mean ± std, n - 1),
the share of single-change pairs whose first sentence names the colour, the shape, the place and all three, the share
that also say the kind of change (appeared, gone, moved, recoloured: `kind_named`), the share of single-move pairs
whose sentence names the object and says it moved, and the change recall on the pairs with
several changes (the generator's labels: evaluation only).

    python bench/val_names.py demo ablate-no-shift-tolerance
    python bench/val_names.py demo --seeds 0 1

Feeds the results log (RESULTS.md): 'The present demo: `shift_tolerance 1`' and '`tolerance_regrow`: the worn pixel
given back, measured and left off' (both 2026-11-30), 'A move is one change' (2026-12-03).
"""
import argparse, sys
from pathlib import Path
import torch
from tblip2.train import check_config, load_splits, CaptionPairs, generate_for, use_generation
from tblip2.seeds import mean_std, run_history, seed_dirs
from tblip2.ddla import load_pretrained
from tblip2.evaluation import attribute_accuracy, change_recall, kind_accuracy, kind_named, names

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {'colour': 'colour', 'shape': 'shape', 'place': 'place', 'all': 'all three', 'all four': 'and its kind',
           'says move': 'says moved',
           'change recall': 'change recall'}

def val_names(name:str, seed:int,
              runs:str='runs/seeds',               # folder of the runs, as `run_seed`'s
              checkpoints:str='checkpoints/seeds', # ... and of their checkpoints
             ) -> dict:
    "One seed's best model of run `name` on the validation split: `{column: share}`"
    run_dir, ckpt_dir = seed_dirs(name, seed, runs, checkpoints)
    run, best = ROOT/run_dir, ROOT/ckpt_dir/'best'
    if not best.is_dir(): sys.exit(f"{best}: no trained model (train it with bench/seeds.py or bench/ablate.py)")
    saved = run_history(run)['config']
    cfg = check_config(**{k: v for k, v in saved.items() if k not in ('run_dir', 'checkpoint_dir')})
    val = load_splits(cfg, ('val',))['val']
    if val.boxes is None: sys.exit(f"{name}: not trained on a synthetic set (its validation split has no boxes)")
    model = load_pretrained(best)
    use_generation(model.config, cfg.model)  # `num_beams` and `words.fusion` as its test generated
    pairs = CaptionPairs(val, model.processor, model.config.detector, cfg.seed, progress=False)
    with torch.no_grad():
        first = generate_for(model, pairs)
        every = generate_for(model, pairs, per_change=True)
    kinds = {f'says {k}': v for k, v in kind_accuracy(first, val.boxes).items()}
    single = [(s, val.boxes[i][0]) for i, s in first.items() if len(val.boxes.get(i, [])) == 1]
    kinds['all four'] = sum(names(s, c)['all'] and kind_named(s, c) for s, c in single) / max(len(single), 1)
    return dict(attribute_accuracy(first, val.boxes)) | kinds | dict(change_recall(every, val.boxes))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('names', nargs='+', help='runs under runs/seeds (bench/ablate.py names its runs ablate-<variant>)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    a = p.parse_args()
    torch.set_num_threads(1)
    print(f"`python bench/val_names.py {' '.join(sys.argv[1:])}`: validation split, each seed's best model, seeds {' '.join(map(str, a.seeds))}\n")
    print('| run | ' + ' | '.join(COLUMNS.values()) + ' | all three, per seed |')
    print('| --- |' + ' ---: |' * (len(COLUMNS) + 1))
    for name in a.names:
        rows = [val_names(name, s) for s in a.seeds]
        # a split without a single-move pair has no 'says move'
        print(f"| {name} | " + ' | '.join(mean_std([r.get(k, float('nan')) for r in rows]) for k in COLUMNS) + ' | '
              + ' / '.join(f"{r['all']:.3f}" for r in rows) + ' |')
