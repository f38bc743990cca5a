"""Drawn sequences described step by step (`tblip2_diff --sequence`'s `describe_sequence`), scored per step.

  python bench/sequence_recall.py                          # the demo model, 20 drawn test sequences of 4 steps
  python bench/sequence_recall.py --model M --sequences 50 --steps 6

The generator draws each sequence (`tblip2.benchmarks.write_sequences`: one background, one or two changes a step,
the truth per step kept apart); the model describes every step with one sentence per detected change. Per step
position: the share of the step's changes named by one of its sentences (colour and shape: `change_recall`), the
share also naming the right kind of change (appeared, gone, moved, recoloured: the generator's wording), and the
sentences per step. One model, one run: a table that documents the sequence path, not a 3-seed claim about a model;
it feeds the results-log entry `sequences`.
"""
import argparse, json, tempfile
from pathlib import Path

KIND_WORDS = {'appear': ('appeared', 'added', 'is new', 'now there is', 'in the after image'),
              'disappear': ('gone', 'no longer', 'disappeared', 'anymore', 'missing'),
              'move': ('moved', 'went from', 'is now in', 'is now on', 'is now at'),
              'colour': ('turned', 'became', 'changed from', 'instead of')}

def kind_named(sentence:str, change:dict) -> bool:
    "Whether `sentence` says the change's kind in the generator's words (a colour change: or 'is now <colour>')"
    s = sentence.lower()
    words = KIND_WORDS[change['change']] + ((f"is now {change['colour']}",) if change['change'] == 'colour' else ())
    return any(w in s for w in words)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument('--model', default=None, help='checkpoint folder (default: the demo model)')
    p.add_argument('--sequences', type=int, default=20); p.add_argument('--steps', type=int, default=4)
    p.add_argument('--image_size', type=int, default=224, help="the frames' side (the demo set's: 224)")
    args = p.parse_args(argv)
    from tblip2.benchmarks import write_sequences
    from tblip2.describe import default_model_path, load_model, describe_sequence
    from tblip2.evaluation import change_recall, names
    path = Path(args.model) if args.model else default_model_path()
    if path is None: raise SystemExit("no model: give --model, or train the demo model with `make demo`")
    model = load_model(path)
    root = write_sequences(Path(tempfile.mkdtemp())/'seqs', counts=(0, 0, args.sequences), steps=args.steps,
                           image_size=args.image_size, seed=1)
    truth = json.loads((root/'sequence_truth.json').read_text())
    said = {}
    for line in (root/'sequences.jsonl').read_text().splitlines():
        e = json.loads(line)
        out = describe_sequence([root/im for im in e['images']], model, model.config.detector, per_change=True)
        for k, step in enumerate(out['steps']): said[(e['id'], k)] = [c['sentence'] for c in step['changes']]
    rows = []
    for k in range(args.steps):
        per = {sid: said[(sid, k)] for sid in truth}
        boxes = {sid: truth[sid][k] for sid in truth}
        r = change_recall(per, boxes, min_changes=1)
        kinds = [any(kind_named(s, c) and names(s, c)['colour'] and names(s, c)['shape'] for s in per[sid])
                 for sid in truth for c in boxes[sid]]
        rows.append(dict(step=k + 1, changes=len(kinds), **{'change recall': r['change recall'],
                         'with its kind': sum(kinds) / max(len(kinds), 1), 'change precision': r['change precision'],
                         'sentences per step': r['sentences per pair']}))
    print(f"# {args.sequences} drawn sequences of {args.steps} steps at {args.image_size} px, model {path}")
    cols = list(rows[0])
    print('| ' + ' | '.join(cols) + ' |\n|' + '---|' * len(cols))
    for r in rows: print('| ' + ' | '.join(f'{v:.3f}' if isinstance(v, float) else str(v) for v in r.values()) + ' |')

if __name__ == '__main__': main()
