"""Training-step benchmark of `EnhancedDiffBLIP2`: samples/s, peak memory and model FLOPs utilisation.

  python bench/bench_model.py --tiny        # CPU, the tiny model: CI runs this so the script stays honest
  python bench/bench_model.py               # GPU: BLIP-2 OPT-2.7B architecture, random weights, bf16, batch 8/16/32,
                                            # every lm_tuning mode (frozen / lora / full)
  python bench/bench_model.py --vision-cache both --modes lora --grad-ckpt --batch-sizes 2 --precision bf16 \
      --warmup 1 --steps 2 --cpu            # full size on this CPU: the step with the ViT, then with its cached tokens
  --text flan-t5-xl                         # the FLAN-T5-XL architecture instead of OPT-2.7B

The full-size model is built from `blip2_opt27b_config` (written out in code: nothing is downloaded) with
random weights, which cost exactly the compute of the real ones. Precision "bf16" is what Accelerate's
mixed precision does: trainable parameters in fp32 (with AdamW states), frozen ones stored in bf16, the
step under `torch.autocast(bfloat16)`. FLOPs are counted, not estimated, with
`torch.utils.flop_counter.FlopCounterMode` over one forward + backward; MFU = counted FLOPs / step time /
peak (H200 ~790 TFLOP/s dense bf16 by default). Detection is precomputed, as the training loop's cache does.
`--vision-cache both` times each row twice: the ViT run in the step, and its tokens handed in precomputed, as the
training loop's `cache_vision` does (a frozen ViT only); the `ratio` column is the step time with the ViT over the
step time with the cache, both measured in this one run.

Its table documents the model's training speed (nbs/02_model.ipynb); its `--cpu` rows feed the results-log entry
`full-size-cpu`.
"""
import argparse, json, resource, time
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode
from tblip2.model import (mixed_precision_weights, DiffBLIP2Config, EnhancedDiffBLIP2, LM_TUNING, SAMPLE_CAPTIONS, FULL_SIZE,
                          full_size_model, tiny_blip2, to_pixel_values)

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # model
    p.add_argument("--tiny", action="store_true", help="the tiny CPU model instead of a full-size BLIP-2")
    p.add_argument("--text", default="opt-2.7b", choices=list(FULL_SIZE), help="the full-size architecture")
    p.add_argument("--cpu", action="store_true", help="the full size on this CPU (slow; peak memory ~12 GiB at batch 2)")
    p.add_argument("--vision-cache", default="off", choices=["off", "on", "both"],
                   help="the ViT in the step (off), its tokens precomputed (on), or both and their ratio")
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
    if args.tiny:
        model = EnhancedDiffBLIP2(*tiny_blip2(), cfg)
        if args.precision == "bf16": mixed_precision_weights(model, "bf16")
        return model.to(device).train()
    # frozen weights stored in bf16, trainable ones in fp32 for AdamW; built on the CPU, then moved
    return full_size_model(cfg, device="cpu", text=args.text, dtype=args.precision).to(device).train()

def train_step(model, opt, batch, autocast):
    before, after, captions, detections, vision = batch
    with autocast: out = model(before, after, captions, return_loss=True, detections=detections, vision=vision)
    opt.zero_grad(set_to_none=True); out.loss.backward(); opt.step()
    return out

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize()

def time_one(model, batch_size:int, args, device, cached:bool=False) -> dict:
    "Time `args.steps` training steps at one batch size (`cached`: ViT tokens handed in); count the FLOPs of one"
    befores, afters, captions = toy_batch(batch_size)
    detections = model.detect(befores, afters)  # the training loop reads these from the detector's cache
    before, after = to_pixel_values(befores, model.processor).to(device), to_pixel_values(afters, model.processor).to(device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16")
    vision = None
    if cached:  # as `CaptionPairs.cache_vision` makes them: once, before training, in the step's precision
        with torch.no_grad(), autocast: vision = torch.stack([model.vision_tokens(before), model.vision_tokens(after)], 1)
    batch = (before, after, captions, detections, vision)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    for _ in range(args.warmup): train_step(model, opt, batch, autocast)
    if device.type == "cuda": torch.cuda.reset_peak_memory_stats()
    sync(device); t0 = time.perf_counter()
    for _ in range(args.steps): train_step(model, opt, batch, autocast)
    sync(device); step_s = (time.perf_counter() - t0) / args.steps
    with FlopCounterMode(display=False) as fc: train_step(model, opt, batch, autocast)
    flops = fc.get_total_flops()
    peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return dict(batch=batch_size, vision="cache" if cached else "ViT", step_ms=1e3 * step_s, samples_per_s=batch_size / step_s,
                peak_mem_gib=peak / 2**30, tflop_per_step=flops / 1e12, mfu=flops / step_s / (args.peak_tflops * 1e12))

def main(argv=None):
    args = parse_args(argv)
    device = torch.device("cpu" if args.tiny or not torch.cuda.is_available() else "cuda")
    if device.type == "cpu" and not (args.tiny or args.cpu):
        raise SystemExit("no GPU here: the full-size benchmark needs one (--tiny, or --cpu for the full size on this CPU)")
    if args.vision_cache != "off" and args.train_vision: raise SystemExit("--vision-cache needs the frozen ViT")
    args.precision = args.precision or ("bf16" if device.type == "cuda" else "fp32")
    if args.tiny: torch.set_num_threads(1)  # toy-sized tensors: threads only add synchronisation
    torch.manual_seed(0)
    print(f"# EnhancedDiffBLIP2 training step: {'tiny' if args.tiny else f'BLIP-2 {args.text} architecture'}, {device.type}, "
          f"{args.precision}, frozen ViT: {not args.train_vision}, grad ckpt: {args.grad_ckpt}, {args.steps} timed steps")
    if device.type == "cpu": print("# peak_mem_gib on CPU is the process's peak RSS so far (it only grows), not per row")
    rows = []
    for mode in args.modes:
        model = build(mode, args, device)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        for bs in args.batch_sizes:
            for cached in {"off": [False], "on": [True], "both": [False, True]}[args.vision_cache]:
                try: row = time_one(model, bs, args, device, cached)
                except torch.cuda.OutOfMemoryError: row = dict(batch=bs, vision="cache" if cached else "ViT",
                                                               error="out of memory")
                if cached and args.vision_cache == "both" and "step_ms" in row and "step_ms" in rows[-1]:
                    row["ratio"] = rows[-1]["step_ms"] / row["step_ms"]  # with the ViT / with the cache
                rows.append(dict(lm_tuning=mode, trainable_m=trainable / 1e6, **row))
                print_row(rows[-1], header=len(rows) == 1)
                if device.type == "cuda": torch.cuda.empty_cache()
        del model
    if args.json:
        with open(args.json, "w") as f: json.dump(rows, f, indent=1)
    return rows

COLUMNS = [("lm_tuning", "{}"), ("trainable_m", "{:.2f}"), ("batch", "{}"), ("vision", "{}"), ("step_ms", "{:.1f}"),
           ("samples_per_s", "{:.1f}"), ("peak_mem_gib", "{:.2f}"), ("tflop_per_step", "{:.4f}"), ("mfu", "{:.1%}"),
           ("ratio", "{:.2f}x")]

def print_row(row:dict, header:bool=False):
    if header: print("| " + " | ".join(c for c, _ in COLUMNS) + " |\n|" + "---|" * len(COLUMNS))
    cells = [fmt.format(row[c]) if c in row else row.get("error", "") if c == "step_ms" else "" for c, fmt in COLUMNS]
    print("| " + " | ".join(cells) + " |", flush=True)

if __name__ == "__main__": main()
