"""Training as a user runs it: the console script killed mid-epoch and rerun, two data-parallel
processes, and the notebook through papermill."""
import json, os, re, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
from test_datasets_cli import console_script

ROOT = Path(__file__).resolve().parents[1]
TINY = ['--synthetic_pairs', '[48, 8, 8]', '--batch_size', '8', '--eval_samples', '8', '--max_test_samples', '8',
        '--log_every', '2', '--tiny_width', '32', '--image_size', '32', '--lm_tuning', 'full', '--freeze_vision', 'false']

def train_cmd(tmp, *extra):
    return [console_script('tblip2_train'), *TINY, '--data_dir', str(tmp/'data'), '--run_dir', str(tmp/'run'),
            '--checkpoint_dir', str(tmp/'ckpt'), *map(str, extra)]

def run(cmd, timeout=600, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout + r.stderr

def digests(log):
    return dict(re.findall(r'rank (\d+): \d+ steps, weights (\w+)', log))

def test_sigkill_mid_epoch_then_resume(tmp_path):
    epochs = 4
    # the same run, uninterrupted, for reference
    ref = digests(run(train_cmd(tmp_path/'ref', '--num_epochs', epochs)))
    # killed after two complete epochs, in the middle of the third
    p = subprocess.Popen(train_cmd(tmp_path/'cut', '--num_epochs', epochs), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    info = tmp_path/'cut'/'ckpt'/'latest'/'info.json'
    deadline = time.time() + 400
    while time.time() < deadline and p.poll() is None:
        try:
            if json.loads(info.read_text())['epoch'] >= 2: break
        except (OSError, ValueError): pass
        time.sleep(0.05)
    time.sleep(0.2)  # into the third epoch
    assert p.poll() is None, "the run finished before it could be killed: make it longer"
    p.send_signal(signal.SIGKILL); p.wait()
    assert json.loads(info.read_text())['epoch'] < epochs, "killed too late: the run had finished training"
    log = run(train_cmd(tmp_path/'cut', '--num_epochs', epochs))
    assert 'resumed from' in log
    history = json.loads((tmp_path/'cut'/'run'/'history.json').read_text())
    ref_history = json.loads((tmp_path/'ref'/'run'/'history.json').read_text())
    assert history['step'] == ref_history['step'] == epochs * 6, (history['step'], ref_history['step'])
    assert history['epoch'] == epochs
    assert digests(log) == ref, "the resumed run should end with exactly the weights of the uninterrupted one"
    # the best model is complete and loads
    from tblip2.model import EnhancedDiffBLIP2
    model = EnhancedDiffBLIP2.from_pretrained(tmp_path/'cut'/'ckpt'/'best')
    assert all(isinstance(c, str) for c in model.generate([np.zeros((32, 32, 3), np.uint8)] * 2, [np.full((32, 32, 3), 200, np.uint8)] * 2, max_new_tokens=5))
    assert (tmp_path/'cut'/'run'/'test_predictions.json').is_file()

def test_two_processes_train_together(tmp_path):
    run(train_cmd(tmp_path, '--num_epochs', 1, '--num_processes', 2))
    # each rank writes what it holds at the end; read the files, not the interleaved output of two processes
    log = ''.join(p.read_text() for p in sorted((tmp_path/'run').glob('weights-rank*.txt')))
    d = digests(log)
    assert set(d) == {'0', '1'}, log
    assert d['0'] == d['1'], f"ranks disagree after training: {d}"
    steps = re.findall(r'rank \d+: (\d+) steps', log)
    assert steps == ['3', '3'], steps  # 48 pairs / (8 per process x 2 processes)

def test_papermill_headless(tmp_path):
    out = tmp_path/'run'/'train.ipynb'
    out.parent.mkdir(parents=True)  # papermill does not create the output folder
    cmd = [sys.executable, '-m', 'papermill', str(ROOT/'nbs'/'04_train.ipynb'), str(out), '-k', 'python3', '--cwd', str(ROOT), '--no-progress-bar', '--log-output',
           '-p', 'data_dir', str(tmp_path/'data'), '-p', 'run_dir', str(tmp_path/'run'), '-p', 'checkpoint_dir', str(tmp_path/'ckpt'),
           '-p', 'synthetic_pairs', '[24, 8, 8]', '-p', 'num_epochs', '1', '-p', 'image_size', '32',
           '-p', 'use_diff_features', 'False', '-p', 'max_clusters', '2', '-p', 'lm_tuning', 'lora']  # a model and a detector switch
    env = {**os.environ, 'TBLIP2_PROGRESS': 'lines'}
    log = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert log.returncode == 0, log.stderr[-3000:]
    assert '\r' not in log.stdout + log.stderr, "progress bars should write lines into papermill's log"
    saved = json.loads((tmp_path/'ckpt'/'best'/'diffblip2_config.json').read_text())['diffblip2']
    assert (saved['use_diff_features'], saved['detector']['max_clusters'], saved['lm_tuning']) == (False, 2, 'lora'), saved
    for name in ('train.ipynb', 'history.json', 'history.png', 'examples.png', 'test_scores.json', 'test_predictions.json', 'test_table.md'):
        assert (tmp_path/'run'/name).is_file(), name
    nb = json.loads(out.read_text())
    assert any('injected-parameters' in c['metadata'].get('tags', []) for c in nb['cells'])

def test_user_errors_are_one_line_and_keep_the_data(tmp_path):
    "A data folder holding a synthetic set made with other settings is kept, and the run stops with one line; so does testing with no model"
    from tblip2.datasets import make_synthetic_dataset, folder_digest
    data = make_synthetic_dataset(tmp_path/'data', 4, 2, 2, seed=3, progress=False)
    (data/'mine.txt').write_text('keep me'); before = folder_digest(data)
    r = subprocess.run(train_cmd(tmp_path, '--num_epochs', '1'), capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 2 and 'Traceback' not in r.stderr and r.stderr.strip().count('\n') == 0, (r.returncode, r.stderr[-2000:])
    assert 'other settings' in r.stderr and 'seed: 3 -> 0' in r.stderr, r.stderr
    assert folder_digest(data) == before and (data/'mine.txt').read_text() == 'keep me'
    r = subprocess.run(train_cmd(tmp_path, '--mode', 'test'), capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 2 and 'Traceback' not in r.stderr and 'no trained model' in r.stderr, r.stderr[-2000:]

def test_second_run_on_the_same_folders_stops(tmp_path):
    "Two runs on one run folder: the second stops at once with one line naming the first, which goes on and owns what is on disk"
    first = subprocess.Popen(train_cmd(tmp_path, '--num_epochs', '50'), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = tmp_path/'ckpt'/'.tblip2-run.lock'
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not lock.exists() and first.poll() is None: time.sleep(0.05)
        assert lock.exists(), "the first run never took its lock"
        r = subprocess.run(train_cmd(tmp_path, '--num_epochs', '1', '--learning_rate', '0.01'), capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert r.returncode == 2 and 'Traceback' not in r.stderr and r.stderr.strip().count('\n') == 0, (r.returncode, r.stderr[-2000:])
        assert f'in use by process {first.pid}' in r.stderr, r.stderr
        assert first.poll() is None, "the first run should still be training"
    finally:
        first.send_signal(signal.SIGKILL); first.wait()
    # the killed run's lock is stale now: a rerun takes it over and resumes
    log = run(train_cmd(tmp_path, '--num_epochs', '1'))
    assert 'which is gone: taking it over' in log and not lock.exists(), log[-2000:]
    # a run holds its folders through its test and reports too: a run started meanwhile stops at once
    tester = subprocess.Popen(train_cmd(tmp_path, '--mode', 'test'), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not lock.exists() and tester.poll() is None: time.sleep(0.02)
        assert lock.exists(), "the test run never took its lock"
        tester.send_signal(signal.SIGSTOP)                    # held mid-test, so the second run surely meets it
        r = subprocess.run(train_cmd(tmp_path, '--num_epochs', '2'), capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert r.returncode == 2 and r.stderr.strip().count('\n') == 0 and f'in use by process {tester.pid}' in r.stderr, (r.returncode, r.stderr[-2000:])
        tester.send_signal(signal.SIGCONT)
        out, _ = tester.communicate(timeout=300)
        assert tester.returncode == 0 and 'CIDEr-D' in out, out[-2000:]
    finally:
        if tester.poll() is None: tester.kill(); tester.wait()
    assert not lock.exists()

def test_damaged_checkpoints_are_named_not_used(tmp_path):
    "A flipped byte in the best model or in latest: testing and resuming stop with one line naming the file, never train over it"
    run(train_cmd(tmp_path, '--num_epochs', '1'))
    for folder, mode in (('best', 'test'), ('latest/model', 'train')):
        weights = tmp_path/'ckpt'/folder/'model.safetensors'
        raw = bytearray(weights.read_bytes()); raw[-5] ^= 0xFF; weights.write_bytes(bytes(raw))
        r = subprocess.run(train_cmd(tmp_path, '--num_epochs', '2', '--mode', mode), capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert r.returncode == 2 and 'Traceback' not in r.stderr, (mode, r.returncode, r.stderr[-2000:])
        assert f'{folder}/model.safetensors' in r.stdout + r.stderr, r.stdout[-1000:] + r.stderr[-1000:]
    assert not (tmp_path/'ckpt'/'epoch-0002').exists() and json.loads((tmp_path/'ckpt'/'latest'/'info.json').read_text())['epoch'] == 1

def test_resume_with_changed_settings(tmp_path):
    "A new learning rate on resume is in effect from the next step (the history says so); a new architecture is refused, one line"
    run(train_cmd(tmp_path/'a', '--num_epochs', '1', '--learning_rate', '0.001'))
    log = run(train_cmd(tmp_path/'a', '--num_epochs', '2', '--learning_rate', '0.01'))
    assert 'resuming with new settings' in log and 'learning_rate 0.001 -> 0.01' in log, log[-2000:]
    ref = run(train_cmd(tmp_path/'b', '--num_epochs', '2', '--learning_rate', '0.01')) and json.loads((tmp_path/'b'/'run'/'history.json').read_text())['history']
    got = json.loads((tmp_path/'a'/'run'/'history.json').read_text())['history']
    change = got['changes'][0]
    assert change['changed']['learning_rate'] == [0.001, 0.01] and change['changed']['num_epochs'] == [1, 2]
    after = {s['step']: s['lr'] for s in got['steps'] if s['step'] > change['step']}
    assert after and all(np.isclose(after[s['step']], s['lr']) for s in ref['steps'] if s['step'] in after), (after, ref['steps'])
    r = subprocess.run(train_cmd(tmp_path/'a', '--num_epochs', '3', '--tiny_width', '64'), capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 2 and 'Traceback' not in r.stderr and 'cannot resume with other tiny_width (was 32, now 64)' in r.stderr, r.stderr[-2000:]
    # the annotations edited (a pair fewer): the run says so and stops, its checkpoints untouched
    ann = tmp_path/'a'/'data'/'annotations'/'train.json'
    entries = json.loads(ann.read_text()); first = entries[0]['img_id']
    ann.write_text(json.dumps([e for e in entries if e['img_id'] != first]))
    before = (tmp_path/'a'/'ckpt'/'latest'/'info.json').read_text()
    r = subprocess.run(train_cmd(tmp_path/'a', '--num_epochs', '3'), capture_output=True, text=True, timeout=300, cwd=ROOT)
    last = r.stderr.strip().splitlines()[-1]   # after the data's progress bars
    assert r.returncode == 2 and 'Traceback' not in r.stderr and last.startswith('tblip2_train: error: cannot resume: the training data changed since the run began (48 pairs then, 47 now)'), r.stderr[-2000:]
    assert (tmp_path/'a'/'ckpt'/'latest'/'info.json').read_text() == before

def test_unwritable_run_folder_is_found_first(tmp_path):
    "A run folder that cannot be made (its parent is a file) stops the run with one line before any data is made"
    (tmp_path/'file.txt').write_text('not a folder')
    cmd = [console_script('tblip2_train'), *TINY, '--data_dir', str(tmp_path/'data'), '--run_dir', str(tmp_path/'file.txt'/'run'),
           '--checkpoint_dir', str(tmp_path/'ckpt'), '--num_epochs', '1']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 2 and 'Traceback' not in r.stderr and 'file.txt' in r.stderr, (r.returncode, r.stderr[-2000:])
    assert not (tmp_path/'data').exists() and not (tmp_path/'ckpt'/'.tblip2-run.lock').exists()

def test_no_room_at_a_checkpoint_is_one_line(tmp_path):
    "A checkpoint the disk cannot take (here a file-size limit: EFBIG, like a full disk's ENOSPC): one line, exit 3, no half folder"
    from test_cli import _file_size_limit
    r = subprocess.run(train_cmd(tmp_path, '--num_epochs', '1'), capture_output=True, text=True, timeout=300, cwd=ROOT,
                       preexec_fn=_file_size_limit(300_000))
    last = r.stderr.strip().splitlines()[-1]                               # after the progress bars
    assert r.returncode == 3 and 'Traceback' not in r.stderr, (r.returncode, r.stderr[-2000:])
    assert last.startswith('tblip2_train: error: cannot write: File too large') and 'run the same command again' in last, last
    assert not [p for p in (tmp_path/'ckpt').iterdir() if '.tmp-' in p.name or '.old-' in p.name], list((tmp_path/'ckpt').iterdir())
    assert not (tmp_path/'ckpt'/'.tblip2-run.lock').exists()            # the lock went with the run

def test_config_file_and_check(tmp_path):
    "`--config nbs/demo.yaml --check`: the console script reads the file, checks, says what a run would use, writes nothing"
    cmd = [console_script('tblip2_train'), '--config', str(ROOT/'nbs'/'demo.yaml'), '--check',
           '--data_dir', str(tmp_path/'data'), '--run_dir', str(tmp_path/'run'), '--checkpoint_dir', str(tmp_path/'ckpt')]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith('tblip2_train: ok: the synthetic set, to be generated in'), (r.stdout, r.stderr[-2000:])
    assert not list(tmp_path.iterdir()), list(tmp_path.iterdir())
    r = subprocess.run(cmd + ['--batch_size', '0'], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2 and 'batch_size' in r.stderr, r.stderr

def test_t5_family_trains_saves_and_describes(tmp_path):
    "The tiny FLAN-T5-style BLIP-2 (`model_name tiny-t5`) through tblip2_train, then its best model in tblip2_diff"
    out = run(train_cmd(tmp_path, '--model_name', 'tiny-t5', '--synthetic_pairs', '[16, 4, 4]', '--lm_tuning', 'lora'))
    assert 'CIDEr-D' in out, out[-2000:]
    saved = json.loads((tmp_path/'ckpt'/'best'/'diffblip2_config.json').read_text())
    assert saved['blip2']['text_config']['model_type'] == 't5' and saved['diffblip2']['lm_tuning'] == 'lora'
    before, after = tmp_path/'data'/'resized_images'/'0.png', tmp_path/'data'/'resized_images'/'0_2.png'
    r = subprocess.run([console_script('tblip2_diff'), str(before), str(after), '--model_path', str(tmp_path/'ckpt'/'best'),
                        '--json'], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout)
    assert isinstance(result, dict) and result.get('descriptions'), result

def test_vision_cache_gives_the_same_weights(tmp_path):
    "The same run with and without `cache_vision` (frozen ViT) ends with the same weights, bit for bit"
    small = ['--synthetic_pairs', '[16, 4, 4]', '--freeze_vision', 'true', '--num_epochs', '2']
    logs = {}
    for cache in ('false', 'true'):
        cmd = [console_script('tblip2_train'), *TINY, *small, '--cache_vision', cache, '--data_dir', str(tmp_path/'data'),
               '--run_dir', str(tmp_path/f'run-{cache}'), '--checkpoint_dir', str(tmp_path/f'ckpt-{cache}')]
        logs[cache] = run(cmd, env={'OMP_NUM_THREADS': '1', 'TBLIP2_PORTABLE': '0'})  # kernels that give an image the same
        # tokens whatever its batch (nbs/04_train.ipynb)
    assert len(list((tmp_path/'data'/'.tblip2-cache'/'vision').glob('*.safetensors'))) == 16
    without, with_cache = digests(logs['false']), digests(logs['true'])
    assert without and without == with_cache, (without, with_cache)
