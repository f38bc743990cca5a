"""A sequence described at once (`describe_sequence`) against pairing its images by hand (`describe_pair` per step).

  python bench/bench_sequence.py                         # 12 synthetic frames at 448 px, the demo model if there is one
  python bench/bench_sequence.py --model M --frames 24 --size 640

Each step's pair is the same either way and gets the same sentences (checked). The sequence reads each image once,
encodes it with the ViT once (N encodings) and describes the steps in batches; pairing by hand reads and encodes each
inner image twice (2(N - 1)) and describes one pair at a time. The table gives both costs measured in this one run
(each the median of three, after one untimed run) and their ratio. It documents `describe_sequence`
(nbs/05_describe.ipynb) and feeds the results-log entry `sequences`.
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
from PIL import Image

def frames(n:int, size:int, seed:int=0) -> list[np.ndarray]:
    "`n` frames of one noisy scene; at each step a square appears, or an earlier one changes colour or leaves"
    rng = np.random.default_rng(seed)
    scene = rng.integers(90, 110, (size, size, 3), dtype=np.uint8)
    out, side = [scene], size // 8
    for _ in range(n - 1):
        f = out[-1].copy(); y, x = rng.integers(0, size - side, 2)
        f[y:y + side, x:x + side] = rng.integers(0, 256, 3, dtype=np.uint8)
        out.append(f)
    return out

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument('--model', default=None, help='checkpoint folder (default: the demo model, else an untrained tiny one)')
    p.add_argument('--frames', type=int, default=12); p.add_argument('--size', type=int, default=448)
    args = p.parse_args(argv)
    import torch
    from tblip2.describe import default_model_path, untrained_checkpoint, load_model, describe_pair, describe_sequence
    tmp = Path(tempfile.mkdtemp())
    path = Path(args.model) if args.model else default_model_path() or untrained_checkpoint(tmp/'ckpt')
    model = load_model(path)
    paths = []
    for i, f in enumerate(frames(args.frames, args.size)):
        paths.append(tmp/f'frame{i:03d}.png'); Image.fromarray(f).save(paths[-1])
    encoded = [0]
    vision_tokens = model.vision_tokens
    def counting(pixels): encoded[0] += len(pixels); return vision_tokens(pixels)
    model.vision_tokens = counting
    rows = []
    for name, run in (('pairs by hand', lambda: [describe_pair(dict(name=str(i), before=a, after=b), model)['descriptions']
                                                 for i, (a, b) in enumerate(zip(paths, paths[1:]))]),
                      ('describe_sequence', lambda: [s['descriptions'] for s in describe_sequence(paths, model)['steps']])):
        run()  # once untimed: first-call costs (allocations, caches) go to neither side
        times = []
        for _ in range(3):
            encoded[0] = 0; torch.manual_seed(0); t = time.perf_counter()
            said = run(); times.append(time.perf_counter() - t)
        rows.append((name, sorted(times)[1], encoded[0], said))  # the median of three
    assert rows[0][3] == rows[1][3], 'the two ways gave different sentences'
    print(f"# {args.frames} frames of {args.size} px, model {path}, {torch.get_num_threads()} threads; the same sentences both ways")
    print('| method | image reads | ViT image encodings | seconds | ratio |\n|---|---|---|---|---|')
    for name, s, n, _ in rows:
        reads = 2 * (args.frames - 1) if name == 'pairs by hand' else args.frames
        print(f"| {name} | {reads} | {n} | {s:.2f} | {rows[0][1] / s:.2f}x |")

if __name__ == '__main__': main()
