"""The workbook stays readable: notebooks in rhythm (each exported definition followed by a test before the next one),
package lines that fit, a README that is a front page and a results log that is dated."""
import ast, json, re, subprocess
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def code_cells(nb:Path) -> list[str]:
    return [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']

def is_export(src:str) -> bool: return re.match(r'\s*#\|\s*export', src) is not None

def definitions(src:str) -> list[str]:
    "Names of the functions and classes a cell defines at its top level"
    tree = ast.parse(re.sub(r'^\s*#\|.*$', '', src, flags=re.M))
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]

def is_test(src:str) -> bool: return not is_export(src) and re.search(r'\btest_\w+\(|\bassert\b', src) is not None

def untested(nb:Path) -> list[list[str]]:
    "The exported defining cells of `nb` with no test cell before the next exported defining cell"
    cells = code_cells(nb)
    defining = [i for i, s in enumerate(cells) if is_export(s) and definitions(s)]
    bounds = defining[1:] + [len(cells)]
    return [definitions(cells[i]) for i, end in zip(defining, bounds) if not any(map(is_test, cells[i + 1:end]))]

def test_rhythm_detects_an_untested_definition(tmp_path):
    cell = lambda src: dict(cell_type='code', source=src, metadata={}, outputs=[], execution_count=None)
    nb = tmp_path/'x.ipynb'
    nb.write_text(json.dumps(dict(cells=[cell('#| export\ndef f(): pass'), cell('test_eq(f(), None)'),
                                         cell('#| export\ndef g(): pass'), cell('print(g())'), cell('#| export\nX = 1')])))
    assert untested(nb) == [['g']]

def test_notebooks_in_rhythm():
    "At least 90% of the exported cells that define something are followed by a test before the next definition"
    counts = {nb.name: (len(untested(nb)), sum(bool(definitions(s)) for s in code_cells(nb) if is_export(s)))
              for nb in sorted((ROOT/'nbs').glob('*.ipynb'))}
    missing, total = sum(m for m, _ in counts.values()), sum(t for _, t in counts.values())
    assert total > 200 and missing / total <= 0.10, {k: v for k, v in counts.items() if v[0]}

def test_package_lines_fit():
    "Package lines are at most 120 characters, bar at most 60 (tables, URLs, the generated __all__)"
    long = [f"{p.name}:{i}" for p in sorted((ROOT/'tblip2').glob('*.py')) if p.name != '_modidx.py'
            for i, line in enumerate(p.read_text().splitlines(), 1) if len(line) > 120]
    assert len(long) <= 60, long

def test_readme_is_a_front_page():
    "At most 250 lines, the two commands on its first screen, and no commit hash (history belongs in RESULTS.md)"
    text = (ROOT/'README.md').read_text()
    assert len(text.splitlines()) <= 250
    first_screen = '\n'.join(text.splitlines()[:40])
    assert 'make demo' in first_screen and 'make test' in first_screen
    words = set(re.findall(r'\b[0-9a-f]{7,12}\b', text))
    try:
        commits = [w for w in words if subprocess.run(['git', 'rev-parse', '--verify', '--quiet', f'{w}^{{commit}}'],
                                                      cwd=ROOT, capture_output=True).returncode == 0]
    except FileNotFoundError: commits = []  # no git: nothing to check against
    assert commits == [], commits

def test_results_log_is_dated_newest_first():
    text = (ROOT/'RESULTS.md').read_text()
    dates = [date.fromisoformat(d) for d in re.findall(r'^## (\d{4}-\d{2}-\d{2}) · ', text, flags=re.M)]
    assert len(dates) >= 10 and dates == sorted(dates, reverse=True)
    for entry in re.split(r'^## \d{4}-\d{2}-\d{2} · ', text, flags=re.M)[1:]:
        assert '**Command.**' in entry and '|' in entry, entry[:200]  # each has its command and a table
