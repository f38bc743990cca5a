"""Which ViT tokens should the tiny model's Q-Former read? All patch tokens (BLIP-2's way) against each image's
class token only, with everything else as in `make demo` (nbs/demo.yaml): same data, same steps, same seed.
Prints one row per setting: test scores, unique sentences, image reliance and the attributes named.

    python bench/ablate_image_tokens.py [--num_epochs 30]     # about 2 x 4 minutes on 2 CPU cores
"""
import argparse, time
from pathlib import Path
import pandas as pd, yaml
from tblip2.train import check_config, train, test
from tblip2.evaluation import caption_diversity, markdown_table

ROOT = Path(__file__).resolve().parents[1]

def run(image_tokens:str, num_epochs:int) -> dict:
    "Train and test one setting; its row of the table"
    params = yaml.safe_load((ROOT/'nbs'/'demo.yaml').read_text())
    params.update(image_tokens=image_tokens, num_epochs=num_epochs, run_dir=f'runs/ablate-{image_tokens}', resume=False,
                  early_stopping_patience=num_epochs)  # the same number of steps for both
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
    args = p.parse_args()
    rows = {f'image_tokens={t}': run(t, args.num_epochs) for t in ('patches', 'cls')}
    print(markdown_table(pd.DataFrame(rows).T.rename_axis(f'{args.num_epochs} epochs')))
