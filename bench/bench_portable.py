"""What portable mode costs on the demo: `nbs/demo.yaml` trained and tested twice side by side (one `tblip2_train`
process each, one thread each, each on its own copy of one generated set with a cold detection cache), once with this
CPU's own kernels (`TBLIP2_PORTABLE=0`) and once portable (`TBLIP2_PORTABLE=1`, nbs/00_portable.ipynb). Prints each
run's wall time, training time and test numbers, the ratios measured in this one run, and each run's weights digest
(the portable one is the weights `make demo` ends with, on any x86-64 CPU with this torch build).

    python bench/bench_portable.py                       # the whole demo: 10 minutes for the slower run here
    python bench/bench_portable.py -p num_epochs 2       # a shorter run of the same model

    python bench/bench_portable.py --report              # the table of the finished call again, from its files

The runs land in runs/bench-portable/<mode> (checkpoints in checkpoints/bench-portable/<mode>), the wall times in
runs/bench-portable/wall.json; a folder left by an earlier call stops the script (a resumed run would time only its
rest). Feeds the results log entry 'Portable numbers'.
"""
import argparse, json, os, shutil, subprocess, sys, time
from pathlib import Path
from tblip2.seeds import metrics, run_params, train_command

ROOT = Path(__file__).resolve().parents[1]
MODES = {'native': '0', 'portable': '1'}

OUT, CKPTS = ROOT/'runs'/'bench-portable', ROOT/'checkpoints'/'bench-portable'

def run_both(params:dict) -> dict:
    "Train and test both modes side by side; each one's wall time in seconds"
    if taken := [str(d) for d in (OUT, CKPTS) if d.exists()]:
        sys.exit(f"{' and '.join(taken)} hold an earlier call's runs: move them away first (a resumed run would time only its rest)")
    data = OUT/'data'
    sizes = params.get('synthetic_pairs', [1000, 200, 200])
    subprocess.run([str(Path(sys.executable).parent/'tblip2_data'), '--out_dir', str(data/'generated'), '--n_train', str(sizes[0]),
                    '--n_val', str(sizes[1]), '--n_test', str(sizes[2]), '--sheet', ''], check=True, cwd=ROOT)
    procs, start, wall = {}, {}, {}
    for mode, flag in MODES.items():
        shutil.copytree(data/'generated', data/mode, ignore=shutil.ignore_patterns('.tblip2-cache'))  # both caches cold
        cmd = train_command({**params, 'data_dir': str(data/mode), 'run_dir': str(OUT/mode), 'checkpoint_dir': str(CKPTS/mode)})
        (OUT/mode).mkdir(parents=True)
        env = {**os.environ, 'TBLIP2_PORTABLE': flag, 'OMP_NUM_THREADS': '1', 'TBLIP2_PROGRESS': 'lines'}
        start[mode] = time.perf_counter()
        procs[mode] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(OUT/mode/'train.log', 'w'), stderr=subprocess.STDOUT)
    while len(wall) < len(procs):
        for mode, proc in procs.items():
            if mode not in wall and proc.poll() is not None:
                wall[mode] = time.perf_counter() - start[mode]
                if proc.returncode: sys.exit(f"the {mode} run failed (exit {proc.returncode}): see {OUT/mode/'train.log'}")
                print(f"{mode}: done in {wall[mode] / 60:.1f} min", flush=True)
        time.sleep(1)
    (OUT/'wall.json').write_text(json.dumps(wall))  # kept with the runs: --report prints the table again
    return wall

def report(wall:dict) -> str:
    "The table of the two finished runs and the ratios"
    got = {mode: metrics(OUT/mode) | {'wall min': wall[mode] / 60} for mode in MODES}
    for mode in MODES:
        k = json.loads((OUT/mode/'history.json').read_text())['reproducibility']['kernels']
        got[mode]['kernels'] = f"ATen {k['cpu_capability']}, MKL_CBWR {k['MKL_CBWR']}, oneDNN {k['ONEDNN_MAX_CPU_ISA']}"
    names = ['wall min', 'training s', 'CIDEr-D', 'names all', 'weights', 'kernels']
    rows = ['| run | ' + ' | '.join(names) + ' |', '|---|' + '---:|' * (len(names) - 2) + '---|---|']
    for mode in MODES:
        rows.append(f'| {mode} | ' + ' | '.join(f'{got[mode][k]:.3f}' if isinstance(got[mode][k], float) else str(got[mode][k])
                                                for k in names) + ' |')
    ratio = {k: got['portable'][k] / got['native'][k] for k in ('wall min', 'training s')}
    return '\n'.join(rows) + (f"\n\nportable / native, measured side by side in one call: wall time {ratio['wall min']:.2f}x, "
                              f"training time {ratio['training s']:.2f}x")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--config', default='nbs/demo.yaml', help='parameters file (YAML, as papermill -f takes)')
    p.add_argument('-p', nargs=2, action='append', default=[], metavar=('KEY', 'VALUE'), help='override one parameter (YAML value)')
    p.add_argument('--report', action='store_true', help="print the table of the finished call's runs again")
    a = p.parse_args()
    wall = json.loads((OUT/'wall.json').read_text()) if a.report else run_both(run_params(a.config, a.p))
    text = report(wall)
    (OUT/'table.md').write_text(text + '\n')
    print(f"\n`python bench/bench_portable.py {' '.join(sys.argv[1:])}`, test split:\n\n{text}")
