"""What makes two CPUs give other weights, one setting at a time: the suite's short repeat run (`tests/test_repeat.py`'s
settings, data generated afresh in each run, one thread unless a row says otherwise) under each kernel-library setting
alone, in portable mode, in portable mode with NumPy's and OpenCV's run-time CPU dispatch turned off, and (with
`--emulate`, where `qemu-x86_64` is installed: Debian's `qemu-user`) in portable mode on emulated CPUs of other models.
Prints each row's weights digest and whether it is the portable one.

    python bench/portable_pins.py                              # ten short runs, two at a time
    python bench/portable_pins.py --emulate Haswell-v4 EPYC-Rome   # and on an emulated Intel Haswell and AMD Zen 2 (about 4.5 min each, alone)

Feeds the results log entry 'Portable numbers' and nbs/00_portable.ipynb.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tests'))
from test_repeat import repeat_cmd  # the short run, as the suite runs it

def dispatch_off() -> dict:
    "The environment that turns off every CPU feature NumPy and OpenCV pick at run time (their baseline stays)"
    import cv2
    from numpy._core._multiarray_umath import __cpu_dispatch__
    cv = [f.lstrip('*').replace('-', '_') for f in cv2.getCPUFeaturesLine().split() if f.startswith('*')]
    return {'NPY_DISABLE_CPU_FEATURES': ' '.join(__cpu_dispatch__), 'OPENCV_CPU_DISABLE': ','.join(cv)}

def rows(emulate:list[str]) -> list[tuple[str, dict, str|None]]:
    "(row, environment, emulated CPU or None)"
    off = dispatch_off()
    out = [('this CPU, its own kernels', {}, None), ('ATEN_CPU_CAPABILITY=avx2', {'ATEN_CPU_CAPABILITY': 'avx2'}, None),
           ('ATEN_CPU_CAPABILITY=default', {'ATEN_CPU_CAPABILITY': 'default'}, None),
           ('MKL_CBWR=COMPATIBLE', {'MKL_CBWR': 'COMPATIBLE'}, None), ('ONEDNN_MAX_CPU_ISA=SSE41', {'ONEDNN_MAX_CPU_ISA': 'SSE41'}, None),
           ('two threads', {'OMP_NUM_THREADS': '2'}, None),
           ('portable', {'TBLIP2_PORTABLE': '1'}, None),
           ('portable, OMP_NUM_THREADS=2 asked for', {'TBLIP2_PORTABLE': '1', 'OMP_NUM_THREADS': '2'}, None),
           ('portable, NumPy dispatch off', {'TBLIP2_PORTABLE': '1', 'NPY_DISABLE_CPU_FEATURES': off['NPY_DISABLE_CPU_FEATURES']}, None),
           ('portable, OpenCV dispatch off', {'TBLIP2_PORTABLE': '1', 'OPENCV_CPU_DISABLE': off['OPENCV_CPU_DISABLE']}, None)]
    return out + [(f'portable, emulated {cpu} (qemu)', {'TBLIP2_PORTABLE': '1'}, cpu) for cpu in emulate]

def short_run(name:str, env:dict, cpu:str|None, tmp:Path) -> str:
    "The weights digest the short run ends with"
    cmd = repeat_cmd(tmp, name.replace(' ', '_').replace('/', '_'), name.replace(' ', '_') + '-data')
    if cpu: cmd = ['qemu-x86_64', '-cpu', cpu, sys.executable, *cmd]   # the console script run by the emulated CPU
    base = {k: v for k, v in os.environ.items() if k not in ('TBLIP2_PORTABLE', 'ATEN_CPU_CAPABILITY', 'MKL_CBWR', 'ONEDNN_MAX_CPU_ISA')}
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**base, 'OMP_NUM_THREADS': '1', 'TBLIP2_PROGRESS': 'off', **env})
    found = re.findall(r'rank 0: \d+ steps, weights (\w+)', r.stdout + r.stderr)
    if r.returncode or not found: return f'failed (exit {r.returncode}): ' + (r.stderr.strip().splitlines() or [''])[-1][:80]
    return found[0]

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--emulate', nargs='*', default=[], metavar='CPU', help='qemu CPU models to run the portable row on too')
    p.add_argument('--jobs', type=int, default=2, help='runs at a time (each one thread)')
    a = p.parse_args()
    if a.emulate and not shutil.which('qemu-x86_64'): sys.exit("--emulate needs qemu-x86_64 (Debian: apt-get install qemu-user)")
    table = rows(a.emulate)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(a.jobs) as pool:
        digests = list(pool.map(lambda r: short_run(r[0], r[1], r[2], Path(tmp)), table))
    portable = digests[[r[0] for r in table].index('portable')]
    lines = ['| run | environment | weights digest | the portable digest |', '|---|---|---|---|']
    for (name, env, cpu), d in zip(table, digests):
        shown = ', '.join(f'{k}={v}' for k, v in env.items() if k not in ('NPY_DISABLE_CPU_FEATURES', 'OPENCV_CPU_DISABLE'))
        shown += ''.join(f', {k}=<{len(env[k].replace(",", " ").split())} features>' for k in ('NPY_DISABLE_CPU_FEATURES', 'OPENCV_CPU_DISABLE') if k in env)
        lines.append(f"| {name} | {shown.lstrip(', ') or '(none)'} | {d} | {'yes' if d == portable else 'no'} |")
    from tblip2.train import cpu_model
    print(f"\n`python bench/portable_pins.py {' '.join(sys.argv[1:])}` on {cpu_model()}, torch {__import__('torch').__version__}:\n")
    print('\n'.join(lines))
