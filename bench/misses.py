"""What the sentences miss: for the seeds of a `bench/seeds.py` run, each change kind's single-change test pairs and
how often the first sentence misses the colour, the shape or the place, a missed place split into "no place named"
and "a wrong place" (the generator's labels, as `names` reads them: evaluation only); and the same for the
references' first sentences, which leave the place out in some wordings.

    python bench/misses.py                       # runs/seeds/demo (the demo's three seeds)
    python bench/misses.py --name ep30 --data_dir data/synthetic

Feeds the results log (RESULTS.md): the misses tables of 'The present demo: `shift_tolerance 1`', '`registration ecc`
on the held-out scenes (left out) and `eval_num_beams 0` (kept)', 'The demo with `registration ecc` (commit 71d3fdc,
later undone)', '`outline_norm`: the outline a part of the cluster token of its own' and 'Thirty epochs and a lighter
push' (all 2026-11-30).
"""
import argparse, json
from pathlib import Path
import pandas as pd
from tblip2.datasets import LOCATIONS
from tblip2.evaluation import names, places_named, markdown_table

ROOT = Path(__file__).resolve().parents[1]

def misses(sentences:dict, boxes:dict) -> pd.DataFrame:
    "One row per single-change pair: its change kind and what `sentences[pair]` misses"
    rows = []
    for pid, s in sentences.items():
        if len(bs := boxes.get(pid, [])) != 1: continue
        n, named = names(s, bs[0]), bool(places_named(s.lower(), LOCATIONS))
        rows.append(dict(change=bs[0]['change'], colour=not n['colour'], shape=not n['shape'],
                         **{'no place': not n['place'] and not named, 'wrong place': not n['place'] and named}, all=not n['all']))
    return pd.DataFrame(rows)

def table(df:pd.DataFrame) -> pd.DataFrame:
    "Per change kind (and all): pairs, and the share of them whose sentence gets each attribute wrong (or names no place)"
    heads = {'colour': 'wrong colour', 'shape': 'wrong shape', 'no place': 'no place', 'wrong place': 'wrong place', 'all': 'not all three'}
    out = pd.concat([df, df.assign(change='all')]).groupby('change').agg(pairs=('all', 'size'), **{
        h: (k, 'mean') for k, h in heads.items()})
    return out.reindex([k for k in ('appear', 'disappear', 'move', 'colour', 'all') if k in out.index])

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--name', default='demo', help="a bench/seeds.py run under runs/seeds")
    ap.add_argument('--data_dir', default='data/synthetic', help='the synthetic set it was tested on')
    a = ap.parse_args()
    boxes = json.loads((ROOT/a.data_dir/'annotations'/'boxes_test.json').read_text())
    seeds = sorted((ROOT/'runs'/'seeds'/a.name).glob('seed-*'))
    if not seeds: raise SystemExit(f"runs/seeds/{a.name}: no seed-* run folders (run bench/seeds.py --name {a.name} first)")
    model = pd.concat([misses({p['image_id']: p['caption'] for p in json.loads((d/'test_predictions.json').read_text())}, boxes)
                       for d in seeds])
    refs = json.loads((seeds[0]/'test_references.json').read_text())
    first = {}
    for r in sorted(refs['annotations'], key=lambda r: r['id']): first.setdefault(str(r['image_id']), r['caption'])
    print(f"`python bench/misses.py --name {a.name}`, test split, single-change pairs, {len(seeds)} seeds pooled:\n")
    print(markdown_table(table(model)))
    print("\nThe references' first sentences, the same pairs:\n")
    print(markdown_table(table(misses(first, boxes))))
