"""Runs that repeat: the same command with the same seed gives bit-identical weights and the same test table,
with a cold or a warm detection cache and with the data generated into another folder; `seed` never touches the data.
In portable mode, as `make demo` runs: the weights any x86-64 CPU gives (tests/test_portable.py holds them to a record)."""
import json, subprocess
from test_train_runs import train_cmd, run, digests

# the demo's model settings at a small size: full LM and ViT training, ITC and ITM (whose hard negatives index the
# batch with repeated indices: the kernel that made runs differ), the class-token memory. Batch 16 and width 64 matter:
# below that the CPU kernel does not split its work across threads, and even runs without deterministic kernels agree;
# at this size three runs with --deterministic false gave three different digests (on two threads; portable mode runs
# one, and nbs/04_train.ipynb tests the deterministic kernel on this machine's threads).
SETTINGS = ['--num_epochs', 2, '--image_tokens', 'cls', '--aln_weight_itc', 3.0, '--new_parts_lr_scale', 1.0, '--warmup_steps', 4,
            '--batch_size', 16, '--tiny_width', 64, '--synthetic_pairs', '[64, 8, 8]']

PORTABLE = {'TBLIP2_PORTABLE': '1'}  # nbs/00_portable.ipynb

def repeat_cmd(tmp, name, data):
    cmd = train_cmd(tmp/name, *SETTINGS)
    return cmd[:cmd.index('--data_dir') + 1] + [str(tmp/data)] + cmd[cmd.index('--data_dir') + 2:]

def test_same_seed_same_weights(tmp_path):
    cold = run(repeat_cmd(tmp_path, 'a', 'data'), env=PORTABLE)          # generates the data, computes every detection
    warm = run(repeat_cmd(tmp_path, 'b', 'data'), env=PORTABLE)          # the same data, detections from the cache
    elsewhere = run(repeat_cmd(tmp_path, 'c', 'data2'), env=PORTABLE)    # the data generated again, into another folder
    assert list((tmp_path/'data'/'.tblip2-cache'/'detections').glob('*.npz')), "the detection cache lives in the data folder"
    d = [digests(log)['0'] for log in (cold, warm, elsewhere)]
    assert d[0] == d[1] == d[2], f"same seed, different weights: {d}"
    scores = [json.loads((tmp_path/k/'run'/'test_scores.json').read_text()) for k in 'abc']
    assert scores[0] == scores[1] == scores[2], "same weights, different test tables"
    # and a different seed is a different run (the digest is not a constant), on the same data, left untouched
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (tmp_path/'data').rglob('*.json'))
    other = digests(run(repeat_cmd(tmp_path, 'd', 'data') + ['--seed', '1'], env=PORTABLE))['0']
    assert other != d[0]
    assert sorted((p.name, p.stat().st_mtime_ns) for p in (tmp_path/'data').rglob('*.json')) == before, "another seed touched the data"
