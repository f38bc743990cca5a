"""`tblip2_diff` as a user runs it: a subprocess on a folder of good pairs, a corrupt file, a lone image and a non-image;
usage errors found before any work; a batch killed and resumed; a large photo and a decompression bomb."""
import json, os, shutil, signal, struct, subprocess, sys, time, zlib
from pathlib import Path
import numpy as np, pytest
from PIL import Image
from test_datasets_cli import console_script
from tblip2.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE
from tblip2.describe import untrained_checkpoint

CLI = [console_script('tblip2_diff')]

# one torch thread: the tiny test model's matrices are too small to share, and on a busy machine (CI, other jobs)
# each of its thousands of small ops would wait for a second thread's time slice (a test took 100 s instead of 10)
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def run(*args, env=None):
    return subprocess.run(CLI + list(map(str, args)), capture_output=True, text=True, timeout=300, env={**ENV, **(env or {})})

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
    assert [(Path(s['path']).name, s['reason']) for s in res['skipped_files']] == [('notes.txt', 'not an image (by its suffix)')]
    assert '2 of 4 pairs described, 2 failed' in r.stderr
    assert 'pair' in r.stderr and '4/4' in r.stderr  # the progress bar
    assert sorted(p.name for p in tmp_path.iterdir()) == ['results.json', 'results.jsonl']  # the results and their log, no temporary file

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
    assert 'description: ' in r.stdout and 'box [10, 20, 30, 40]' in r.stdout
    r = run(*args, '--json')
    assert r.returncode == EXIT_OK and json.loads(r.stdout)['clusters'][0]['area'] > 300
    r = run('--detector_only', '--image1', mixed/'broken.png', '--image2', mixed/'broken_2.png')
    assert r.returncode == EXIT_SOME_FAILED and 'Cannot read image' in r.stdout

def test_usage_errors(mixed, tmp_path):
    r = run('--input_dir', mixed, env={'TBLIP2_MODEL': ''})
    assert r.returncode == EXIT_USAGE and 'make demo' in r.stderr and '--detector_only' in r.stderr
    r = run('--input_dir', mixed, env={'TBLIP2_MODEL': str(tmp_path/'nowhere')})    # the environment's model is named
    assert r.returncode == EXIT_USAGE and f"TBLIP2_MODEL={tmp_path/'nowhere'}: not a saved model" in r.stderr, r.stderr
    assert run('--image1', mixed/'good1.png', '--detector_only').returncode == EXIT_USAGE
    assert run('--input_dir', tmp_path/'nowhere', '--detector_only').returncode == EXIT_USAGE
    assert run('--no_such_flag').returncode == EXIT_USAGE
    assert 'exit codes' in run('--help').stdout

def one_line_usage_error(r):
    assert r.returncode == EXIT_USAGE, (r.returncode, r.stderr)
    assert r.stderr.startswith('tblip2_diff: error: ') and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr, r.stderr
    return r.stderr

def test_usage_errors_come_before_any_work(mixed, ckpt, tmp_path):
    "Each is one line and exit 2, found before the (here broken) model is loaded and before a pair is read"
    broken = tmp_path/'broken_ckpt'; broken.mkdir()
    for f in ckpt.iterdir(): (broken/f.name).write_bytes(f.read_bytes())
    (broken/'model.safetensors').write_bytes(b'truncated')
    base = ['--model_path', broken, '--input_dir', mixed]
    assert 'invalid eps=-1.0' in one_line_usage_error(run(*base, '--eps', '-1'))
    (tmp_path/'a_file').write_text('not a folder')
    assert 'cannot create the folder' in one_line_usage_error(run(*base, '--output_file', tmp_path/'a_file'/'r.json'))
    assert 'invalid batch_size=0' in one_line_usage_error(run(*base, '--batch_size', '0', '--output_file', tmp_path/'r.json'))
    assert not (tmp_path/'r.json').exists() and not (tmp_path/'r.jsonl').exists()
    # an output onto what the run reads: an input image, the annotations (pairs.json's log is pairs.jsonl), the model
    data = tmp_path/'data'; save_pair(data, 'x'); (data/'pairs.jsonl').write_text('{"before": "x.png"}\n')
    kept = {f: f.read_bytes() for f in data.iterdir()}
    for out in (data/'x.png', data/'pairs.json', broken/'model.safetensors'):
        assert 'which this run reads' in one_line_usage_error(run('--model_path', broken, '--input_dir', data, '--output_file', out))
    assert {f: f.read_bytes() for f in data.iterdir()} == kept and (broken/'model.safetensors').read_bytes() == b'truncated'

