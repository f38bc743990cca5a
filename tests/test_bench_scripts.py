"""Every script of bench/ and experiments/ that takes options still starts with the current package: `--help` runs
its imports and builds its parser (a renamed setting or a moved helper fails here, not on the next person's run)."""
import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

# One process per folder, every script of it run as `python SCRIPT --help` would run it: torch and transformers are
# imported once. The process starts in the scripts' folder, which `python -c` puts first on the path, as `python SCRIPT`
# puts the script's own folder: so ablate.py finds held_out.py beside it, and probes.py place_probe.py.
LOOP = '''
import contextlib, io, json, runpy, sys
done = {}
for path in json.loads(sys.argv[1]):
    sys.argv, out = [path, '--help'], io.StringIO()
    try:
        with contextlib.redirect_stdout(out): runpy.run_path(path, run_name='__main__')
        done[path] = 'ran without exiting'
    except SystemExit as e: done[path] = 'ok' if e.code in (0, None) and 'usage:' in out.getvalue() else f'exit {e.code}'
    except Exception as e: done[path] = f'{type(e).__name__}: {e}'
print('DONE ' + json.dumps(done))
'''

def scripts(folder:str) -> list[str]:
    "The scripts of `folder` that parse options (bench_eval.py, bench_synthetic.py take none; `_*.py` are scratch)"
    return [str(p) for p in sorted((ROOT/folder).glob('*.py')) if 'argparse' in p.read_text() and not p.name.startswith('_')]

@pytest.mark.parametrize('folder', ['bench', 'experiments'])
def test_every_script_answers_help(folder):
    names = scripts(folder)
    assert len(names) >= 5, names
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
    r = subprocess.run([sys.executable, '-c', LOOP, json.dumps(names)], capture_output=True, text=True, timeout=300,
                       cwd=ROOT/folder, env=env)
    assert r.returncode == 0 and 'DONE ' in r.stdout, r.stdout[-3000:] + r.stderr[-3000:]
    done = json.loads(r.stdout.split('DONE ')[-1])
    assert {Path(k).name: v for k, v in done.items() if v != 'ok'} == {}, done

def test_sequence_benches_run(tmp_path):
    "bench/bench_sequence.py and bench/sequence_recall.py on the untrained tiny model: their tables come out"
    from tblip2.describe import untrained_checkpoint
    ckpt = untrained_checkpoint(tmp_path/'ckpt')
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'TBLIP2_PROGRESS': 'off'}
    r = subprocess.run([sys.executable, 'bench/bench_sequence.py', '--model', str(ckpt), '--frames', '4', '--size', '96'],
                       capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [l for l in r.stdout.splitlines() if l.startswith('| ') and 'method' not in l]
    assert [l.split(' | ')[2] for l in rows] == ['6', '4'], r.stdout            # ViT encodings: 2(N - 1), then N
    r = subprocess.run([sys.executable, 'bench/sequence_recall.py', '--model', str(ckpt), '--sequences', '2',
                        '--steps', '2', '--image_size', '96'], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    steps, kinds = [[l for l in part.splitlines() if l.startswith('| ')] for part in r.stdout.split('# by kind of change')]
    assert steps[0] == '| step | changes | change recall | with its kind | change precision | sentences per step |', r.stdout
    assert [l.split(' | ')[0] for l in steps[2:]] == ['| 1', '| 2'], r.stdout                 # one row per step
    assert kinds[0].startswith('| change | changes |') and len(kinds) >= 3, r.stdout

def test_moves_bench_runs(tmp_path):
    "bench/moves.py on a small synthetic set and one real set: its two tables come out, the shares in [0, 1]"
    from tblip2.datasets import make_synthetic_dataset, shared_dir
    make_synthetic_dataset(tmp_path/'syn', 4, 24, 4, seed=3, progress=False)
    real = ['--real', 'DSIFN'] if shared_dir() is not None else ['--real', 'none']
    r = subprocess.run([sys.executable, 'bench/moves.py', '--data', str(tmp_path/'syn'), '--splits', 'val', *real],
                       capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, 'TQDM_DISABLE': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [l.split(' | ') for l in r.stdout.splitlines() if l.startswith('| val |') or l.startswith('| DSIFN |')]
    assert rows and rows[0][:2] == ['| val', '24'], r.stdout
    assert all(0 <= float(x.strip(' |')) <= 1 for x in rows[0][4:]), r.stdout   # precision, recall, recall of findable
    if shared_dir() is not None: assert rows[1][:2] == ['| DSIFN', '10'], r.stdout
