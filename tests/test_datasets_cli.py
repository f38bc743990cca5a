"""The dataset command line as a user runs it: a subprocess, and one killed half-way."""
import json, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest

def console_script(name):
    "The installed console script `name`: beside this Python first (the project's venv), else on PATH"
    here = Path(sys.executable).parent/name
    found = str(here) if here.exists() else shutil.which(name)
    if not found: pytest.fail(f"console script {name} not installed: run `make install` (pip install -e .)")
    return found

CLI = [console_script('tblip2_data')]

def run(*args, **kw):
    return subprocess.run(CLI + list(map(str, args)), capture_output=True, text=True, timeout=300, **kw)

def test_cli_makes_set_and_sheet(tmp_path):
    out, sheet = tmp_path/'syn', tmp_path/'sheet.png'
    r = run('--out_dir', out, '--n_train', 6, '--n_val', 2, '--n_test', 2, '--sheet', sheet)
    assert r.returncode == 0, r.stderr
    assert '10 pairs ready' in r.stdout
    assert sheet.stat().st_size > 10_000
    entries = json.loads((out/'annotations'/'train.json').read_text())
    assert len({e['img_id'] for e in entries}) == 6
    assert len(list((out/'resized_images').glob('*_2.png'))) == 10
    # same settings again: the set is reused, not regenerated
    mtime = (out/'synthetic.json').stat().st_mtime_ns
    assert run('--out_dir', out, '--n_train', 6, '--n_val', 2, '--n_test', 2, '--sheet', '').returncode == 0
    assert (out/'synthetic.json').stat().st_mtime_ns == mtime

def test_cli_refuses_to_overwrite_other_data(tmp_path):
    mine = tmp_path/'photos'; mine.mkdir(); (mine/'holiday.png').write_bytes(b'precious')
    r = run('--out_dir', mine, '--n_train', 2, '--n_val', 1, '--n_test', 1, '--sheet', '')
    assert r.returncode == 2 and 'refusing to overwrite' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert (mine/'holiday.png').read_bytes() == b'precious'
    # a synthetic set made with other settings is kept too, unless --overwrite says so
    syn = tmp_path/'syn'
    assert run('--out_dir', syn, '--n_train', 2, '--n_val', 1, '--n_test', 1, '--sheet', '').returncode == 0
    r = run('--out_dir', syn, '--n_train', 3, '--n_val', 1, '--n_test', 1, '--sheet', '')
    assert r.returncode == 2 and r.stderr.strip().count('\n') == 0 and 'counts.train: 2 -> 3' in r.stderr, r.stderr
    assert json.loads((syn/'synthetic.json').read_text())['counts']['train'] == 2
    assert run('--out_dir', syn, '--n_train', 3, '--n_val', 1, '--n_test', 1, '--sheet', '', '--overwrite').returncode == 0
    assert json.loads((syn/'synthetic.json').read_text())['counts']['train'] == 3
    # --overwrite replaces only a set made here: a user's folder, or one named as `folder/sub/..`, is kept whole
    (mine/'sub').mkdir()
    for target in (mine, mine/'sub'/'..'):
        r = run('--out_dir', target, '--n_train', 2, '--n_val', 1, '--n_test', 1, '--sheet', '', '--overwrite')
        assert r.returncode == 2 and r.stderr.strip().count('\n') == 0 and f'{mine} is not a synthetic set' in r.stderr, r.stderr
    assert (mine/'holiday.png').read_bytes() == b'precious' and (mine/'sub').is_dir()

def test_killed_generation_leaves_no_half_dataset(tmp_path):
    out = tmp_path/'syn'
    p = subprocess.Popen(CLI + ['--out_dir', str(out), '--n_train', '3000', '--n_val', '0', '--n_test', '0', '--sheet', ''],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = tmp_path/'syn.partial'/'resized_images'
    deadline = time.time() + 120
    while time.time() < deadline and len(list(partial.glob('*.png'))) < 20: time.sleep(0.2)
    p.send_signal(signal.SIGKILL); p.wait()
    assert len(list(partial.glob('*.png'))) >= 20, "the run should have been writing when killed"
    assert not out.exists(), "an interrupted run must not leave a folder that looks like a finished dataset"
    r = run('--out_dir', out, '--n_train', 4, '--n_val', 1, '--n_test', 1, '--sheet', '')
    assert r.returncode == 0, r.stderr
    assert (out/'synthetic.json').is_file() and not (tmp_path/'syn.partial').exists()
