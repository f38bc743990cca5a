"""One source of defaults: the training notebook's papermill `parameters` cell is a short block of run parameters, each
with exactly the default that `TrainConfig`, `DiffBLIP2Config` or `DetectorConfig` defines; every other parameter is
taken by name."""
import ast, json
from pathlib import Path
from tblip2.train import flat_fields

ROOT = Path(__file__).resolve().parents[1]

def parameters_cell(path=ROOT/'nbs'/'04_train.ipynb') -> dict:
    cells = [c for c in json.loads(path.read_text())['cells'] if 'parameters' in c['metadata'].get('tags', [])]
    assert len(cells) == 1, f"{path}: {len(cells)} cells tagged 'parameters'"
    tree = ast.parse(''.join(cells[0]['source']))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}

def test_parameters_cell_is_the_defaults():
    cell, table = parameters_cell(), flat_fields()
    assert 8 <= len(cell) <= 20, f"{len(cell)} parameters: the cell is the short block a user changes, not the whole table"
    assert sorted(set(cell) - set(table)) == [], "the cell has parameters no config defines"
    wrong = {k: (v, table[k][2]) for k, v in cell.items() if v != table[k][2] or type(v) is not type(table[k][2])}
    assert wrong == {}, f"cell value differs from the config default (cell, default): {wrong}"

def test_every_parameter_has_a_comment():
    assert [k for k, (*_, comment) in flat_fields().items() if not comment] == []

def test_help_shows_each_parameter_with_its_comment():
    import subprocess, sys
    from test_datasets_cli import console_script
    out = subprocess.run([console_script('tblip2_train'), '--help'], capture_output=True, text=True, check=True).stdout
    for name in ('use_clusters', 'lora_target_modules', 'gradient_checkpointing', 'eps', 'data_seed', 'save_total_limit', 'words.prefix'):
        comment = flat_fields()[name][3]
        assert f'--{name}' in out and ' '.join(comment.split()[:4]) in ' '.join(out.split()), name

def test_bad_parameters_are_one_line_before_any_work(tmp_path):
    "Each bad value stops tblip2_train with one line naming it, exit 2, before anything is made"
    import subprocess
    from test_datasets_cli import console_script
    for args, says in ((['--max_grad_norm', '-1'], 'max_grad_norm=-1.0'), (['--batch_size', 'abc'], "batch_size='abc'"),
                       (['--synthetic_pairs', 'notjson'], "synthetic_pairs='notjson'"), (['--crop_shape', 'round'], "crop_shape='round'"),
                       (['--words.prefix', '-3'], 'words.prefix=-3'), (['--words', 'false', '--words.fusion', '1'], 'words is off'), (['--learning_rate', 'nan'], 'learning_rate=nan')):
        r = subprocess.run([console_script('tblip2_train'), *args, '--data_dir', str(tmp_path/'data'), '--run_dir', str(tmp_path/'run')],
                           capture_output=True, text=True, timeout=120)
        last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''
        assert r.returncode == 2 and 'Traceback' not in r.stderr and says in last, (args, r.returncode, r.stderr[-1500:])
    assert not (tmp_path/'data').exists() and not (tmp_path/'run').exists()
