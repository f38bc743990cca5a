"""The picker end to end in a real browser: JupyterLab on 127.0.0.1, Debian's Chromium driven by Playwright,
the real `nbs/06_interactive.ipynb` run to its `DiffPicker`, a pair picked, Describe clicked, the numbered regions and
the sentences awaited, a sentence's number clicked to highlight its box; the overlay and flicker views; a checkpoint
loaded whose detector finds one region at most, the boxes redrawn with it; then `after.png` and `before.png` uploaded
in that order, and the left picture's pixels read to check that it shows the before image; then the two uploaded one
per button; then a folder of three pictures described in the Sequence tab and its second step opened as a pair."""
import json, os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import numpy as np, pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = '06_interactive.ipynb'
CHROMIUM = '/usr/bin/chromium'
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
pytestmark = pytest.mark.timeout(420)

def ensure_chromium() -> str:
    "Debian's Chromium, installed with apt-get where it is missing and we are root; skip with the reason otherwise"
    if Path(CHROMIUM).exists(): return CHROMIUM
    if os.geteuid() != 0 or not shutil.which('apt-get'): pytest.skip(f"{CHROMIUM} missing and cannot install it (needs root and apt-get)")
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    for cmd in (['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium']):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if r.returncode: pytest.skip(f"cannot install Chromium ({' '.join(cmd)} failed): {r.stderr.strip()[-300:]}")
    return CHROMIUM

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def workdir(tmp_path_factory):
    "A folder with the picker's notebook (it makes its own pairs and model) and two pictures to upload: a square appears in after.png"
    d = tmp_path_factory.mktemp('lab')
    nb = json.loads((REPO/'nbs'/NOTEBOOK).read_text())
    nb['metadata']['kernelspec'] = dict(name='python3', display_name='Python 3', language='python')
    (d/NOTEBOOK).write_text(json.dumps(nb))
    before = np.random.default_rng(0).integers(90, 110, (64, 64, 3), dtype=np.uint8)
    after = before.copy(); after[20:40, 10:30] = (230, 40, 40)
    Image.fromarray(before).save(d/'before.png'); Image.fromarray(after).save(d/'after.png')
    (d/'other').mkdir(); Image.fromarray(after).save(d/'other'/'later.png')   # an after picture in another folder
    (d/'weekly').mkdir()                                                          # a sequence: the square comes and goes
    for k, im in enumerate((before, after, before)): Image.fromarray(im).save(d/'weekly'/f'week{k}.png')
    from tblip2.model import EnhancedDiffBLIP2, DiffBLIP2Config, tiny_blip2
    # a model whose detector keeps one region at most
    EnhancedDiffBLIP2(*tiny_blip2(image_size=32), DiffBLIP2Config(detector=dict(max_clusters=1))).save_pretrained(d/'one-region')
    return d

PIXEL_JS = """async ([x, y]) => {
  const im = document.querySelector('.tblip2-picker .tblip2-before'), right = document.querySelector('.tblip2-picker .tblip2-after');
  await im.decode();
  const c = document.createElement('canvas'); c.width = im.naturalWidth; c.height = im.naturalHeight;
  const g = c.getContext('2d'); g.drawImage(im, 0, 0);
  return {rgba: Array.from(g.getImageData(x, y, 1, 1).data), left: im.getBoundingClientRect().left, right_left: right.getBoundingClientRect().left};
}"""

def lab_env() -> dict:
    "JupyterLab's environment: this Python's kernel and, in a venv over system site packages, the base prefix's widget extension"
    paths = [p for p in (os.environ.get('JUPYTER_PATH'), str(Path(sys.base_prefix)/'share'/'jupyter')) if p]
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get('PATH', '')])  # kernel specs that say just `python`
    return {**os.environ, 'PATH': path, 'JUPYTER_PATH': os.pathsep.join(paths), 'TBLIP2_MODEL': ''}

