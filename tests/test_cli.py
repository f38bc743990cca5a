"""`tblip2_diff` as a user runs it: a subprocess on a folder of good pairs, a corrupt file, a lone image and a non-image."""
import json, os, subprocess
from pathlib import Path
import numpy as np, pytest
from PIL import Image
from test_datasets_cli import console_script
from tblip2.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE
from tblip2.describe import untrained_checkpoint

CLI = [console_script('tblip2_diff')]

def run(*args, env=None):
    return subprocess.run(CLI + list(map(str, args)), capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})

def save_pair(folder, name, before_name=None, after_name=None):
    "Noise with one 20 px square recoloured in the after image"
    rng = np.random.default_rng(len(name))
    before = rng.integers(90, 110, (64, 64, 3), dtype=np.uint8)
    after = before.copy(); after[20:40, 10:30] = (230, 40, 40)
    for im, n in ((before, before_name or f'{name}.png'), (after, after_name or f'{name}_2.png')):
        (folder/n).parent.mkdir(parents=True, exist_ok=True); Image.fromarray(im).save(folder/n)

@pytest.fixture(scope='module')
def mixed(tmp_path_factory):
    "Two good pairs, a pair whose before is corrupt, a lone image and a text file"
    d = tmp_path_factory.mktemp('mixed')
    save_pair(d, 'good1'); save_pair(d, 'good2'); save_pair(d, 'broken')
    (d/'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n truncated')
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(d/'lone.png')
    (d/'notes.txt').write_text('not an image')
    return d

@pytest.fixture(scope='module')
def ckpt(tmp_path_factory): return untrained_checkpoint(tmp_path_factory.mktemp('ckpt'))

def test_batch_records_each_failure_and_goes_on(mixed, ckpt, tmp_path):
    out = tmp_path/'results.json'
    r = run('--model_path', ckpt, '--input_dir', mixed, '--output_file', out)
    assert r.returncode == EXIT_SOME_FAILED, r.stderr
    res = json.loads(out.read_text())
    by_name = {x['name']: x for x in res['results']}
    assert set(by_name) == {'good1', 'good2', 'broken', 'lone'}
    for n in ('good1', 'good2'):
        assert by_name[n]['ok'] and by_name[n]['descriptions'][0].strip()
        assert by_name[n]['clusters'][0]['bbox'] == [10, 20, 30, 40]
    assert 'Cannot read image' in by_name['broken']['error'] and 'broken.png' in by_name['broken']['error']
    assert 'missing partner' in by_name['lone']['error']
    assert [Path(p).name for p in res['skipped_files']] == ['notes.txt']
    assert '2 of 4 pairs described, 2 failed' in r.stderr
    assert 'pair' in r.stderr and '4/4' in r.stderr  # the progress bar
    assert [p.name for p in tmp_path.iterdir()] == ['results.json']  # no temporary file left behind

def test_before_after_folders_all_good(tmp_path):
    for n in ('x', 'y'): save_pair(tmp_path/'in', n, f'before/{n}.png', f'after/{n}.png')
    r = run('--detector_only', '--input_dir', tmp_path/'in', '--output_file', tmp_path/'r.json')
    assert r.returncode == EXIT_OK, r.stderr
    res = json.loads((tmp_path/'r.json').read_text())
    assert res['n_ok'] == 2 and all(x['clusters'] and x['descriptions'] == [] for x in res['results'])

def test_single_pair_text_and_json(mixed, ckpt):
    args = ['--model_path', ckpt, '--image1', mixed/'good1.png', '--image2', mixed/'good1_2.png']
    r = run(*args)
    assert r.returncode == EXIT_OK, r.stderr
    assert 'description: ' in r.stdout and 'box (10, 20, 30, 40)' in r.stdout
    r = run(*args, '--json')
    assert r.returncode == EXIT_OK and json.loads(r.stdout)['clusters'][0]['area'] > 300
    r = run('--detector_only', '--image1', mixed/'broken.png', '--image2', mixed/'broken_2.png')
    assert r.returncode == EXIT_SOME_FAILED and 'Cannot read image' in r.stdout

def test_usage_errors(mixed, tmp_path):
    r = run('--input_dir', mixed, env={'TBLIP2_MODEL': ''})
    assert r.returncode == EXIT_USAGE and 'make demo' in r.stderr and '--detector_only' in r.stderr
    assert run('--image1', mixed/'good1.png', '--detector_only').returncode == EXIT_USAGE
    assert run('--input_dir', tmp_path/'nowhere', '--detector_only').returncode == EXIT_USAGE
    assert run('--no_such_flag').returncode == EXIT_USAGE
    assert 'exit codes' in run('--help').stdout
