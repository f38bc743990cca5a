"""The four benchmark recipes in nbs/recipes/ pass `tblip2_train --check` on data in each benchmark's exact layout and a
BLIP-2 folder; as shipped (no data here) the check stops in one line naming the data folder."""
import contextlib, io
from pathlib import Path
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ('spot-the-diff', 'clevr-change', 'ier', 'levir-cc')

@pytest.fixture(scope='module')
def blip2_dir(tmp_path_factory):
    "A BLIP-2 folder (config, weights, processor) as `load_blip2` reads one: the tiny OPT one"
    from tblip2.model import tiny_blip2
    d = tmp_path_factory.mktemp('blip2')
    blip2, processor = tiny_blip2(); blip2.save_pretrained(d); processor.save_pretrained(d)
    return d

def check(*args) -> tuple[int, str]:
    from tblip2.train import train_cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: train_cli(['--check', *map(str, args)]); code = 0
        except SystemExit as e: code = e.code
    return code, out.getvalue() + err.getvalue()

@pytest.mark.parametrize('name', RECIPES)
def test_recipe_checks(name, blip2_dir, tmp_path):
    from tblip2.benchmarks import write_example
    recipe = ROOT/'nbs'/'recipes'/f'{name}.yaml'
    params = yaml.safe_load(recipe.read_text())
    assert params['dataset'] == name and params['lm_tuning'] == 'lora' and params['cache_vision'] is True
    assert (params['lora_r'], params['lora_alpha']) == (16, 32)
    data = write_example(name, tmp_path/'data', counts=(4, 2, 2), image_size=32)
    where = ['--run_dir', tmp_path/'run', '--checkpoint_dir', tmp_path/'ckpt']
    code, said = check('--config', recipe, '--data_dir', data, '--model_name', blip2_dir, *where)
    assert code == 0 and said.startswith('tblip2_train: ok: ') and f'BLIP-2 {blip2_dir} (opt)' in said, said
    assert not (tmp_path/'run').exists() and not (tmp_path/'ckpt').exists()
    code, said = check('--config', recipe, '--model_name', blip2_dir, *where)       # the recipe's own data folder
    assert code == 2 and len(said.strip().splitlines()) == 1 and str(ROOT/params['data_dir']) in said, said
    code, said = check('--config', recipe, '--data_dir', data, *where)              # the real BLIP-2, not cached here
    assert code == 2 and 'Salesforce/blip2-opt-2.7b' in said, said
    code, said = check('--config', recipe, '--data_dir', data, '--model_name', blip2_dir, '--lora_target_modules',
                       '["q", "v"]', *where)                                          # T5's names on an OPT model
    assert code == 2 and 'lora_target_modules' in said and "['q', 'v']" in said, said
