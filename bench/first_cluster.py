"""Which cluster comes first: the share of single-change pairs whose detector's first cluster is the change.

A caption is about the first cluster (the one sentence of a pair, `words.prefix`, `words.fusion`), so the order of
the clusters bounds what a captioner can name. For each `rank_by` and each split (the generator's boxes: a diagnostic,
nothing trains on them), over the single-change pairs where the detector found a cluster: how often some cluster is
the change (box IoU >= 0.3 with it, or with a moved object's old box), and how often the first one is. And over
every pair of the split, the boxes' precision and recall as the detector notebook counts them (IoU >= 0.5, one to
one, a move's two regions apart), under the settings given (`rank_by` among them: it decides which `max_clusters`
boxes are kept).

    python bench/first_cluster.py [--data_dir data/synthetic] [-p crop_shape square ...]

Feeds the results log (RESULTS.md): the detector table of '`tolerance_regrow`: the worn pixel given back, measured and
left off' (2026-11-30); the detector notebook (nbs/01_detector.ipynb) quotes its tables for the demo's settings.
"""
import argparse
from dataclasses import replace
from tblip2.datasets import SpotTheDiffDataset
from tblip2.detector import DetectorConfig, detect_many, box_iou, match_boxes
from tblip2.train import detection_cache

def first_is_change(ds:SpotTheDiffDataset, cfg:DetectorConfig) -> tuple[int, float, float]:
    "Single-change pairs with a cluster; share where some cluster is the change; share where the first one is"
    rows = [b for b, i in enumerate(ds.img_ids) if len(ds.boxes[i]) == 1]
    dets = detect_many([ds[b] for b in rows], cfg, num_workers=0, progress=False, cache_dir=detection_cache(ds))
    n = some = first = 0
    for b, d in zip(rows, dets):
        if not d.clusters: continue
        ch = ds.boxes[ds.img_ids[b]][0]
        iou = box_iou(d.boxes, [ch['bbox']] + ([ch['bbox_before']] if ch['change'] == 'move' else [])).max(1)  # (n,)
        n, some, first = n + 1, some + (iou.max() >= 0.3), first + (iou[0] >= 0.3)
    return n, some / max(n, 1), first / max(n, 1)

def box_scores(ds:SpotTheDiffDataset, cfg:DetectorConfig) -> tuple[float, float]:
    "Precision and recall of the detector's boxes over every pair of `ds` (IoU >= 0.5, one to one)"
    dets = detect_many([ds[b] for b in range(len(ds))], cfg, num_workers=0, progress=False, cache_dir=detection_cache(ds))
    right = boxes = found = regions = 0
    for i, d in zip(ds.img_ids, dets):
        truth = [ch[k] for ch in ds.boxes[i] for k in ('bbox', 'bbox_before') if k in ch]
        pred_hit, true_hit = match_boxes(d.boxes, truth)
        right, boxes, found, regions = right + pred_hit.sum(), boxes + len(pred_hit), found + true_hit.sum(), regions + len(truth)
    return right / max(boxes, 1), found / max(regions, 1)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data_dir', default='data/synthetic')
    ap.add_argument('-p', nargs=2, action='append', default=[], metavar=('NAME', 'VALUE'), help='a DetectorConfig setting (as the demo: crop_shape square ...)')
    a = ap.parse_args()
    as_setting = lambda d, v: v == 'true' if isinstance(d, bool) else v if d is None else type(d)(v)  # as the default's type
    base = DetectorConfig(**{k: as_setting(getattr(DetectorConfig, k), v) for k, v in a.p})
    print(f"`python bench/first_cluster.py{''.join(f' -p {k} {v}' for k, v in a.p)}`: single-change pairs with a cluster; the boxes over every pair\n")
    print('| split | pairs | some cluster is the change | first by area | first by contrast | box precision | box recall |\n'
          '| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
    for split in ('train', 'val'):
        ds = SpotTheDiffDataset(a.data_dir, split=split)
        if ds.boxes is None: raise SystemExit(f"{a.data_dir}: not a synthetic set (no boxes_{split}.json)")
        (n, some, area), (_, _, contrast) = (first_is_change(ds, replace(base, rank_by=r)) for r in ('area', 'contrast'))
        precision, recall = box_scores(ds, base)
        print(f"| {split} | {n} | {some:.3f} | {area:.3f} | {contrast:.3f} | {precision:.3f} | {recall:.3f} |")
