"""bench/seeds.py (and bench/ablate.py, which runs its seeds) tests a finished run again but never trains on a run made
with other settings: resuming it with more epochs would put a longer run into a table of fresh ones."""
import json, sys
from pathlib import Path
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'bench'))
from seeds import trained_otherwise, run_seed

def finished_run(folder:Path, **config) -> Path:
    "A run folder as `tblip2_train` leaves it, as far as the check reads it"
    folder.mkdir(parents=True)
    (folder/'history.json').write_text(json.dumps({'config': config}))
    return folder

def test_only_generation_settings_may_differ(tmp_path):
    run = finished_run(tmp_path/'a', num_epochs=20, word_fusion=1.0, num_beams=4, seed=0, run_dir='runs/x')
    assert trained_otherwise(run, dict(num_epochs=20, word_fusion=0.5, num_beams=1, seed=0, run_dir='runs/y')) == {}
    assert trained_otherwise(run, dict(num_epochs=30, word_fusion=0.5, seed=1)) == {'num_epochs': (20, 30), 'seed': (0, 1)}
    assert trained_otherwise(tmp_path/'never-ran', dict(num_epochs=30)) == {}

def test_generation_settings_that_picked_the_epoch_may_not_differ(tmp_path):
    # validation described with the model's own beams and fusion: they chose the best epoch, so they are training settings
    run = finished_run(tmp_path/'runs'/'a'/'seed-0', num_epochs=30, word_fusion=0.5, num_beams=4, eval_num_beams=0, seed=0)
    assert trained_otherwise(run, dict(num_epochs=30, word_fusion=1.0, num_beams=1, eval_num_beams=0)) == {'word_fusion': (0.5, 1.0), 'num_beams': (4, 1)}
    assert trained_otherwise(run, dict(num_epochs=30, word_fusion=0.5, num_beams=4, max_test_samples=8)) == {}
    with pytest.raises(SystemExit) as e:
        run_seed(dict(num_epochs=30, word_fusion=0.5, num_beams=1, eval_num_beams=0), 0, 'a', runs=str(tmp_path/'runs'), checkpoints=str(tmp_path/'ck'))
    assert 'num_beams 4, now 1' in str(e.value) and 'picked its best epoch' in str(e.value), str(e.value)

def test_a_setting_newer_than_the_run_counts_as_its_default(tmp_path):
    run = finished_run(tmp_path/'a', num_epochs=30, seed=0)   # saved before `tolerance_regrow` existed: it ran without it
    assert trained_otherwise(run, dict(num_epochs=30, tolerance_regrow=False)) == {}
    assert trained_otherwise(run, dict(num_epochs=30, tolerance_regrow=True)) == {'tolerance_regrow': (False, True)}

def test_a_run_trained_otherwise_stops_the_script_before_any_training(tmp_path):
    finished_run(tmp_path/'runs'/'demo'/'seed-0', num_epochs=20, learning_rate=0.001, seed=0)
    with pytest.raises(SystemExit) as e:
        run_seed(dict(num_epochs=30, learning_rate=0.001), 0, 'demo', runs=str(tmp_path/'runs'), checkpoints=str(tmp_path/'ck'))
    assert 'num_epochs 20, now 30' in str(e.value) and 'another --name' in str(e.value)
    assert not (tmp_path/'runs'/'demo'/'seed-0'/'train.log').exists()   # nothing was started
