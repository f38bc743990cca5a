"""bench/val_names.py, the check that chooses between runs, on a tiny run (16 training pairs, 1 epoch): it reads a run
as `bench/seeds.py` leaves it and scores its best model on the validation split, and a seed never trained is one line."""
import importlib.util
from pathlib import Path
import pytest
from tblip2.seeds import run_params, run_seed

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('val_names', ROOT/'bench'/'val_names.py')  # a script beside the package, not in it
val_names = importlib.util.module_from_spec(spec); spec.loader.exec_module(val_names)

TINY = dict(synthetic_pairs=[16, 8, 8], image_size=32, tiny_width=16, num_epochs=1, batch_size=8, eval_samples=4, max_test_samples=8)

def test_tiny_run_on_the_validation_split(tmp_path):
    demo = run_params('nbs/demo.yaml')
    runs, ckpts = str(tmp_path/'runs'), str(tmp_path/'ck')
    run_seed({**demo, **TINY, 'data_dir': str(tmp_path/'data')}, 0, 'tiny', runs=runs, checkpoints=ckpts)
    out = val_names.val_names('tiny', 0, runs=runs, checkpoints=ckpts)
    assert set(out) >= {'colour', 'shape', 'place', 'all', 'change recall'}, out
    assert all(0 <= out[k] <= 1 for k in out if k != 'sentences per pair'), out
    assert out['all'] <= min(out['colour'], out['shape'], out['place']), out
    with pytest.raises(SystemExit) as e: val_names.val_names('tiny', 1, runs=runs, checkpoints=ckpts)   # a seed never trained: one line
    assert 'no trained model' in str(e.value)
