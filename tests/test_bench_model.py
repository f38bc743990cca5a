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
