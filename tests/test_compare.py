"""bench/compare.py on a tiny configuration (1 seed, 16 training pairs, 1 epoch), so that the comparison bench cannot rot:
every method's parameters make a valid run, and one command trains, tests and tabulates."""
import importlib.util, json
from pathlib import Path
from tblip2.seeds import run_params, run_history
from tblip2.train import check_config, flat_params

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('compare', ROOT/'bench'/'compare.py')  # a script beside the package, not in it
compare = importlib.util.module_from_spec(spec); spec.loader.exec_module(compare)

def test_every_method_is_a_valid_run():
    demo = run_params('nbs/demo.yaml', [('words.fusion', '0.25')])  # a word setting given: a method without words drops it
    for method, params in compare.TRAINED.items():
        flat = flat_params(check_config(**compare.method_params(demo, method)))  # a renamed or removed switch fails here
        assert {k: flat[k] for k in params} == params, method
    assert flat_params(check_config(**compare.method_params(demo, 'T-BLIP2')))['words.fusion'] == 0.25
    assert set(compare.KEYS.values()) == set(compare.TRAINED) | set(compare.BASELINES)

def test_tiny_bench(tmp_path):
    tiny = ['-p', 'data_dir', str(tmp_path/'data'), '-p', 'synthetic_pairs', '[16, 8, 8]', '-p', 'image_size', '32', '-p', 'tiny_width', '16',
            '-p', 'num_epochs', '1', '-p', 'batch_size', '8', '-p', 'eval_samples', '4', '-p', 'max_test_samples', '8']
    text = compare.main(['--seeds', '0', '--out', str(tmp_path/'out'), '--methods', 'frequent', 'ddla', *tiny])
    rows = {line.split(' | ')[0].strip('| '): line for line in text.splitlines() if line.startswith('| ')}
    assert {'most frequent caption', 'DDLA'} <= set(rows), text
    assert (tmp_path/'out'/'table.md').read_text().strip() == text.strip()
    summary = json.loads((tmp_path/'out'/'summary.json').read_text())
    ddla = summary['per_seed']['DDLA']['0']
    assert summary['test_pairs'] == 8 and ddla['training s'] > 0 and 0 <= ddla['CIDEr-D'] and 'CIDEr-D appear' in ddla, ddla
    frequent = summary['per_seed']['most frequent caption']['0']
    assert frequent['CIDEr-D'] > 0 and frequent['change recall'] >= 0, frequent   # every column computed, and a real score
    assert run_history(tmp_path/'out'/'ddla'/'seed-0')['config']['architecture'] == 'ddla'
