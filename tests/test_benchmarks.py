"""Every dataset format as a user trains on it: `tblip2_data --pairs` on a folder of images, and a short training
and test run of `tblip2_train` on a tiny example of each benchmark's exact layout."""
import json, os, subprocess, sys, textwrap
from pathlib import Path
from test_datasets_cli import console_script

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ('clevr-change', 'ier', 'nlvr2', 'levir-cc', 'coco', 'pairs')  # spot-the-diff: the synthetic set's runs (test_train_runs.py)
TINY = ['--num_epochs', '1', '--tiny_width', '32', '--image_size', '32', '--batch_size', '6', '--eval_samples', '2',
        '--max_test_samples', '4', '--lm_tuning', 'full', '--freeze_vision', 'false']

# One process for every format: importing torch and transformers once keeps the suite short. Java is kept off PATH,
# so scoring uses the pure-Python tokenizer and skips METEOR (a JVM start per score); the CLI's scoring is the same code.
LOOP = textwrap.dedent('''
    import json, sys, time
    from pathlib import Path
    from tblip2.benchmarks import write_example
    from tblip2.train import train_cli
    tmp, tiny, done = Path(sys.argv[1]), json.loads(sys.argv[2]), {}
    for name in json.loads(sys.argv[3]):
        start, data = time.perf_counter(), write_example(name, tmp/name/'data', counts=(6, 2, 4), image_size=32)
        try: train_cli(['--dataset', name, '--data_dir', str(data), '--run_dir', str(tmp/name/'run'), '--checkpoint_dir', str(tmp/name/'ckpt'), *tiny])
        except SystemExit as e: done[name] = f'exit {e.code}'; continue
        done[name] = round(time.perf_counter() - start, 1)
    print('DONE ' + json.dumps(done))
''')

def test_train_and_test_on_every_format(tmp_path):
    # one thread: toy-sized tensors gain nothing from two, and spin-waiting threads cost minutes on a busy machine
    env = {**os.environ, 'TBLIP2_PROGRESS': 'off', 'PATH': str(Path(sys.executable).parent), 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([sys.executable, '-c', LOOP, str(tmp_path), json.dumps(TINY), json.dumps(FORMATS)],
                       capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert r.returncode == 0 and 'DONE ' in r.stdout, r.stdout[-3000:] + r.stderr[-3000:]
    done = json.loads(r.stdout.split('DONE ')[-1])
    assert all(isinstance(v, float) for v in done.values()) and list(done) == list(FORMATS), done
    for name in FORMATS:
        scores = json.loads((tmp_path/name/'run'/'test_scores.json').read_text())
        preds = json.loads((tmp_path/name/'run'/'test_predictions.json').read_text())
        assert len(preds) == 4 and 'CIDEr-D' in scores['tblip2 (this run)'], (name, scores)
        by_type = scores.get('by change type')
        if name in ('clevr-change', 'levir-cc', 'coco', 'pairs'):
            assert by_type and by_type['total']['pairs'] == len(preds), (name, by_type)
            if name != 'coco': assert sum(by_type.get(g, {}).get('pairs', 0) for g in ('change', 'no-change')) == len(preds), (name, by_type)
        else: assert by_type is None, (name, by_type)
    per_uid = (tmp_path/'ier'/'run'/'test_per_pair.csv').read_text().splitlines()
    assert per_uid[0].startswith('pair_id,') and len(per_uid) == 5 and per_uid[1].startswith('pair_'), per_uid
    print(done)

def test_missing_images_stop_training_in_one_line(tmp_path):
    "The annotations without their images: one line naming how many pairs, the first missing file and where to get them, exit 2"
    from tblip2.benchmarks import write_example
    data = write_example('clevr-change', tmp_path/'data', counts=(2, 1, 1))
    for p in (data/'sc_images').glob('*.png'): p.unlink()
    r = subprocess.run([console_script('tblip2_train'), '--dataset', 'clevr-change', '--data_dir', str(data), '--run_dir', str(tmp_path/'run'),
                        '--checkpoint_dir', str(tmp_path/'ckpt')], capture_output=True, text=True, timeout=300, cwd=ROOT)
    err = r.stderr.strip()
    assert r.returncode == 2 and 'Traceback' not in err and len(err.splitlines()) == 1, err[-2000:]
    assert f"2 of the 4 train pairs of {data} lack images (first missing: {data/'sc_images'/'CLEVR_semantic_000000.png'})" in err, err
    assert "Benchmarks and your own pairs" in err and 'RobustChangeCaptioning' in err, err
    assert [p for p in tmp_path.glob('ckpt/**/*') if p.is_file()] == [], "nothing is written before the images are checked"

def test_data_cli_writes_pairs_jsonl(tmp_path):
    import numpy as np
    from PIL import Image
    own = tmp_path/'own'
    for sub in ('before', 'after'): (own/sub).mkdir(parents=True)
    for k in range(5):
        for sub, v in (('before', 0), ('after', 200)): Image.fromarray(np.full((16, 16, 3), v, np.uint8)).save(own/sub/f'p{k}.jpg')
    csv = tmp_path/'captions.csv'
    csv.write_text('id,caption,split\n' + ''.join(f'p{k},change {k},{"train" if k < 3 else "val" if k == 3 else "test"}\n' for k in range(5)))
    r = subprocess.run([console_script('tblip2_data'), '--pairs', own, '--captions', csv], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and 'pairs.jsonl: 5 pairs (train 3, val 1, test 1)' in r.stdout, r.stdout + r.stderr
    lines = [json.loads(l) for l in (own/'pairs.jsonl').read_text().splitlines()]
    assert lines[0] == {'id': 'p0', 'before': 'before/p0.jpg', 'after': 'after/p0.jpg', 'captions': ['change 0'], 'split': 'train'}, lines[0]
    # again without --overwrite, or with a caption for a pair that is not there: one line, exit 2
    r = subprocess.run([console_script('tblip2_data'), '--pairs', own, '--captions', csv], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and 'exists: pass --overwrite' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    csv.write_text('id,caption\np0,a\np1,b\np2,c\np3,d\np4,e\np9,x\n')
    r = subprocess.run([console_script('tblip2_data'), '--pairs', own, '--captions', csv, '--overwrite'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "1 ids have no image pair" in r.stderr and 'Traceback' not in r.stderr, r.stderr
    (own/'after'/'p2.jpg').write_bytes(b'not an image')  # unreadable files are the loader's business; missing ones are found here
    (own/'after'/'p4.jpg').unlink()
    csv.write_text('id,caption\np0,a\np1,b\np2,c\np3,d\n')
    r = subprocess.run([console_script('tblip2_data'), '--pairs', own, '--captions', csv, '--overwrite'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and '4 pairs' in r.stdout, r.stdout + r.stderr