@pytest.fixture(scope='module')
def lab(workdir):
    "JupyterLab serving `workdir` on 127.0.0.1 with an empty token; its URL"
    port = free_port()
    log = open(workdir/'lab.log', 'w')
    p = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}', '--allow-root',
                          "--IdentityProvider.token=", "--ServerApp.password=", f'--ServerApp.root_dir={workdir}',
                          '--LabApp.expose_app_in_browser=True', '--LabApp.news_url=None',
                          '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                         cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=lab_env())
    url, deadline = f'http://127.0.0.1:{port}', time.time() + 120
    while True:
        try: urllib.request.urlopen(f'{url}/api/status', timeout=2); break
        except OSError:
            if p.poll() is not None or time.time() > deadline:
                p.kill(); pytest.fail(f"JupyterLab did not start:\n{(workdir/'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield url
    p.terminate()
    try: p.wait(20)
    except subprocess.TimeoutExpired: p.kill()

@pytest.fixture(scope='module')
def chromium(): return ensure_chromium()

def test_pick_describe_in_browser(chromium, lab, workdir):
    from playwright.sync_api import sync_playwright
    shot = Path(os.environ.get('TBLIP2_PICKER_SCREENSHOT', workdir/'picker.png'))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={'width': 1300, 'height': 1000})
        try:
            page.goto(f'{lab}/lab/tree/{NOTEBOOK}')
            page.wait_for_selector('.jp-NotebookPanel .jp-Cell', timeout=90_000)
            page.add_style_tag(content='.Toastify { display: none !important; }')  # the "Jupyter news?" toast would cover the picture
            page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                                   "window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel", timeout=90_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            picker = page.wait_for_selector('.tblip2-picker', timeout=180_000)  # the notebook's tests run first
            page.wait_for_selector('.tblip2-boxes li', timeout=60_000)  # the first pair's boxes
            pair = page.locator('.tblip2-pair select option').nth(2).text_content()
            page.select_option('.tblip2-pair select', label=pair)
            page.wait_for_selector(f'.tblip2-boxes:has-text("in {pair}")', timeout=60_000)
            page.click('.tblip2-picker .widget-checkbox input')   # describe every change: a sentence per region
            page.click('.tblip2-describe button, button.tblip2-describe')
            page.wait_for_selector('.tblip2-sentence', timeout=120_000)
            assert page.locator('.tblip2-description').inner_text().startswith('Untrained model')  # said, not hidden
            assert 'Untrained' in page.locator('.tblip2-model').inner_text()
            n = page.locator('.tblip2-boxes li').count(); assert n >= 1
            assert page.locator('.tblip2-boxes li').first.inner_text().startswith('1 box ['), page.locator('.tblip2-boxes').inner_text()
            assert page.locator('.tblip2-picker img').count() >= 3  # before, after, difference map
            assert 'reference sentences' in page.locator('.tblip2-references').inner_text()
            assert page.locator('.tblip2-message').count() == 0, page.locator('.tblip2-message').inner_text()
            # the result is beside the pictures, not under the controls
            pics, said = page.locator('.tblip2-third').bounding_box(), page.locator('.tblip2-sentences').bounding_box()
            assert said['x'] > pics['x'] + pics['width'] - 5 and said['y'] < pics['y'] + pics['height'], (pics, said)
            number = page.locator('.tblip2-region-1').first                 # the sentence's number, in its region's colour
            colour = number.evaluate("b => getComputedStyle(b).backgroundColor")
            assert colour == 'rgb(230, 159, 0)', colour
            plain_pic = page.evaluate("() => document.querySelector('.tblip2-picker .tblip2-before').src")
            number.click()
            page.wait_for_function("s => document.querySelector('.tblip2-picker .tblip2-before').src !== s", arg=plain_pic, timeout=30_000)
            shot.parent.mkdir(parents=True, exist_ok=True)
            picker.screenshot(path=str(shot))
            assert shot.stat().st_size > 5_000
            page.click('.tblip2-view button:has-text("overlay")')
            page.wait_for_selector('.tblip2-picker b:has-text("overlay")', timeout=30_000)
            page.click('.tblip2-view button:has-text("flicker")')
            page.wait_for_selector('.tblip2-picker b:has-text("flicker")', timeout=30_000)
            page.click('.tblip2-view button:has-text("side by side")')
            # a checkpoint whose detector keeps one region: loaded, the boxes are its own at once
            page.fill('.tblip2-model-box input', str(workdir/'one-region'))
            page.click('.tblip2-load')
            page.wait_for_selector(f'.tblip2-model:has-text("{workdir/"one-region"}")', timeout=120_000)
            page.wait_for_function("() => document.querySelectorAll('.tblip2-boxes li').length <= 1", timeout=60_000)
            # uploaded after first: the names decide, and the left picture is the before image
            with page.expect_file_chooser() as chooser: page.click('.tblip2-upload')
            chooser.value.set_files([str(workdir/'after.png'), str(workdir/'before.png')])
            page.wait_for_selector('.tblip2-order:has-text("before before.png, after after.png")', timeout=60_000)
            page.wait_for_selector('.tblip2-boxes:has-text("in before")', timeout=60_000)
            left = page.evaluate(PIXEL_JS, [20, 30])  # inside the square, away from the box's outline
            assert left['left'] < left['right_left'], left                   # the before picture is the left one
            assert left['rgba'][0] < 150 and left['rgba'][1] > 60, left      # grey noise there, not the red square of after.png
            page.click('.tblip2-swap')
            page.wait_for_selector('.tblip2-order:has-text("swapped by hand")', timeout=60_000)
            deadline = time.time() + 60
            while page.evaluate(PIXEL_JS, [20, 30])['rgba'][0] < 200:  # now the red square is on the left
                assert time.time() < deadline, page.evaluate(PIXEL_JS, [20, 30])
                time.sleep(0.2)
            # one picture per button, from two folders
            with page.expect_file_chooser() as chooser: page.click('.tblip2-upload-before')
            chooser.value.set_files([str(workdir/'before.png')])
            page.wait_for_selector('.tblip2-message:has-text("now upload the after one")', timeout=60_000)
            with page.expect_file_chooser() as chooser: page.click('.tblip2-upload-after')
            chooser.value.set_files([str(workdir/'other'/'later.png')])
            page.wait_for_selector('.tblip2-order:has-text("before before.png, after later.png (the Before and After buttons)")',
                                   timeout=60_000)
            deadline = time.time() + 60
            while page.evaluate(PIXEL_JS, [20, 30])['rgba'][0] > 150:  # the before picture on the left again
                assert time.time() < deadline, page.evaluate(PIXEL_JS, [20, 30])
                time.sleep(0.2)
            # the sequence tab: a folder of three pictures, the strip of its two steps, the second opened as a pair
            page.click('.tblip2-picker .lm-TabBar-tab:has-text("Sequence"), .tblip2-picker .p-TabBar-tab:has-text("Sequence")')
            page.fill('.tblip2-picker input[placeholder="a folder of pictures, in name order"]', str(workdir/'weekly'))
            page.click('.tblip2-seq-describe')
            page.wait_for_selector('.tblip2-step', timeout=120_000)
            assert page.locator('.tblip2-strip .tblip2-step').count() == 2
            assert page.locator('.tblip2-strip img').count() == 2
            page.click('.tblip2-strip button:has-text("step 2: open")')
            page.wait_for_selector('.tblip2-order:has-text("(step 2 of the sequence)")', timeout=60_000)
            assert page.locator('.tblip2-boxes li').count() >= 1
        except Exception:
            page.screenshot(path=str(shot.with_name('picker_failure.png')))  # what the browser showed, for the failure report
            print(f"screenshot: {shot.with_name('picker_failure.png')}\nJupyterLab log:\n{(workdir/'lab.log').read_text()[-3000:]}")
            raise
        finally: browser.close()
