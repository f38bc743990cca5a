"""The held-out check: single-change scenes the model was neither trained nor tuned on, described by `tblip2_diff`.

The scenes are drawn here, not by the dataset generator: other backgrounds (flat grounds of any colour as well as
the generator's textures and photographs, drawn with another seed), object radii from 3.5% to 10% of the side (the
generator has two sizes, 4.5% and 8%), positions anywhere (the generator keeps objects apart on a grid of free
places), one to four unchanged objects, no nuisances. The vocabulary is the generator's: its six shapes, its colours,
its nine places and four kinds of change. Each pair goes to disk as `<n>.png` / `<n>_2.png`, `tblip2_diff` describes
the folder, and its first description of each pair is checked for the change's colour, shape and place (the
evaluation's `names`).

    python bench/held_out.py --model checkpoints/demo/best            # 200 scenes, seed 2026 (`make demo` makes the model)

Feeds the results log (RESULTS.md): the held-out checks of 'The present demo: `shift_tolerance 1`' and of the demos of
commits 5477b01, 6356e63, 2bad6d9 and 6c2c3bc, and 'The demo with the word switches and `word_fusion 1`' (all
2026-11-30); through `bench/ablate.py --held_out`, the held-out columns of bench/ablate.py's entries.
"""
import argparse, json, subprocess, sys
from pathlib import Path
import numpy as np
from PIL import Image
from tblip2.datasets import SHAPES, COLOURS, CHANGES, location_name, make_background, photo_background, draw_object
from tblip2.evaluation import names

def flat_background(rng, size:int) -> np.ndarray:
    "A flat ground of any colour at least 60 grey levels from every object colour, with a faint linear shading"
    while min(np.linalg.norm((colour := rng.uniform(40, 215, 3)) - c) for c in COLOURS.values()) < 60: pass
    ramp = np.linspace(-1, 1, size)[None, :, None] * rng.uniform(-12, 12)
    return np.clip(np.broadcast_to(colour, (size, size, 3)) + ramp, 0, 255).astype(np.uint8)

def free_object(rng, kind:tuple, size:int, taken:list, tries:int=200) -> dict|None:
    "An object of `kind` (shape, colour) anywhere it does not touch the others"
    r = rng.uniform(0.035, 0.10) * size
    for _ in range(tries):
        x, y = rng.uniform(r + 2, size - r - 2, 2)
        if all((x - a) ** 2 + (y - b) ** 2 > (r + c + 3) ** 2 for a, b, c in taken):
            taken.append((x, y, r))
            return dict(shape=kind[0], colour=kind[1], x=float(x), y=float(y), r=float(r), angle=float(rng.uniform(0, np.pi)),
                        shade=float(rng.uniform(.85, 1.1)))
    return None

def held_out_scene(rng, size:int=224) -> tuple[np.ndarray, np.ndarray, dict]:
    "Before, after and the one change (in the generator's change-record form)"
    while True:
        kinds = [(s, c) for s in SHAPES for c in COLOURS]
        kinds = [kinds[i] for i in rng.permutation(len(kinds))]
        taken, change = [], str(rng.choice(CHANGES))
        obj = free_object(rng, kinds[0], size, taken)
        others = [o for k in kinds[1:1 + rng.integers(1, 5)] if (o := free_object(rng, k, size, taken))]
        if obj is None: continue
        before, after = list(others), list(others)
        rec = dict(change=change, shape=obj['shape'], colour=obj['colour'])
        if change == 'appear': after.append(obj)
        elif change == 'disappear': before.append(obj)
        elif change == 'move':
            moved = free_object(rng, kinds[0], size, taken)
            if moved is None or location_name(moved['x'], moved['y'], size) == location_name(obj['x'], obj['y'], size): continue
            moved.update(r=obj['r'], shade=obj['shade'])
            before.append(obj); after.append(moved)
            rec['location_before'] = location_name(obj['x'], obj['y'], size); obj = moved
        else:
            used = {(o['shape'], o['colour']) for o in others}  # no second object of the new kind
            new = [c for c in COLOURS if c != obj['colour'] and (obj['shape'], c) not in used]
            before.append(obj); obj = {**obj, 'colour': new[rng.integers(len(new))]}; after.append(obj)
            rec.update(colour=obj['colour'], colour_before=before[-1]['colour'])
        rec['location'] = location_name(obj['x'], obj['y'], size)
        ground = (flat_background, make_background, photo_background)[rng.integers(3)](rng, size)
        b, a = ground.copy(), ground.copy()
        for o in before: draw_object(b, o)
        for o in after: draw_object(a, o)
        return b, a, rec

