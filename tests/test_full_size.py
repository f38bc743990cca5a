"""The full-size BLIP-2 architectures (OPT-2.7B, FLAN-T5-XL) train on this CPU through the training loop's own step code.

Random weights (`model_name="random:opt-2.7b"`, `"random:flan-t5-xl"`) cost what real ones cost: the run is built by `prepare_run`, steps with
`train_step`, in bf16 mixed precision, LoRA on the LM, frozen ViT, gradient checkpointing, batch 2. It runs in a child
process so its memory is measured alone and given back when it ends."""
import json, os, resource, subprocess, sys, time
from pathlib import Path

PEAK_GIB = 14.0  # the bound on the child's peak RSS; CI has 24 GiB and another test process beside it

def child(tmp:Path, model_name:str) -> dict:
    import torch
    from tblip2.train import check_config, prepare_run, train_step
    from tblip2.model import trainable_state, save_trainable, load_trainable
    t0 = time.perf_counter()
    cfg = check_config(model_name=model_name, lm_tuning='lora', gradient_checkpointing=True, precision='bf16',
                       batch_size=2, synthetic_pairs=[2, 1, 1], warmup_steps=0, log_with='none', resume=False,
                       data_dir=str(tmp/'data'), run_dir=str(tmp/'run'), checkpoint_dir=str(tmp/'ckpt'))
    run = prepare_run(cfg, progress=False)
    core, built_s = run.core, time.perf_counter() - t0
    trainable = {n for n, p in core.named_parameters() if p.requires_grad}
    optimised = {id(p) for g in run.optimizer.param_groups for p in g['params']}
    frozen_sum = lambda: sum(torch.sum(p.detach(), dtype=torch.float64).item()
                             for p in core.parameters() if not p.requires_grad)
    frozen_before, trained_before = frozen_sum(), {n: t.clone() for n, t in trainable_state(core).items()}
    batch, losses, step_s = next(iter(run.loader)), [], []
    for _ in range(2):
        t = time.perf_counter(); out = train_step(run, batch); step_s.append(time.perf_counter() - t)
        losses.append({k: getattr(out, k).item() for k in ('loss', 'lm_loss', 'itc_loss', 'itm_loss')})
    moved = {n for n, t in trainable_state(core).items() if not torch.equal(t, trained_before[n])}
    core.eval(); t = time.perf_counter()
    dets = [run.train_pairs.detections[i] for i in batch['index'].tolist()]
    with torch.autocast('cpu', dtype=torch.bfloat16):
        words = core.generate(batch['before'], batch['after'], detections=dets, max_new_tokens=5)
    generate_s = time.perf_counter() - t
    now = {n: t.clone() for n, t in trainable_state(core).items()}
    save_trainable(core, tmp/'trainable.safetensors')
    with torch.no_grad():
        for p in trainable_state(core).values(): p.zero_()
    load_trainable(core, tmp/'trainable.safetensors')
    return dict(parameters=sum(p.numel() for p in core.parameters()), trainable=sum(now[n].numel() for n in now),
                trainable_tensors=len(trainable), optimised_tensors=len(optimised),
                optimised_are_trainable=optimised == {id(p) for p in core.parameters() if p.requires_grad},
                moved=sorted(moved), frozen_moved=frozen_sum() != frozen_before, losses=losses, words=words,
                round_trip=all(torch.equal(t, now[n]) for n, t in trainable_state(core).items()),
                file_mib=(tmp/'trainable.safetensors').stat().st_size / 2**20,
                built_s=built_s, step_s=step_s, generate_s=generate_s,
                peak_gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)

def run_child(tmp:Path, model_name:str) -> dict:
    env = {**os.environ, 'TBLIP2_PORTABLE': '0', 'TBLIP2_PROGRESS': 'off'}  # this CPU's fast kernels, both cores
    done = subprocess.run([sys.executable, __file__, str(tmp), model_name], capture_output=True, text=True, env=env,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(model_name, {k: v for k, v in r.items() if k != 'moved'})
    return r

def test_full_size_trains_two_steps_on_cpu(tmp_path):
    "OPT-2.7B, then FLAN-T5-XL: one after the other in one test, so two ~12 GiB children never run side by side"
    for name in ('random:opt-2.7b', 'random:flan-t5-xl'): check(run_child(tmp_path/name.split(':')[1], name))

def check(r:dict):
    assert r['parameters'] > 3.5e9 and 1e8 < r['trainable'] < 2e8, r['parameters']
    assert r['optimised_are_trainable'] and r['optimised_tensors'] == r['trainable_tensors']
    assert all(abs(v) < 1e4 for step in r['losses'] for v in step.values()), r['losses']  # finite (NaN fails too)
    assert not r['frozen_moved'], 'a frozen weight changed'
    moved = r['moved']
    for part in ('lora_A', 'lora_B', 'blip2_model.qformer.', 'fusion_layer.', 'cluster_encoder.', 'itm_head.'):
        assert any(part in n for n in moved), f'nothing of {part} moved in two steps'
    assert len(moved) > 0.9 * r['trainable_tensors'], (len(moved), r['trainable_tensors'])
    assert len(r['words']) == 2 and all(isinstance(w, str) for w in r['words'])
    assert r['round_trip'] and 0.5 * r['trainable'] * 4 / 2**20 < r['file_mib'] < 1.1 * r['trainable'] * 4 / 2**20
    assert r['peak_gib'] < PEAK_GIB, f"peak RSS {r['peak_gib']:.1f} GiB"

if __name__ == '__main__':
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2])))
