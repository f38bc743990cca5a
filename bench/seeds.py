"""Seeds, not one run: train and test one configuration with N seeds (one `tblip2_train` process each, the same
data, `seed` varied) and print every test metric as mean ± std with the per-seed values.

    python bench/seeds.py                                   # the demo (nbs/demo.yaml), seeds 0 1 2: 3 to 8 minutes a seed here
    python bench/seeds.py --seeds 0 1 2 3 4 -p num_epochs 30 --name demo-30ep
    python bench/seeds.py --config my.yaml --name mine      # any parameters file papermill takes

std is the sample standard deviation (n - 1). Each seed's run lands in runs/seeds/<name>/seed-<s> (checkpoints in
checkpoints/seeds/<name>/seed-<s>); a seed whose run finished before is not trained again (its checkpoint is resumed,
then it is tested again, with the generation settings asked for: `word_fusion`, `num_beams`; its best epoch stays the
one its own validation chose). A run trained with other settings (more epochs, another rate) stops the script: it
would be trained on, not repeated (a setting newer than the run counts as its default, which is how it ran). So does one whose validation described with the model's own beams
(`eval_num_beams 0`, the demo's) and another `word_fusion` or `num_beams`: those settings picked its best epoch. The table is also written to runs/seeds/<name>/table.md and summary.json.
"""
import argparse, json, os, statistics, subprocess, sys, time
from pathlib import Path
import yaml
from tblip2.train import flat_fields, GENERATION

ROOT = Path(__file__).resolve().parents[1]
MODEL = 'tblip2 (this run)'
RETEST = {'max_test_samples', 'log_every', 'num_workers', 'log_with',  # may differ when a finished run is tested again
          'run_dir', 'checkpoint_dir', 'mode', 'resume'}

def trained_otherwise(run_dir:Path, params:dict) -> dict:
    "`{setting: (trained with, asked for)}` where a run already in `run_dir` was trained with other settings than `params`"
    hist = run_dir/'history.json'
    if not hist.exists(): return {}
    defaults = {k: default for k, (_, _, default, _) in flat_fields().items()}
    saved = {**defaults, **json.loads(hist.read_text()).get('config', {})}  # a setting newer than the run: it ran as that setting's default
    free = RETEST | (set(GENERATION) if saved['eval_num_beams'] != 0 else set())  # unless they picked the best epoch
    return {k: (saved[k], v) for k, v in params.items() if k in saved and k not in free and saved[k] != v}

def as_option(value) -> str:
    "A parameter value as `tblip2_train` reads it on its command line"
    if isinstance(value, bool): return str(value).lower()
    if isinstance(value, (list, dict)): return json.dumps(value)
    return 'none' if value is None else str(value)

def run_seed(params:dict, seed:int, name:str,
             runs:str='runs/seeds', checkpoints:str='checkpoints/seeds') -> dict: # folders (relative to the repository, or absolute) of the runs and their checkpoints
    "Train and test one seed in its own process; its metrics, read back from the files the run wrote"
    run_dir, ckpt_dir = f'{runs}/{name}/seed-{seed}', f'{checkpoints}/{name}/seed-{seed}'
    args = {**params, 'seed': seed, 'run_dir': run_dir, 'checkpoint_dir': ckpt_dir}
    if differ := trained_otherwise(ROOT/run_dir, {**params, 'seed': seed}):  # resuming would go on training it (e.g. more epochs): not this seed's run
        why = ' (with eval_num_beams 0 they picked its best epoch)' if set(differ) <= set(GENERATION) else ''
        sys.exit(f"{run_dir} was trained with other settings ({', '.join(f'{k} {a!r}, now {b!r}' for k, (a, b) in differ.items())}){why}: "
                 f"a table must not mix it with fresh runs. Give another --name, or move {run_dir} and {ckpt_dir} away.")
    cmd = [str(Path(sys.executable).with_name('tblip2_train'))] + [x for k, v in args.items() for x in (f'--{k}', as_option(v))]
    start = time.perf_counter()
    log = ROOT/run_dir/'train.log'; log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1')}  # as `make demo`: one thread unless told otherwise
    with open(log, 'w') as f: rc = subprocess.call(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=env)
    if rc: sys.exit(f"seed {seed} failed (exit {rc}): see {log}")
    return metrics(ROOT/run_dir) | {'minutes': (time.perf_counter() - start) / 60}

def metrics(run_dir:Path) -> dict:
    "One run's test metrics: caption scores, unique sentences, image reliance, attributes named, training time"
    scores = json.loads((run_dir/'test_scores.json').read_text())
    preds = [p['caption'] for p in json.loads((run_dir/'test_predictions.json').read_text())]
    history = json.loads((run_dir/'history.json').read_text())
    out = {k: v for k, v in scores[MODEL].items() if isinstance(v, (int, float))}
    out['unique sentences'] = len(set(preds)) / max(len(preds), 1)
    out['image gap (nats/token)'] = scores['image reliance']['gap']
    out |= {f'names {k}': v for k, v in scores.get('attribute accuracy', {}).get(MODEL, {}).items()}
    out |= {f'every change: {k}': v for k, v in scores.get('every change', {}).items() if isinstance(v, float)}
    out['training s'] = sum(e['seconds'] for e in history['history']['epochs'])
    out['weights'] = (run_dir/'weights-rank0.txt').read_text().split()[-1]
    return out

def table(per_seed:dict) -> str:
    "Markdown: a row per metric, mean ± std and each seed's value"
    seeds = list(per_seed)
    names = [k for k in per_seed[seeds[0]] if k != 'weights']
    head = f"| metric | mean ± std ({len(seeds)} seeds) | " + ' | '.join(f'seed {s}' for s in seeds) + ' |'
    rows = [head, '|---|---:|' + '---:|' * len(seeds)]
    for k in names:
        vals = [per_seed[s][k] for s in seeds]
        std = statistics.stdev(vals) if len(vals) > 1 else float('nan')
        rows.append(f"| {k} | {statistics.mean(vals):.3f} ± {std:.3f} | " + ' | '.join(f'{v:.3f}' for v in vals) + ' |')
    rows.append('| weights digest | | ' + ' | '.join(per_seed[s]['weights'] for s in seeds) + ' |')
    return '\n'.join(rows)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--config', default='nbs/demo.yaml', help='parameters file (YAML, as papermill -f takes)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--name', default=None, help='runs/seeds/<name> (default: the config file name)')
    p.add_argument('-p', nargs=2, action='append', default=[], metavar=('KEY', 'VALUE'), help='override one parameter (YAML value)')
    a = p.parse_args()
    params = yaml.safe_load((ROOT/a.config).read_text()) or {}
    params.update({k: yaml.safe_load(v) for k, v in a.p})
    for k in ('seed', 'run_dir', 'checkpoint_dir'): params.pop(k, None)  # set per seed
    name = a.name or Path(a.config).stem
    per_seed = {}
    for s in a.seeds:
        per_seed[s] = run_seed(params, s, name)
        print(f"seed {s}: " + ', '.join(f'{k} {v:.3f}' for k, v in per_seed[s].items() if isinstance(v, float)), flush=True)
    text = table(per_seed)
    out = ROOT/'runs'/'seeds'/name
    (out/'table.md').write_text(text + '\n'); (out/'summary.json').write_text(json.dumps(dict(params=params, per_seed=per_seed), indent=1))
    print(f"\n`python bench/seeds.py {' '.join(sys.argv[1:])}`, test split:\n\n{text}")
