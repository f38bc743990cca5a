"""The README's picture: the picker in JupyterLab, in Debian's Chromium, on a synthetic test pair described by a model.

    python bench/picker_picture.py                                   # the demo model (make demo), pair 1200, every change
    python bench/picker_picture.py --model M --data_dir D --pair 1207 --out /tmp/picker.png

JupyterLab serves a scratch folder on 127.0.0.1 with a two-cell notebook that opens `DiffPicker(model, dataset)` on the
pair, ticks "describe every change" and describes it; the picker is screenshot once its sentences are shown.
"""
import argparse, json, os, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = '/usr/bin/chromium'
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']

def notebook(model:str, data_dir:str, pair:str) -> dict:
    "A notebook that opens the picker on `pair`, described one sentence per change"
    src = [f"from tblip2.interactive import DiffPicker\nfrom tblip2.datasets import SpotTheDiffDataset\n"
           f"p = DiffPicker({model!r}, SpotTheDiffDataset({data_dir!r}, 'test'))\n"
           f"p.choose({pair!r}); p.every_change.value = True; p.describe(wait=True)\np"]
    cell = dict(cell_type='code', source=src, metadata={}, outputs=[], execution_count=None)
    return dict(cells=[cell], metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')),
                nbformat=4, nbformat_minor=5)

def serve(folder:Path) -> tuple[subprocess.Popen, str]:
    "JupyterLab on a free port of 127.0.0.1, serving `folder` with no token; the process and its URL"
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    env = {**os.environ, 'PATH': os.pathsep.join([str(Path(sys.executable).parent), os.environ.get('PATH', '')]),
           'JUPYTER_PATH': str(Path(sys.base_prefix)/'share'/'jupyter')}
    p = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                          '--allow-root', '--IdentityProvider.token=', '--ServerApp.password=',
                          f'--ServerApp.root_dir={folder}', '--LabApp.expose_app_in_browser=True',
                          '--LabApp.news_url=None', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                         cwd=folder, stdout=open(folder/'lab.log', 'w'), stderr=subprocess.STDOUT, env=env)
    url, deadline = f'http://127.0.0.1:{port}', time.time() + 120
    while True:
        try: urllib.request.urlopen(f'{url}/api/status', timeout=2); return p, url
        except OSError:
            if p.poll() is not None or time.time() > deadline: sys.exit(f"JupyterLab did not start: see {folder/'lab.log'}")
            time.sleep(0.5)

def screenshot(url:str, out:Path):
    "Run the notebook in the browser and screenshot the picker once it shows its sentences"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={'width': 1300, 'height': 1100})
        page.goto(f'{url}/lab/tree/picture.ipynb')
        page.wait_for_selector('.jp-NotebookPanel .jp-Cell', timeout=90_000)
        page.add_style_tag(content='.Toastify { display: none !important; }')
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                               "window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel", timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        picker = page.wait_for_selector('.tblip2-picker', timeout=180_000)
        page.wait_for_selector('.tblip2-sentence', timeout=180_000)
        out.parent.mkdir(parents=True, exist_ok=True)
        picker.screenshot(path=str(out))
        browser.close()

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default=str(ROOT/'checkpoints'/'demo'/'best'))
    ap.add_argument('--data_dir', default=str(ROOT/'data'/'synthetic'))
    ap.add_argument('--pair', default='1200', help='a test pair of the data folder')
    ap.add_argument('--out', default=str(ROOT/'nbs'/'images'/'picker.png'))
    a = ap.parse_args()
    for path in (a.model, a.data_dir, CHROMIUM):
        if not Path(path).exists(): sys.exit(f"{path}: not found (make demo makes the model and the data)")
    with tempfile.TemporaryDirectory() as d:
        (Path(d)/'picture.ipynb').write_text(json.dumps(notebook(str(Path(a.model).resolve()),
                                                                 str(Path(a.data_dir).resolve()), a.pair)))
        lab, url = serve(Path(d))
        try: screenshot(url, Path(a.out))
        finally: lab.terminate()
    print(f"wrote {a.out}")
