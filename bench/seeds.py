"""Seeds, not one run: train and test one configuration with N seeds (one `tblip2_train` process each, the same
data, `seed` varied) and print every test metric as mean ± std with the per-seed values.

    python bench/seeds.py                                   # the demo (nbs/demo.yaml), seeds 0 1 2: 3 to 8 minutes a seed here
    python bench/seeds.py --seeds 0 1 2 3 4 -p num_epochs 30 --name demo-30ep
    python bench/seeds.py -p words.fusion 1.0 --name fusion-1   # a word-detector setting (`words.<field>`)
    python bench/seeds.py --config my.yaml --name mine      # any parameters file papermill takes

std is the sample standard deviation (n - 1). Each seed's run lands in runs/seeds/<name>/seed-<s> (checkpoints in
checkpoints/seeds/<name>/seed-<s>); a seed whose run finished before is not trained again (its checkpoint is resumed,
then it is tested again, with the generation settings asked for: `words.fusion`, `num_beams`; its best epoch stays the
one its own validation chose). A run trained with other settings (more epochs, another rate) stops the script: it
would be trained on, not repeated (a setting newer than the run counts as its default, which is how it ran). So does
one whose validation described with the model's own beams (`eval_num_beams 0`, the demo's) and another `words.fusion`
or `num_beams`: those settings picked its best epoch. The table is also written to runs/seeds/<name>/table.md and
summary.json. What runs a seed and reads it back is `tblip2.seeds` (nbs/04a_seeds.ipynb).

Feeds the results log (RESULTS.md): the seeds tables of 'The present demo: `shift_tolerance 1`' (2026-11-30) and of
every earlier demo's entry, and the one-seed exploration rows ('Which script feeds which entry' lists them all).
"""
import argparse, json, sys
from pathlib import Path
from tblip2.seeds import run_params, run_seed, table

ROOT = Path(__file__).resolve().parents[1]

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--config', default='nbs/demo.yaml', help='parameters file (YAML, as papermill -f takes)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--name', default=None, help='runs/seeds/<name> (default: the config file name)')
    p.add_argument('-p', nargs=2, action='append', default=[], metavar=('KEY', 'VALUE'), help='override one parameter (YAML value)')
    a = p.parse_args()
    params = run_params(a.config, a.p)
    name = a.name or Path(a.config).stem
    per_seed = {}
    for s in a.seeds:
        per_seed[s] = run_seed(params, s, name)
        print(f"seed {s}: " + ', '.join(f'{k} {v:.3f}' for k, v in per_seed[s].items() if isinstance(v, float)), flush=True)
    text = table(per_seed)
    out = ROOT/'runs'/'seeds'/name
    (out/'table.md').write_text(text + '\n'); (out/'summary.json').write_text(json.dumps(dict(params=params, per_seed=per_seed), indent=1))
    print(f"\n`python bench/seeds.py {' '.join(sys.argv[1:])}`, test split:\n\n{text}")