def first_sentence(result:dict) -> str:
    "The first description `tblip2_diff` gave for a pair ('' where it failed or said nothing)"
    d = (result.get('descriptions') or [''])[0]
    return d.get('sentence', '') if isinstance(d, dict) else d

def draw_scenes(folder, n:int=200, seed:int=2026) -> dict:
    "Draw `n` scenes as `<i>.png` / `<i>_2.png` into `folder/pairs` (the truth beside them, `truth.json`); the truth"
    folder = Path(folder); pairs = folder/'pairs'; pairs.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i in range(n):
        before, after, truth[str(i)] = held_out_scene(np.random.default_rng([seed, i]))
        Image.fromarray(before).save(pairs/f'{i}.png'); Image.fromarray(after).save(pairs/f'{i}_2.png')
    (folder/'truth.json').write_text(json.dumps(truth, indent=1))
    return truth

def describe(model, scenes, out) -> dict:
    "`tblip2_diff`'s results for the pairs in `scenes/pairs` with `model`, written to `out/descriptions.json`: `{name: result}`"
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    cli = str(Path(sys.executable).with_name('tblip2_diff'))
    rc = subprocess.call([cli, '--model_path', str(model), '--input_dir', str(Path(scenes)/'pairs'), '--output_file', str(out/'descriptions.json'), '--no_progress'])
    if rc not in (0, 1): sys.exit(f"tblip2_diff failed (exit {rc})")
    return {r['name']: r for r in json.loads((out/'descriptions.json').read_text())['results']}

def hits(truth:dict, results:dict) -> dict:
    "`names` of each scene's first sentence"
    return {i: names(first_sentence(results.get(i, {})), c) for i, c in truth.items()}

def shares(truth:dict, hits:dict, kind:str='all') -> dict:
    "Share of the scenes of change `kind` (or all) whose first sentence names the colour, the shape, the place, all three"
    ids = [i for i, c in truth.items() if kind == 'all' or c['change'] == kind]
    return {k: sum(hits[i][k] for i in ids) / max(len(ids), 1) for k in ('colour', 'shape', 'place', 'all')} | {'pairs': len(ids)}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', required=True, help='a saved model (e.g. checkpoints/demo/best)')
    ap.add_argument('--n', type=int, default=200, help='scenes to draw')
    ap.add_argument('--seed', type=int, default=2026, help='seed of the scenes (the training sets use 0 and up, per pair)')
    ap.add_argument('--out', default='runs/held_out', help='where the pairs, the truth and the descriptions go')
    a = ap.parse_args()
    truth = draw_scenes(a.out, a.n, a.seed)
    results = describe(a.model, a.out, a.out)
    named = hits(truth, results)
    print(f"`python bench/held_out.py --model {a.model} --n {a.n} --seed {a.seed}`: {a.n} held-out single-change scenes, "
          f"first description of `tblip2_diff`, {sum(r.get('ok', False) for r in results.values())} described\n")
    print('| change | pairs | names colour | names shape | names place | names all three |')
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    for kind in [*CHANGES, 'all']:
        if not (sh := shares(truth, named, kind))['pairs']: continue
        print(f"| {kind} | {sh['pairs']} | {sh['colour']:.3f} | {sh['shape']:.3f} | {sh['place']:.3f} | {sh['all']:.3f} |")
    print('\nfirst five:', *(f"  {i}: {first_sentence(results.get(i, {}))!r} (truth: {truth[i]})" for i in list(truth)[:5]), sep='\n')
