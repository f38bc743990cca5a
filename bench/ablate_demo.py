"""Ablations of the tiny demo model: each variant changes one thing in `make demo`'s parameters (nbs/demo.yaml)
and runs the same data, steps and seed. Prints one row per variant: test scores, share of unique sentences,
image reliance and the share of single-change pairs whose sentence names the changed object's colour, shape, place.

    python bench/ablate_demo.py [--num_epochs 30] [--variants patches cls no-alignment]   # about 4 minutes a variant
"""
import argparse, time
from pathlib import Path
import pandas as pd, yaml
from tblip2.train import check_config, train, test
from tblip2.evaluation import caption_diversity, markdown_table

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    'patches': dict(image_tokens='patches'),                      # every ViT patch token in the memory, as BLIP-2
    'cls': dict(),                                                # the demo: each image's class token only
    'no-alignment': dict(aln_weight_itc=0.0, aln_weight_itm=0.0), # the demo without the ITC and ITM losses
}

def run(name:str, num_epochs:int) -> dict:
    "Train and test one variant; its row of the table"
    params = yaml.safe_load((ROOT/'nbs'/'demo.yaml').read_text())
    params.update(VARIANTS[name], num_epochs=num_epochs, run_dir=f'runs/ablate-{name}', resume=False,
                  early_stopping_patience=num_epochs)  # every variant trains for the same number of steps
    cfg = check_config(**params)
    start = time.perf_counter()
    train(cfg, progress=False)
    res = test(cfg, progress=False)
    scores, attrs = dict(res['scores']['tblip2 (this run)']), res['attributes']['tblip2 (this run)']
    return {'BLEU-4': scores['BLEU-4'], 'CIDEr-D': scores['CIDEr-D'],
            'unique sentences': caption_diversity(res['predictions'])['unique captions'], 'image gap (nats/token)': res['reliance']['gap'],
            **{f'names {k}': v for k, v in attrs.items()}, 'minutes': (time.perf_counter() - start) / 60}

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--num_epochs', type=int, default=30)
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    args = p.parse_args()
    rows = {name: run(name, args.num_epochs) for name in args.variants}
    print(markdown_table(pd.DataFrame(rows).T.rename_axis(f'{args.num_epochs} epochs')))
