"""`bench/bench_model.py --tiny` runs on CPU, so the GPU benchmark script cannot rot unnoticed."""
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_bench_model_tiny_runs(tmp_path):
    out = tmp_path/'rows.json'
    cmd = [sys.executable, 'bench/bench_model.py', '--tiny', '--batch-sizes', '2', '--steps', '1', '--warmup', '0', '--json', str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, 'HF_HUB_OFFLINE': '1'})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    rows = json.loads(out.read_text())
    assert [row['lm_tuning'] for row in rows] == ['frozen', 'lora', 'full']
    assert all(row['samples_per_s'] > 0 and row['tflop_per_step'] > 0 for row in rows)
    assert rows[0]['trainable_m'] < rows[1]['trainable_m'] < rows[2]['trainable_m']  # LoRA adds adapters, full the whole LM

def test_gpu_check_runs_tiny(tmp_path):
    "`bench/gpu_check.py --tiny`: the GPU check's two parts on the tiny model, so `make gpu-check` cannot rot unnoticed"
    out = tmp_path/'gpu-check'
    cmd = [sys.executable, 'bench/gpu_check.py', '--tiny', '--out', str(out)]
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1', 'TBLIP2_PROGRESS': 'off'}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    summary = (out/'summary.md').read_text()
    assert '| lora |' in summary and 'x |' in summary, summary          # the step rows and the cache ratio
    assert 'papermill' in summary and 'test split:' in summary and 'CIDEr-D' in summary, summary
    rows = json.loads((out/'bench_model.json').read_text())
    assert [row['vision'] for row in rows] == ['ViT', 'cache'] and rows[1]['ratio'] > 0
    history = json.loads((out/'run'/'history.json').read_text())
    assert history['config']['cache_vision'] is True and history['config']['lora_r'] == 16   # the recipe's settings
    assert history['config']['model_name'] == 'tiny' and history['step'] == 4                 # ... with the tiny overrides
