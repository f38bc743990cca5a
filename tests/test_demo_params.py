"""The parameters of `make demo` (nbs/demo.yaml) are a valid training config, and the Makefile passes that file."""
from pathlib import Path
import yaml
from tblip2.train import check_config

ROOT = Path(__file__).resolve().parents[1]

def test_demo_params_are_a_valid_config():
    params = yaml.safe_load((ROOT/'nbs'/'demo.yaml').read_text())
    cfg = check_config(**params)  # raises, naming the parameter, on a wrong name, type or value
    assert cfg.run_dir == 'runs/demo' and cfg.model_name == 'tiny' and cfg.model.image_tokens == 'cls' and cfg.model.lm_tuning == 'full'
    assert all(isinstance(params[k], float) for k in ('learning_rate', 'new_parts_lr_scale', 'aln_weight_itc'))

def test_makefile_demo_uses_the_file():
    assert 'DEMO_PARAMS ?= -f nbs/demo.yaml' in (ROOT/'Makefile').read_text()
