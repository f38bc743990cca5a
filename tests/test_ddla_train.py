"""`tblip2_train --architecture ddla`: the DDLA baseline trains, resumes and tests like the T-BLIP2 model, its checkpoint
names its architecture, and every run logs its losses to TensorBoard through Accelerate's tracker (`log_with`)."""
import json, subprocess
from pathlib import Path
from test_datasets_cli import console_script
from test_train_runs import run

TINY = ['--architecture', 'ddla', '--synthetic_pairs', '[16, 8, 8]', '--image_size', '32', '--tiny_width', '16', '--batch_size', '8',
        '--eval_samples', '8', '--max_test_samples', '8', '--log_every', '1', '--new_parts_lr_scale', '1']

def ddla_cmd(tmp, *extra):
    return [console_script('tblip2_train'), *TINY, '--data_dir', str(tmp/'data'), '--run_dir', str(tmp/'run'),
            '--checkpoint_dir', str(tmp/'ckpt'), *map(str, extra)]

def scalars(folder:Path) -> dict:
    "`{tag: [(step, value)]}` of the scalars in every TensorBoard events file below `folder`"
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    out = {}
    for f in sorted(folder.rglob('events.out.tfevents.*')):
        acc = EventAccumulator(str(f)); acc.Reload()
        for tag in acc.Tags()['scalars']: out.setdefault(tag, []).extend((e.step, e.value) for e in acc.Scalars(tag))
    return out

def test_ddla_trains_resumes_tests_and_logs(tmp_path, monkeypatch):
    monkeypatch.setenv('OMP_NUM_THREADS', '1')  # tiny ops: on a busy machine two threads per process wait on each other (bench/compare.py)
    log = run(ddla_cmd(tmp_path, '--num_epochs', 1))
    assert 'tblip2 (this run)' in log and 'CIDEr-D' in log, log[-2000:]    # trained, then tested
    assert json.loads((tmp_path/'ckpt'/'best'/'diffblip2_config.json').read_text())['architecture'] == 'ddla'
    tb = scalars(tmp_path/'run'/'tensorboard')
    assert {'train/loss', 'train/lm_loss', 'train/lr', 'val/CIDEr-D', 'val/lm_gap'} <= set(tb), sorted(tb)
    assert [s for s, _ in tb['train/loss']] == [1, 2] and all(v > 0 for _, v in tb['train/loss']), tb['train/loss']
    events = sorted((tmp_path/'run'/'tensorboard').rglob('events.out.tfevents.*'))
    # one more epoch: resumed from the checkpoint (not started over), with the tracker switched off
    log = run(ddla_cmd(tmp_path, '--num_epochs', 2, '--log_with', 'none'))
    assert 'resumed from' in log and '1 epochs, 2 steps done' in log, log[-2000:]
    history = json.loads((tmp_path/'run'/'history.json').read_text())
    assert [e['epoch'] for e in history['history']['epochs']] == [0, 1] and history['config']['architecture'] == 'ddla'
    assert sorted((tmp_path/'run'/'tensorboard').rglob('events.out.tfevents.*')) == events   # log_with none: nothing new
    # ... and tested the model again: the same evaluation as T-BLIP2's, one sentence per change included
    scores = json.loads((tmp_path/'run'/'test_scores.json').read_text())
    assert scores['tblip2 (this run)']['CIDEr-D'] >= 0 and 'every change' in scores, list(scores)
    changes = json.loads((tmp_path/'run'/'test_changes.json').read_text())
    assert len(changes) == 8 and all(isinstance(c, list) and c for c in changes.values())
    # ... and `tblip2_diff` describes a pair with it, like any model (load_model reads the architecture)
    data = tmp_path/'data'/'resized_images'
    first = sorted(p for p in data.glob('*.png') if not p.stem.endswith(('_2', '_diff')))[0]
    r = subprocess.run([console_script('tblip2_diff'), '--model_path', str(tmp_path/'ckpt'/'best'), '--image1', str(first),
                        '--image2', str(first.with_name(first.stem + '_2.png')), '--json', '--per_change'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout)
    assert result['ok'] and result['descriptions'] and all(isinstance(d, str) for d in result['descriptions']), result
    assert result['changes'] and all(set(d) == {'region', 'bbox', 'sentence'} for d in result['changes']), result