def test_killed_batch_resumes(ckpt, tmp_path):
    "A batch killed (SIGKILL) after its first results keeps them; --resume describes only the rest, each pair once"
    for i in range(12): save_pair(tmp_path/'in', f'p{i:02d}')
    out, log = tmp_path/'r.json', tmp_path/'r.jsonl'
    args = ['--model_path', ckpt, '--input_dir', tmp_path/'in', '--output_file', out, '--batch_size', '2', '--num_workers', '0']
    p = subprocess.Popen(CLI + list(map(str, args)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.time() + 120
    while not (log.exists() and log.read_text().count('\n') >= 2) and time.time() < deadline and p.poll() is None: time.sleep(0.02)
    p.send_signal(signal.SIGKILL); p.wait()
    kept = [json.loads(l)['name'] for l in log.read_text().splitlines()[1:]]
    assert 1 <= len(kept) < 12 and not out.exists(), kept
    r = run(*args, '--resume')
    assert r.returncode == EXIT_OK, r.stderr
    assert f'12 of 12 pairs described, 0 failed ({len(kept)} from the earlier run)' in r.stderr
    names = [json.loads(l).get('name') for l in log.read_text().splitlines()[1:]]
    assert sorted(names) == [f'p{i:02d}' for i in range(12)]               # every pair once: none described twice
    res = json.loads(out.read_text())
    assert [x['name'] for x in res['results']] == sorted(names) and all(x['clusters'][0]['bbox'] == [10, 20, 30, 40] for x in res['results'])

def test_resume_sees_changed_images_and_models(ckpt, tmp_path):
    "--resume describes again a pair whose images were replaced, and refuses a log written by other weights at the same path"
    from safetensors.torch import load_file, save_file
    for i in range(3): save_pair(tmp_path/'in', f'p{i}')
    model = tmp_path/'model'; shutil.copytree(ckpt, model)
    out = tmp_path/'r.json'
    args = ['--model_path', model, '--input_dir', tmp_path/'in', '--output_file', out, '--num_workers', '0']
    assert run(*args).returncode == EXIT_OK
    after = np.asarray(Image.open(tmp_path/'in'/'p1_2.png')).copy(); after[44:60, 44:60] = (20, 200, 20)
    Image.fromarray(after).save(tmp_path/'in'/'p1_2.png')                 # p1 now has a second change
    r = run(*args, '--resume')
    assert r.returncode == EXIT_OK, r.stderr
    assert '3 of 3 pairs described, 0 failed (2 from the earlier run) (1 changed since the earlier run: described again)' in r.stderr, r.stderr
    boxes = {x['name']: [c['bbox'] for c in x['clusters']] for x in json.loads(out.read_text())['results']}
    assert [44, 44, 60, 60] in boxes['p1'] and boxes['p0'] == [[10, 20, 30, 40]], boxes
    kept = {f.name: f.read_bytes() for f in tmp_path.iterdir() if f.is_file()}
    weights = load_file(model/'model.safetensors'); name = next(iter(weights))
    weights[name] = weights[name] + 1; save_file(weights, model/'model.safetensors')   # another model, the same path
    err = one_line_usage_error(run(*args, '--resume'))
    assert 'written by another model' in err, err
    assert {f.name: f.read_bytes() for f in tmp_path.iterdir() if f.is_file()} == kept   # the results untouched

def test_every_image_is_described_or_skipped_with_a_reason(tmp_path):
    "A pair named ..._diff, a difference map, two images of one name, a link loop, a subfolder: each described or named"
    d = tmp_path/'in'
    save_pair(d, 'p'); save_pair(d, 'foo_diff')
    Image.open(d/'p.png').save(d/'p_diff.png')                 # Spot-the-Diff's difference map of the pair p
    Image.open(d/'p.png').save(d/'p.jpg')                      # a second image named p
    (d/'loop.png').symlink_to(d/'loop.png'); save_pair(d/'sub', 'q')
    r = run('--detector_only', '--input_dir', d, '--output_file', tmp_path/'r.json')
    assert r.returncode == EXIT_OK and '4 files skipped (skipped_files says why)' in r.stderr, r.stderr
    res = json.loads((tmp_path/'r.json').read_text())
    assert [(x['name'], x['ok']) for x in res['results']] == [('foo_diff', True), ('p', True)]
    reasons = {Path(s['path']).name: s['reason'] for s in res['skipped_files']}
    assert reasons == {'loop.png': 'a link that leads nowhere (a loop, or its target is gone)',
                       'p.jpg': 'another image of the same name is used: p.png',
                       'p_diff.png': 'the difference map of the pair p (Spot-the-Diff layout)',
                       'sub': 'a folder: only the images directly inside the input folder are read'}, reasons
    described = {Path(x[k]).name for x in res['results'] for k in ('before', 'after')}
    assert described | set(reasons) == {f.name for f in d.iterdir()}                  # nothing vanished
    # both layouts in one folder: one line before any work, nothing written
    save_pair(tmp_path/'both', 'x', 'before/x.png', 'after/x.png'); save_pair(tmp_path/'both', 'y')
    err = one_line_usage_error(run('--detector_only', '--input_dir', tmp_path/'both', '--output_file', tmp_path/'b.json'))
    assert 'holds both layouts' in err and 'y.png' in err and not (tmp_path/'b.json').exists(), err

def _children(pid):
    return [int(c) for c in Path(f'/proc/{pid}/task/{pid}/children').read_text().split()]

def _gone(pid):
    "Ended: no such process, or a zombie waiting for its new parent to reap it (its memory freed)"
    try: return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] == 'Z'
    except FileNotFoundError: return True

@pytest.mark.skipif(not Path('/proc/self/task').is_dir(), reason='reads process children from /proc (Linux)')
@pytest.mark.parametrize('how', ['SIGKILL', 'SIGTERM'])
def test_killed_run_takes_its_workers_along(ckpt, tmp_path, how):
    "SIGKILL or SIGTERM of a folder run: no worker process is left; SIGTERM ends like Ctrl-C, with the resume hint"
    for i in range(40): save_pair(tmp_path/'in', f'p{i:02d}')
    out, log = tmp_path/'r.json', tmp_path/'r.jsonl'
    args = ['--model_path', ckpt, '--input_dir', tmp_path/'in', '--output_file', out, '--batch_size', '2', '--num_workers', '2']
    p = subprocess.Popen(CLI + list(map(str, args)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    deadline, workers = time.time() + 120, []
    while time.time() < deadline and p.poll() is None and not (len(workers) == 2 and log.exists() and log.read_text().count('\n') >= 2):
        workers = _children(p.pid); time.sleep(0.02)
    assert len(workers) == 2 and p.poll() is None, (workers, p.poll())
    p.send_signal(getattr(signal, how)); _, err = p.communicate(timeout=60)
    deadline = time.time() + 15
    while time.time() < deadline and not all(map(_gone, workers)): time.sleep(0.1)
    assert all(map(_gone, workers)), f"workers left running after {how}: {[w for w in workers if not _gone(w)]}"
    if how == 'SIGTERM':
        assert p.returncode == 130 and 'interrupted' in err and '--resume' in err and 'Traceback' not in err, (p.returncode, err[-2000:])
        r = run(*args, '--resume')
        assert r.returncode == EXIT_OK and '40 of 40 pairs described' in r.stderr, r.stderr

def _file_size_limit(n):
    "For preexec_fn: no file this process writes may grow past n bytes (EFBIG, as a full disk's ENOSPC: no room)"
    import resource
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))

def test_no_room_is_one_line_and_keeps_what_was_written(ckpt, tmp_path):
    "A disk that takes no more mid-run: one line, exit 3, the log whole up to there; --resume then finishes the rest"
    for i in range(12): save_pair(tmp_path/'in', f'p{i:02d}')
    out, log = tmp_path/'r.json', tmp_path/'r.jsonl'
    args = ['--model_path', ckpt, '--input_dir', tmp_path/'in', '--output_file', out, '--num_workers', '0']
    r = subprocess.run(CLI + list(map(str, args + ['--no_progress'])), capture_output=True, text=True, timeout=300, env=ENV,
                       preexec_fn=_file_size_limit(6000))
    assert r.returncode == 3 and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr, (r.returncode, r.stderr[-2000:])
    assert 'cannot write: File too large' in r.stderr and '--resume' in r.stderr, r.stderr
    assert 0 < log.stat().st_size <= 6000 and not out.exists()
    r = run(*args, '--resume')
    assert r.returncode == EXIT_OK and '12 of 12 pairs described, 0 failed (' in r.stderr, r.stderr
    assert sorted(x['name'] for x in json.loads(out.read_text())['results']) == [f'p{i:02d}' for i in range(12)]

def png_claiming(path, w, h):
    "A tiny PNG whose header claims w x h pixels"
    chunk = lambda kind, data: struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    path.write_bytes(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                     + chunk(b'IDAT', zlib.compress(b'\0' * 16)) + chunk(b'IEND', b''))

def test_large_photo_and_bomb(tmp_path):
    "A 4000x3000 photo is detected at the working resolution with its box in the photo's pixels; a bomb is its pair's error"
    d = tmp_path/'in'; d.mkdir()
    rng = np.random.default_rng(0)
    photo = np.repeat(np.repeat(rng.integers(90, 110, (300, 400, 3), dtype=np.uint8), 10, 0), 10, 1)
    changed = photo.copy(); changed[900:1200, 1200:1600] = (230, 40, 40)
    Image.fromarray(photo).save(d/'photo.jpg', quality=95); Image.fromarray(changed).save(d/'photo_2.jpg', quality=95)
    png_claiming(d/'bomb.png', 40000, 40000); Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(d/'bomb_2.png')
    r = run('--detector_only', '--input_dir', d, '--output_file', tmp_path/'r.json')
    assert r.returncode == EXIT_SOME_FAILED, r.stderr
    by_name = {x['name']: x for x in json.loads((tmp_path/'r.json').read_text())['results']}
    assert by_name['photo']['size'] == [4000, 3000]
    x0, y0, x1, y1 = by_name['photo']['clusters'][0]['bbox']
    assert 1192 <= x0 <= 1200 and 892 <= y0 <= 900 and 1600 <= x1 <= 1608 and 1200 <= y1 <= 1208, (x0, y0, x1, y1)
    assert 'bomb.png' in by_name['bomb']['error'] and 'more than the limit' in by_name['bomb']['error']

def test_model_detector_settings_are_used(tmp_path):
    "A model saved with max_clusters=1 is shown one cluster; the detector alone, without its settings, finds both changes"
    import torch
    from tblip2.detector import DetectorConfig
    from tblip2.model import DiffBLIP2Config, EnhancedDiffBLIP2, SAMPLE_CAPTIONS, tiny_blip2, train_caption_tokenizer
    torch.manual_seed(0)
    blip2, processor = tiny_blip2(train_caption_tokenizer(SAMPLE_CAPTIONS * 4, 300), image_size=32)
    one = EnhancedDiffBLIP2(blip2, processor, DiffBLIP2Config(detector=DetectorConfig(max_clusters=1))).save_pretrained(tmp_path/'one')
    rng = np.random.default_rng(0)
    before = rng.integers(90, 110, (64, 64, 3), dtype=np.uint8)
    after = before.copy(); after[5:25, 5:25] = (230, 40, 40); after[40:60, 40:60] = (40, 40, 230)
    Image.fromarray(before).save(tmp_path/'two.png'); Image.fromarray(after).save(tmp_path/'two_2.png')
    pair = ['--image1', tmp_path/'two.png', '--image2', tmp_path/'two_2.png', '--json']
    r = run('--model_path', one, *pair)
    assert r.returncode == EXIT_OK, r.stderr
    assert len(json.loads(r.stdout)['clusters']) == 1
    assert len(json.loads(run('--detector_only', *pair).stdout)['clusters']) == 2

def test_two_runs_on_one_output(ckpt, tmp_path):
    "A second run on the output file a first one is writing stops at once with one line; the first ends whole"
    for i in range(6): save_pair(tmp_path/'in', f'p{i:02d}')
    out = tmp_path/'r.json'
    args = ['--model_path', ckpt, '--input_dir', tmp_path/'in', '--output_file', out, '--num_workers', '0']
    first = subprocess.Popen(CLI + list(map(str, args)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    lock = tmp_path/'r.jsonl.lock'
    try:
        deadline = time.time() + 120
        # taken: made, then its holder written into it (stopped in between, the lock would look abandoned in 5 s)
        taken = lambda: lock.exists() and '"pid"' in lock.read_text()
        while not taken() and time.time() < deadline and first.poll() is None: time.sleep(0.01)
        assert taken(), "the first run never took its lock"
        first.send_signal(signal.SIGSTOP)                          # held mid-run, so the second surely meets it
        second = run(*args, '--detector_only')
        assert second.returncode == EXIT_USAGE and second.stderr.strip().count('\n') == 0, second.stderr
        assert f'in use by process {first.pid}' in second.stderr and 'Traceback' not in second.stderr, second.stderr
        first.send_signal(signal.SIGCONT)
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None: first.kill(); first.wait()
    assert first.returncode == EXIT_OK and '6 of 6 pairs described, 0 failed' in err, err
    res = json.loads(out.read_text())
    assert [r['name'] for r in res['results']] == [f'p{i:02d}' for i in range(6)] and not lock.exists()

def test_a_strip_too_thin_once_shrunk_names_max_side(tmp_path):
    "A 10x5000 pair: its error gives its own size, what shrinking makes of it and the --max_side that would do"
    d = tmp_path/'in'; d.mkdir()
    strip = np.full((5000, 10, 3), 100, np.uint8); changed = strip.copy(); changed[2000:2100] = (230, 40, 40)
    Image.fromarray(strip).save(d/'strip.png'); Image.fromarray(changed).save(d/'strip_2.png')
    r = run('--detector_only', '--input_dir', d, '--output_file', tmp_path/'r.json')
    assert r.returncode == EXIT_SOME_FAILED, r.stderr
    err = json.loads((tmp_path/'r.json').read_text())['results'][0]['error']
    assert '10x5000 px shrinks to 2x1024 px at max_side 1024' in err and '--max_side 4000' in err, err
    r = run('--detector_only', '--input_dir', d, '--output_file', tmp_path/'r.json', '--max_side', '4000')
    assert r.returncode == EXIT_OK, r.stderr

def test_describe_images_takes_what_a_user_has(tmp_path):
    "describe_images, in a fresh Python: paths and PIL images as well as arrays; None and a 0x0 array a ValueError naming the side"
    save_pair(tmp_path, 'x')
    code = f"""
import numpy as np
from PIL import Image
from tblip2.describe import describe_images
b, a = {str(tmp_path/'x.png')!r}, {str(tmp_path/'x_2.png')!r}
print([describe_images(*p)[0].boxes.tolist() for p in [(b, a), (Image.open(b), Image.open(a)), (np.asarray(Image.open(b)), a)]])
for bad in (None, np.zeros((0, 0, 3), np.uint8)):
    try: describe_images(b, bad)
    except ValueError as e: print(e)
"""
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120, env=ENV)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.splitlines() == ['[[[10, 20, 30, 40]], [[10, 20, 30, 40]], [[10, 20, 30, 40]]]', 'after: no image (None)',
                                     'after: 0x0 px is too small (min_side=8)'], r.stdout

def test_the_field_s_layouts_and_plain_arguments(ckpt, tmp_path):
    "BEFORE AFTER as two arguments, LEVIR-CD's A/ + B/ read and named, no pairs or a folder for an image one line and exit 2"
    save_pair(tmp_path/'levir', 'tile', 'A/tile.png', 'B/tile.png')
    r = run('--detector_only', '--input_dir', tmp_path/'levir', '--output_file', tmp_path/'r.json')
    assert r.returncode == EXIT_OK and 'layout: A/ + B/' in r.stderr and '1 of 1 pairs described' in r.stderr, r.stderr
    assert json.loads((tmp_path/'r.json').read_text())['results'][0]['clusters'][0]['bbox'] == [10, 20, 30, 40]
    r = run('--detector_only', tmp_path/'levir'/'A'/'tile.png', tmp_path/'levir'/'B'/'tile.png')
    assert r.returncode == EXIT_OK and 'box [10, 20, 30, 40]' in r.stdout, r.stderr
    (tmp_path/'empty').mkdir()
    assert 'no pairs in' in one_line_usage_error(run('--detector_only', '--input_dir', tmp_path/'empty'))
    assert 'is a folder: give an image, or --input_dir' in one_line_usage_error(
        run('--detector_only', '--image1', tmp_path/'levir'/'A', '--image2', tmp_path/'levir'/'B'/'tile.png'))
    assert 'not both' in one_line_usage_error(run('--detector_only', tmp_path/'x.png', tmp_path/'y.png', '--image1', tmp_path/'x.png'))
    # --detector_only with a model: the model's own detector settings (here one cluster at most)
    model = tmp_path/'model'; shutil.copytree(ckpt, model)
    config = json.loads((model/'diffblip2_config.json').read_text()); config['diffblip2']['detector']['max_clusters'] = 1
    (model/'diffblip2_config.json').write_text(json.dumps(config))
    save_pair(tmp_path/'two', 'p'); after = np.asarray(Image.open(tmp_path/'two'/'p_2.png')).copy()
    after[44:60, 44:60] = (20, 200, 20); Image.fromarray(after).save(tmp_path/'two'/'p_2.png')
    pair = [tmp_path/'two'/'p.png', tmp_path/'two'/'p_2.png']
    n = lambda *extra: len(json.loads(run('--detector_only', '--json', *pair, *extra).stdout)['clusters'])
    assert (n(), n('--model_path', model)) == (2, 1)

def test_one_schema_and_the_per_change_hint(ckpt, tmp_path):
    "The JSON has the same keys, and `descriptions` holds sentences, whatever the flags; text output numbers the regions"
    rng = np.random.default_rng(3)
    before = rng.integers(90, 110, (96, 96, 3), dtype=np.uint8)
    after = before.copy(); after[10:30, 10:30] = (230, 40, 40); after[60:85, 55:80] = (40, 40, 230)
    Image.fromarray(before).save(tmp_path/'two.png'); Image.fromarray(after).save(tmp_path/'two_2.png')
    pair = [tmp_path/'two.png', tmp_path/'two_2.png', '--model_path', ckpt]
    results = {}
    for flags in ((), ('--per_change',), ('--detector_only',)):
        r = run(*pair, '--json', *flags)
        assert r.returncode == EXIT_OK, r.stderr
        results[flags] = json.loads(r.stdout)
    keys = {tuple(sorted(res)) for res in results.values()}
    assert len(keys) == 1 and 'changes' in next(iter(keys)), keys
    for flags, res in results.items():
        assert all(isinstance(d, str) for d in res['descriptions']), (flags, res['descriptions'])
    assert len(results[()]['clusters']) == 2 and results[()]['changes'] == [], results[()]
    per = results[('--per_change',)]
    assert [d['region'] for d in per['changes']] and all(d['region'] in (1, 2) for d in per['changes']), per['changes']
    assert all(d['bbox'] == list(per['clusters'][d['region'] - 1]['bbox']) for d in per['changes'])
    text = run(*pair).stdout
    assert 'region 1: box [' in text and 'region 2: box [' in text, text
    assert 'one sentence for all 2 regions: --per_change gives one sentence per region' in text, text
    assert 'by Otsu' in text or 'by percentile fallback' in text, text
    assert '--per_change' not in run(*pair, '--per_change').stdout
    assert "x1, y1 exclusive" in run('--help').stdout

def sequence_frames():
    "Four frames: a red square appears in the second and leaves in the fourth; a blue one turns green in the third"
    f0 = np.random.default_rng(5).integers(90, 110, (64, 64, 3), dtype=np.uint8); f0[40:56, 40:56] = (40, 40, 200)
    f1 = f0.copy(); f1[8:24, 8:24] = (230, 40, 40)
    f2 = f1.copy(); f2[40:56, 40:56] = (40, 200, 40)
    f3 = f2.copy(); f3[8:24, 8:24] = f0[8:24, 8:24]
    return [f0, f1, f2, f3]

def test_sequence_step_by_step(ckpt, tmp_path):
    "`tblip2_diff --sequence DIR`: one entry per step (both names, sentences, clusters) and the tracks; --order time"
    d = tmp_path/'site'; d.mkdir()
    for i, f in enumerate(sequence_frames()): Image.fromarray(f).save(d/f'week{i + 1}.png')
    r = run('--sequence', d, '--model_path', ckpt)
    assert r.returncode == EXIT_OK, r.stderr
    out = json.loads(r.stdout)
    assert [(s['before'], s['after']) for s in out['steps']] == [('week1.png', 'week2.png'), ('week2.png', 'week3.png'),
                                                                 ('week3.png', 'week4.png')]
    assert all(s['ok'] and s['clusters'] and isinstance(s['descriptions'][0], str) for s in out['steps']), out['steps']
    assert out['image_encodings'] == 4 and any(t['steps'] == [0, 2] for t in out['tracks']), out['tracks']
    assert '4 images (name order), 3 of 3 steps described' in r.stderr, r.stderr
    # taken in the other order than their names: --order time follows the camera's clock
    t = tmp_path/'timed'; t.mkdir()
    for i, f in enumerate(sequence_frames()):
        exif = Image.Exif(); exif[306] = f'2026:01:0{i + 1} 10:00:00'
        Image.fromarray(f).save(t/f'shot{4 - i}.jpg', exif=exif, quality=95)
    out = json.loads(run('--sequence', t, '--order', 'time', '--detector_only').stdout)
    assert out['images'] == ['shot4.jpg', 'shot3.jpg', 'shot2.jpg', 'shot1.jpg'], out['images']
    Image.fromarray(sequence_frames()[0]).save(t/'noexif.png')
    r = run('--sequence', t, '--order', 'time', '--detector_only')
    assert r.returncode == EXIT_USAGE and 'noexif.png: no EXIF time' in r.stderr, r.stderr
    (d/'lonely').mkdir(); r = run('--sequence', d/'lonely', '--detector_only')
    assert r.returncode == EXIT_USAGE and 'two images or more, found 0' in r.stderr, r.stderr
    out_file = tmp_path/'seq.json'
    r = run('--sequence', d, '--model_path', ckpt, '--output_file', out_file)
    assert r.returncode == EXIT_OK and json.loads(out_file.read_text())['n_images'] == 4, r.stderr
    first = json.loads(out_file.read_text())
    r = run('--sequence', d, '--model_path', ckpt, '--output_file', out_file, '--resume')    # resumable like folders
    assert r.returncode == EXIT_OK and '(3 steps from the earlier run)' in r.stderr, r.stderr
    again = json.loads(out_file.read_text())
    assert again['steps'] == first['steps'] and again['image_encodings'] == 0, again
    r = run('--sequence', d, '--detector_only', '--output_file', out_file, '--resume')        # another model: refused
    assert r.returncode == EXIT_USAGE and 'another model' in r.stderr, r.stderr
