"""Speed of `score_captions` on the DDLA Spot-the-Diff test predictions (1,270 pairs, 2,107 references).
Run: `.venv/bin/python bench/bench_eval.py [repeats]` (budget: at most 15 s per evaluation, all metrics SPICE aside;
the Java processes are started once per evaluation). Needs ../shared (or $TBLIP2_SHARED) and Java.
Its table is a speed check of `score_captions` (nbs/03_evaluation.ipynb), not history: it feeds no results-log entry."""
import os, sys, time
from tblip2.datasets import shared_dir
from tblip2.evaluation import DDLA_FILES, find_java, java_launches, read_coco_references, read_coco_results, score_captions

def main(repeats=3):
    shared = shared_dir()
    if shared is None or find_java() is None: sys.exit('skipped: needs the shared/ folder (or TBLIP2_SHARED) and Java')
    refs, preds = read_coco_references(shared/DDLA_FILES[0]), read_coco_results(shared/DDLA_FILES[1])
    print(f"{len(preds):,} predictions, {sum(map(len, refs.values())):,} references; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} before the first run\n")
    rows = []
    for run in range(1, repeats + 1):
        before, start = java_launches.copy(), time.perf_counter()
        scores = score_captions(preds, refs, verbose=run == 1)  # SPICE asked for: reported unavailable where its jars are missing
        rows.append((run, time.perf_counter() - start, scores.timings, java_launches - before, scores['CIDEr-D']))
    stages = list(rows[0][2])
    print('| run | ' + ' | '.join(f'{s} s' for s in stages) + ' | total s | JVMs started | CIDEr-D |')
    print('|---:|' + '---:|' * (len(stages) + 3))
    for run, total, timings, jvms, cider in rows:
        print(f"| {run} | " + ' | '.join(f'{timings[s]:.2f}' for s in stages) +
              f" | {total:.2f} | {', '.join(f'{k} {v}' for k, v in sorted(jvms.items()))} | {cider:.4f} |")

if __name__ == '__main__': main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
