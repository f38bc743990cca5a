"""Each switch of the demo earns its place: the demo's configuration (nbs/demo.yaml) and, for each variant, the
same with one thing changed back, every row over N seeds (mean ± std, std over seeds with n - 1), one table.

    python bench/ablate.py                                # every variant, seeds 0 1 2, two runs at a time
    python bench/ablate.py --variants demo no-outlines --seeds 0 1 2 3 4 --jobs 1
    python bench/ablate.py --variants demo no-shift-tolerance --held_out 200   # and each run's held-out check

Each run is `tblip2_train` in its own process (`tblip2.seeds.run_seed`, one CPU thread unless OMP_NUM_THREADS
says otherwise), in runs/seeds/ablate-<variant>/seed-<s> (the demo's in runs/seeds/demo, as `python bench/seeds.py`);
a finished run is tested again, not retrained. Read the seeds' spread before a difference between two rows.

Feeds the results log (RESULTS.md): 'The present demo: `shift_tolerance 1`' (2026-11-30), '`tolerance_regrow`: the
worn pixel given back, measured and left off' (2026-11-30; its `regrow` variant went with the switch), '`registration
ecc` on the held-out scenes (left out) and `eval_num_beams 0` (kept)', 'The demo with `registration ecc` (commit
71d3fdc, later undone)', '`outline_norm`: the outline a part of the cluster token of its own', 'Thirty epochs and a
lighter push' and 'Outline, order, prior and beam search: leave-one-out over 3 seeds' (all 2026-11-30), 'The crops read
by a pretrained backbone' (2026-12-02), 'A move is one change' (2026-12-03).
"""
import argparse, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tblip2.seeds import mean_std, run_params, run_seed, seed_dirs
from held_out import draw_scenes, describe, hits, shares  # the held-out check, bench/held_out.py beside this script

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {  # what each row changes in nbs/demo.yaml
    'demo': {},
    'no-outlines': dict(outline_features=False, outline_norm=False),  # no outline descriptors in the cluster geometry
    'joint-norm': dict(separate_norms=False, outline_norm=False),  # one LayerNorm over the crop and geometry parts' sum
    'outline-in-geometry': dict(outline_norm=False),    # the outline shares the box geometry's MLP and norm
    'raw-geometry': dict(geometry_frequencies=0),       # the box geometry without its sines and cosines
    'rank-by-area': dict(rank_by='area'),               # the largest cluster first, not the most different
    'bias-centre': {'words.centre': 'bias'},            # words measured against the word head's bias, not their running mean
    'greedy': dict(num_beams=1),                        # the same training; validation (which picks the best epoch) and the test decode greedily
    'epochs-20': dict(num_epochs=20),                   # the schedule of the demo before: 20 epochs, not 30
    'fusion-1': {'words.fusion': 1.0},                  # the word detectors' push at its earlier weight (it also picks the best epoch)
    'registration': dict(registration='ecc'),           # each pair aligned (ECC) before the difference: the generator's camera shake taken out
    'no-shift-tolerance': dict(shift_tolerance=0),     # each pixel against the same after-pixel only: the camera shake's background edges become clusters
    'greedy-selection': dict(eval_every=5, eval_samples=100, eval_num_beams=1, early_stopping_patience=4),  # the best epoch picked as before: greedy, on 100 validation pairs, every 5 epochs
    'lite0-crops': dict(crop_encoder='efficientnet-lite0'),  # the clusters' crops read by the frozen ImageNet EfficientNet-Lite0, not the deep crop CNN
    'no-moves': dict(join_moves=False),                # a move's two regions two changes, each cluster not told its part in a move
}
COLUMNS = {'CIDEr-D': 'CIDEr-D', 'names colour': 'colour', 'names shape': 'shape', 'names place': 'place',
           'names all': 'all three', 'says move': 'says moved', 'every change: change recall': 'change recall'}
HELD_OUT = {'held-out colour': 'held-out colour', 'held-out shape': 'held-out shape', 'held-out place': 'held-out place',
            'held-out all': 'held-out all three'}  # with --held_out

def name(variant:str) -> str:
    "Its runs' folder under runs/seeds: the demo's is `python bench/seeds.py`'s own (trained once for both)"
    return 'demo' if variant == 'demo' else f'ablate-{variant}'

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--jobs', type=int, default=2, help='runs at a time (each one CPU thread)')
    p.add_argument('--held_out', type=int, default=0, metavar='N', help="also each run's held-out check on N scenes (bench/held_out.py, seed 2026)")
    a = p.parse_args()
    demo = run_params('nbs/demo.yaml')
    runs = [(v, s) for v in a.variants for s in a.seeds]
    scenes = ROOT/'runs'/'held_out'/f'{a.held_out}-scenes'  # drawn once, described by every run
    truth = draw_scenes(scenes, a.held_out) if a.held_out else {}
    def run(v:str, s:int) -> dict:
        out = run_seed({**demo, **VARIANTS[v]}, s, name(v))
        if a.held_out:
            run_dir, ckpt_dir = seed_dirs(name(v), s)
            results = describe(ROOT/ckpt_dir/'best', scenes, ROOT/run_dir/'held_out')
            out |= {f'held-out {k}': x for k, x in shares(truth, hits(truth, results)).items() if k != 'pairs'}
        return out
    with ThreadPoolExecutor(a.jobs) as pool:
        results = dict(zip(runs, pool.map(lambda r: run(*r), runs)))
    columns = COLUMNS | (HELD_OUT if a.held_out else {})
    print(f"`python bench/ablate.py {' '.join(sys.argv[1:])}`, test split, seeds {' '.join(map(str, a.seeds))}"
          + (f"; held-out: {a.held_out} scenes of bench/held_out.py, each run's best model" if a.held_out else '') + ":\n")
    print('| variant | changes | ' + ' | '.join(columns.values()) + ' | all three, per seed |')
    print('| --- | --- |' + ' ---: |' * (len(columns) + 1))
    for v in a.variants:
        rows = [results[v, s] for s in a.seeds]
        changes = ', '.join(f'`{k} {str(x).lower()}`' for k, x in VARIANTS[v].items()) or 'nbs/demo.yaml'
        print(f"| {v} | {changes} | " + ' | '.join(mean_std([r[k] for r in rows]) for k in columns)
              + ' | ' + ' / '.join(f"{r['names all']:.3f}" for r in rows) + ' |')
