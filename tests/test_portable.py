"""Portable mode (nbs/00_portable.ipynb): the suite's short repeat run gives, on any x86-64 CPU with the same torch
build, the weights recorded in tests/portable_digests.json; the README quotes the recorded demo.

After a change that moves the weights on purpose: `python tests/test_portable.py --record` runs the short run again and
writes its digest, with the demo's (`runs/demo`, from a portable `make demo`)."""
import json, platform, sys, tempfile
from pathlib import Path
import pytest
from test_repeat import PORTABLE, SETTINGS, repeat_cmd
from test_train_runs import ROOT, digests, run

RECORD = Path(__file__).with_name('portable_digests.json')
X86 = platform.machine().lower() in ('x86_64', 'amd64')

def short_run(tmp:Path) -> dict:
    "The short run in portable mode: its weights digest and what its history.json says it ran on"
    log = run(repeat_cmd(tmp, 'a', 'data'), env=PORTABLE)
    repro = json.loads((tmp/'a'/'run'/'history.json').read_text())['reproducibility']
    return dict(weights=digests(log)['0'], made_on=repro['device'], torch=repro['torch'],
                transformers=repro['transformers'], kernels=repro['kernels'], threads=repro['threads'])

@pytest.mark.skipif(not X86, reason='portable mode pins the kernels of x86-64 CPUs; ARM runs others')
def test_short_run_gives_the_recorded_weights(tmp_path):
    want = json.loads(RECORD.read_text())['short']
    got = short_run(tmp_path)
    assert got['kernels']['cpu_capability'] == 'DEFAULT' and got['threads'] == 1, got  # the pins were in force
    assert got['kernels']['MKL_CBWR'] == 'COMPATIBLE' and got['kernels']['ONEDNN_MAX_CPU_ISA'] == 'SSE41', got
    versions = {k: (want[k], got[k]) for k in ('torch', 'transformers') if want[k] != got[k]}
    assert got['weights'] == want['weights'], (
        f"portable weights {got['weights']} on {got['made_on']}, recorded {want['weights']} on {want['made_on']}"
        + (f"; other versions (recorded, here): {versions}" if versions else ''))

def test_readme_quotes_the_recorded_demo():
    demo = json.loads(RECORD.read_text())['demo']
    readme = (ROOT/'README.md').read_text()
    assert f"`{demo['weights']}`" in readme, f"the README's demo is not the recorded portable one ({demo['weights']})"

def record():
    "Write tests/portable_digests.json: the short run made here, and the demo of runs/demo if it ran portable"
    with tempfile.TemporaryDirectory() as tmp: short = short_run(Path(tmp))
    history = json.loads((ROOT/'runs'/'demo'/'history.json').read_text())
    if not history['reproducibility'].get('portable'): sys.exit("runs/demo was not a portable run: run `make demo` first")
    demo = dict(weights=(ROOT/'runs'/'demo'/'weights-rank0.txt').read_text().split()[-1],
                made_on=history['reproducibility']['device'], torch=history['reproducibility']['torch'])
    RECORD.write_text(json.dumps(dict(short=dict(settings=[str(s) for s in SETTINGS], **short), demo=demo), indent=1) + '\n')
    print(RECORD.read_text())

if __name__ == '__main__':
    if sys.argv[1:] != ['--record']: sys.exit(__doc__)
    record()
