"""bench/seeds.py (and bench/ablate.py, which runs its seeds through `tblip2.seeds.run_seed`) tests a finished run
again but never trains on a run made with other settings: resuming it with more epochs would put a longer run into a
table of fresh ones."""
import json
from pathlib import Path
import pytest
from tblip2.seeds import trained_otherwise, run_seed

def finished_run(folder:Path, **config) -> Path:
    "A run folder as `tblip2_train` leaves it, as far as the check reads it: trained in portable mode, as run_seed trains"
    folder.mkdir(parents=True)
    (folder/'history.json').write_text(json.dumps({'config': config, 'reproducibility': {'portable': True}}))
    return folder

def test_only_generation_settings_may_differ(tmp_path):
    run = finished_run(tmp_path/'a', num_epochs=20, **{'words': True, 'words.fusion': 1.0}, num_beams=4, seed=0, run_dir='runs/x')
    assert trained_otherwise(run, {'num_epochs': 20, 'words.fusion': 0.5, 'num_beams': 1, 'seed': 0, 'run_dir': 'runs/y'}) == {}
    assert trained_otherwise(run, {'num_epochs': 30, 'words.fusion': 0.5, 'seed': 1}) == {'num_epochs': (20, 30), 'seed': (0, 1)}
    assert trained_otherwise(tmp_path/'never-ran', dict(num_epochs=30)) == {}

def test_the_words_of_a_parameters_file_are_compared_as_the_run_recorded_them(tmp_path):
    # nbs/demo.yaml gives the word detectors as a dict, `-p words.fusion 0.5` as a dotted setting; history.json is flat
    run = finished_run(tmp_path/'a', **{'words': True, 'words.prefix': 6, 'words.centre': 'mean'}, learning_rate=0.001)
    assert trained_otherwise(run, {'words': {'prefix': 6, 'centre': 'mean'}, 'learning_rate': 1e-3}) == {}
    assert trained_otherwise(run, {'words': {'prefix': 6, 'centre': 'mean'}, 'words.centre': 'bias'}) == {'words.centre': ('mean', 'bias')}
    assert trained_otherwise(run, {'words': False}) == {'words': (True, False), 'words.prefix': (6, 0), 'words.centre': ('mean', 'bias')}
    with pytest.raises(ValueError, match='removed'): trained_otherwise(run, {'tolerance_regrow': True})  # no such setting now

def test_generation_settings_that_picked_the_epoch_may_not_differ(tmp_path):
    # validation described with the model's own beams and fusion: they chose the best epoch, so they are training settings
    run = finished_run(tmp_path/'runs'/'a'/'seed-0', num_epochs=30, **{'words': True, 'words.fusion': 0.5}, num_beams=4, eval_num_beams=0, seed=0)
    asked = {'num_epochs': 30, 'words.fusion': 1.0, 'num_beams': 1, 'eval_num_beams': 0}
    assert trained_otherwise(run, asked) == {'words.fusion': (0.5, 1.0), 'num_beams': (4, 1)}
    assert trained_otherwise(run, {'num_epochs': 30, 'words.fusion': 0.5, 'num_beams': 4, 'max_test_samples': 8}) == {}
    with pytest.raises(SystemExit) as e:
        run_seed({**asked, 'words.fusion': 0.5}, 0, 'a', runs=str(tmp_path/'runs'), checkpoints=str(tmp_path/'ck'))
    assert 'num_beams 4, now 1' in str(e.value) and 'picked its best epoch' in str(e.value), str(e.value)

def test_a_setting_newer_than_the_run_counts_as_its_default(tmp_path):
    run = finished_run(tmp_path/'a', num_epochs=30, seed=0)   # saved before `shift_tolerance` existed: it ran without it
    assert trained_otherwise(run, dict(num_epochs=30, shift_tolerance=0)) == {}
    assert trained_otherwise(run, dict(num_epochs=30, shift_tolerance=1)) == {'shift_tolerance': (0, 1)}
    # ... and before the word detectors: it ran without them
    assert trained_otherwise(run, {'num_epochs': 30, 'words': False}) == {}
    assert trained_otherwise(run, {'num_epochs': 30, 'words.prefix': 6}) == {'words': (False, True), 'words.prefix': (0, 6)}

def test_a_run_trained_otherwise_stops_the_script_before_any_training(tmp_path):
    finished_run(tmp_path/'runs'/'demo'/'seed-0', num_epochs=20, learning_rate=0.001, seed=0)
    with pytest.raises(SystemExit) as e:
        run_seed(dict(num_epochs=30, learning_rate=0.001), 0, 'demo', runs=str(tmp_path/'runs'), checkpoints=str(tmp_path/'ck'))
    assert 'num_epochs 20, now 30' in str(e.value) and 'another --name' in str(e.value)
    assert not (tmp_path/'runs'/'demo'/'seed-0'/'train.log').exists()   # nothing was started
