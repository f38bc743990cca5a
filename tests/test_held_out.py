"""bench/held_out.py: its scenes have exactly the change their record says, and `shares` counts per kind of change."""
import importlib.util
from pathlib import Path
import numpy as np
from tblip2.datasets import CHANGES, SHAPES, COLOURS

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('held_out', ROOT/'bench'/'held_out.py')  # a script beside the package, not in it
held_out = importlib.util.module_from_spec(spec); spec.loader.exec_module(held_out)
held_out_scene, shares = held_out.held_out_scene, held_out.shares

def test_scenes_hold_their_change():
    seen = set()
    for i in range(40):
        before, after, rec = held_out_scene(np.random.default_rng([2026, i]))
        seen.add(rec['change'])
        assert before.shape == after.shape == (224, 224, 3) and before.dtype == np.uint8
        assert (before != after).any(), rec                                  # something changed
        assert rec['shape'] in SHAPES and rec['colour'] in COLOURS and rec['change'] in CHANGES
        if rec['change'] == 'move': assert rec['location_before'] != rec['location'], rec
        if rec['change'] == 'colour': assert rec['colour_before'] != rec['colour'], rec
        again = held_out_scene(np.random.default_rng([2026, i]))              # the same seed, the same scene
        assert (again[0] == before).all() and (again[1] == after).all() and again[2] == rec
    assert seen == set(CHANGES)

def test_shares_per_kind():
    truth = {'0': {'change': 'appear'}, '1': {'change': 'appear'}, '2': {'change': 'move'}}
    hit = lambda c, s, p: dict(colour=c, shape=s, place=p, all=c and s and p)
    hits = {'0': hit(True, True, True), '1': hit(True, False, True), '2': hit(False, True, True)}
    assert shares(truth, hits, 'appear') == dict(colour=1.0, shape=0.5, place=1.0, all=0.5, pairs=2)
    assert shares(truth, hits)['all'] == 1 / 3 and shares(truth, hits)['pairs'] == 3
    assert shares(truth, hits, 'colour') == dict(colour=0, shape=0, place=0, all=0, pairs=0)   # no such scene: no division by zero
