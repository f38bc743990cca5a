"""Training-step benchmark of `EnhancedDiffBLIP2`: samples/s, peak memory and model FLOPs utilisation.

  python bench/bench_model.py --tiny        # CPU, the tiny model: CI runs this so the script stays honest
  python bench/bench_model.py               # GPU: BLIP-2 OPT-2.7B architecture, random weights, bf16, batch 8/16/32,
                                            # every lm_tuning mode (frozen / lora / full)

The full-size model is built from `blip2_opt27b_config` (written out in code: nothing is downloaded) with
random weights, which cost exactly the compute of the real ones. Precision "bf16" is what Accelerate's
mixed precision does: trainable parameters in fp32 (with AdamW states), frozen ones stored in bf16, the
step under `torch.autocast(bfloat16)`. FLOPs are counted, not estimated, with
`torch.utils.flop_counter.FlopCounterMode` over one forward + backward; MFU = counted FLOPs / step time /
peak (H200 ~790 TFLOP/s dense bf16 by default). Detection is precomputed, as the training loop's cache does.

Its table documents the model's training speed (nbs/02_model.ipynb); it feeds no results-log entry.
"""
import argparse, json, resource, time
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode
from tblip2.model import (DiffBLIP2Config, EnhancedDiffBLIP2, LM_TUNING, SAMPLE_CAPTIONS, full_size_model,
                          tiny_blip2, to_pixel_values)

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # model
    p.add_argument("--tiny", action="store_true", help="the tiny CPU model instead of BLIP-2 OPT-2.7B")
    p.add_argument("--modes", nargs="+", default=list(LM_TUNING), choices=LM_TUNING, help="lm_tuning modes to time")
    p.add_argument("--grad-ckpt", action="store_true", help="activation checkpointing in the ViT, Q-Former and LM")
    p.add_argument("--train-vision", action="store_true", help="do not freeze the ViT")
    # run
    p.add_argument("--batch-sizes", nargs="+", type=int, default=[8, 16, 32])
    p.add_argument("--precision", default=None, choices=["bf16", "fp32"], help="default: bf16 on GPU, fp32 on CPU")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    p.add_argument("--steps", type=int, default=5, help="timed steps")
    p.add_argument("--peak-tflops", type=float, default=790.0, help="accelerator peak for MFU (H200 dense bf16 ~790)")
    p.add_argument("--json", default=None, help="also write the rows to this file")
    return p.parse_args(argv)

def toy_batch(n:int, size:int=224, seed:int=0):
    "`n` synthetic (before, after) uint8 pairs, each with one square added, and a caption each"
    rng = np.random.default_rng(seed)
    befores = (rng.integers(0, 200, (n, 1, 1, 3)) + rng.integers(0, 40, (n, size, size, 3))).astype(np.uint8)
    afters, side = befores.copy(), size // 4
    for i in range(n):
        y, x = rng.integers(0, size - side, 2)
        afters[i, y:y + side, x:x + side] = rng.integers(0, 256, 3, dtype=np.uint8)
    return list(befores), list(afters), [SAMPLE_CAPTIONS[i % len(SAMPLE_CAPTIONS)] for i in range(n)]

def build(mode:str, args, device:torch.device) -> EnhancedDiffBLIP2:
    cfg = DiffBLIP2Config(lm_tuning=mode, freeze_vision=not args.train_vision, gradient_checkpointing=args.grad_ckpt)
    if args.tiny: model = EnhancedDiffBLIP2(*tiny_blip2(), cfg).to(device)
    else: model = full_size_model(cfg, device=device)
    if args.precision == "bf16":  # frozen weights stored in bf16; trainable ones stay fp32 for AdamW
        for p in model.parameters():
            if not p.requires_grad: p.data = p.data.to(torch.bfloat16)
    return model.train()

def train_step(model, opt, batch, autocast):
    before, after, captions, detections = batch
    with autocast: out = model(before, after, captions, return_loss=True, detections=detections)
    opt.zero_grad(set_to_none=True); out.loss.backward(); opt.step()
    return out

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize()

def time_one(model, batch_size:int, args, device) -> dict:
    "Time `args.steps` training steps at one batch size; count the FLOPs of one"
    befores, afters, captions = toy_batch(batch_size)
    detections = model.detect(befores, afters)  # the training loop reads these from the detector's cache
    batch = (to_pixel_values(befores, model.processor).to(device), to_pixel_values(afters, model.processor).to(device), captions, detections)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16")
    for _ in range(args.warmup): train_step(model, opt, batch, autocast)
    if device.type == "cuda": torch.cuda.reset_peak_memory_stats()
    sync(device); t0 = time.perf_counter()
    for _ in range(args.steps): train_step(model, opt, batch, autocast)
    sync(device); step_s = (time.perf_counter() - t0) / args.steps
    with FlopCounterMode(display=False) as fc: train_step(model, opt, batch, autocast)
    flops = fc.get_total_flops()
    peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return dict(batch=batch_size, step_ms=1e3 * step_s, samples_per_s=batch_size / step_s,
                peak_mem_gib=peak / 2**30, tflop_per_step=flops / 1e12, mfu=flops / step_s / (args.peak_tflops * 1e12))

def main(argv=None):
    args = parse_args(argv)
    device = torch.device("cpu" if args.tiny or not torch.cuda.is_available() else "cuda")
    if device.type == "cpu" and not args.tiny: raise SystemExit("no GPU here: the full-size benchmark needs one (use --tiny on CPU)")
    args.precision = args.precision or ("bf16" if device.type == "cuda" else "fp32")
    if args.tiny: torch.set_num_threads(1)  # toy-sized tensors: threads only add synchronisation
    torch.manual_seed(0)
    print(f"# EnhancedDiffBLIP2 training step: {'tiny' if args.tiny else 'BLIP-2 OPT-2.7B architecture'}, {device.type}, "
          f"{args.precision}, frozen ViT: {not args.train_vision}, grad ckpt: {args.grad_ckpt}, {args.steps} timed steps")
    if device.type == "cpu": print("# peak_mem_gib on CPU is the process's peak RSS so far (it only grows), not per row")
    rows = []
    for mode in args.modes:
        model = build(mode, args, device)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        for bs in args.batch_sizes:
            try: row = time_one(model, bs, args, device)
            except torch.cuda.OutOfMemoryError: row = dict(batch=bs, error="out of memory")
            rows.append(dict(lm_tuning=mode, trainable_m=trainable / 1e6, **row))
            print_row(rows[-1], header=len(rows) == 1)
            if device.type == "cuda": torch.cuda.empty_cache()
        del model
    if args.json:
        with open(args.json, "w") as f: json.dump(rows, f, indent=1)
    return rows

COLUMNS = [("lm_tuning", "{}"), ("trainable_m", "{:.2f}"), ("batch", "{}"), ("step_ms", "{:.1f}"), ("samples_per_s", "{:.1f}"),
           ("peak_mem_gib", "{:.2f}"), ("tflop_per_step", "{:.4f}"), ("mfu", "{:.1%}")]

def print_row(row:dict, header:bool=False):
    if header: print("| " + " | ".join(c for c, _ in COLUMNS) + " |\n|" + "---|" * len(COLUMNS))
    cells = [fmt.format(row[c]) if c in row else row.get("error", "") for c, fmt in COLUMNS]
    print("| " + " | ".join(cells) + " |", flush=True)

if __name__ == "__main__": main()
