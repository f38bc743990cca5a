"""Drawn sequences described step by step (`tblip2_diff --sequence`'s `describe_sequence`), scored per step.

  python bench/sequence_recall.py                          # the demo model, 20 drawn test sequences of 4 steps
  python bench/sequence_recall.py --model M --sequences 50 --steps 6
  python bench/sequence_recall.py --split val             # the drawn validation sequences, to tune on

The generator draws each sequence (`tblip2.benchmarks.write_sequences`: one background, one or two changes a step,
the truth per step kept apart); the model describes every step with one sentence per detected change. Per step
position: the share of the step's changes named by one of its sentences (colour and shape: `change_recall`), the
share also naming the right kind of change (appeared, gone, moved, recoloured: the generator's wording), and the
sentences per step (`tblip2.evaluation.sequence_scores`); then the same by kind of change, and the moves by whether
the detector paired their two regions. One model, one run: tables that document the sequence path, not a 3-seed claim
about a model; they feed the results-log entries `sequences` and `moves`.
"""
import argparse, json, tempfile
from pathlib import Path

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument('--model', default=None, help='checkpoint folder (default: the demo model)')
    p.add_argument('--sequences', type=int, default=20); p.add_argument('--steps', type=int, default=4)
    p.add_argument('--image_size', type=int, default=224, help="the frames' side (the demo set's: 224)")
    p.add_argument('--split', choices=('val', 'test'), default='test', help='the drawn sequences: tune on val')
    args = p.parse_args(argv)
    from tblip2.benchmarks import write_sequences
    from tblip2.describe import default_model_path, load_model, describe_sequence
    from tblip2.evaluation import sequence_scores, markdown_table, says_kind, holds_centre
    path = Path(args.model) if args.model else default_model_path()
    if path is None: raise SystemExit("no model: give --model, or train the demo model with `make demo`")
    model = load_model(path)
    # the draws depend on the seed and the sequence's number only: the two splits are two seeds
    counts, seed = {'val': ((0, args.sequences, 0), 2), 'test': ((0, 0, args.sequences), 1)}[args.split]
    root = write_sequences(Path(tempfile.mkdtemp())/'seqs', counts=counts, steps=args.steps,
                           image_size=args.image_size, seed=seed)
    truth = json.loads((root/'sequence_truth.json').read_text())
    said, moves = {}, {'paired': [], 'not paired': []}  # per true move: said with its kind, by whether it was paired
    for line in (root/'sequences.jsonl').read_text().splitlines():
        e = json.loads(line)
        out = describe_sequence([root/im for im in e['images']], model, model.config.detector, per_change=True)
        said[e['id']] = [[c['sentence'] for c in step['changes']] for step in out['steps']]
        for step, changes, sentences in zip(out['steps'], truth[e['id']], said[e['id']]):
            for c in (c for c in changes if c['change'] == 'move'):
                boxes = [cl['bbox'] for cl in step['clusters']]
                paired = any(holds_centre(boxes[i - 1], c['bbox_before']) and holds_centre(boxes[j - 1], c['bbox'])
                             for i, j in step['moves'])
                moves['paired' if paired else 'not paired'].append(any(says_kind(s, c) for s in sentences))
    print(f"# {args.sequences} drawn {args.split} sequences of {args.steps} steps at {args.image_size} px, model {path}")
    print(markdown_table(sequence_scores(said, truth)))
    print("\n# by kind of change")
    print(markdown_table(sequence_scores(said, truth, by='change')))
    print("\n# the moves, by whether the detector paired their two regions (join_moves)")
    print('| moves | n | with its kind |\n| --- | ---: | ---: |')
    for k, v in moves.items(): print(f"| {k} | {len(v)} | {sum(v) / max(len(v), 1):.3f} |")

if __name__ == '__main__': main()
