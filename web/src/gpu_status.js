// What one GPU of an agent is doing, as the agents page shows it: running labsweep's trials,
// used by someone outside labsweep, free for the scheduler, or none of these (its agent is not
// online, or its slots are taken). A GPU can be both labsweep's and others' (a trial that was
// re-adopted while a stranger took the GPU): both are said.

export function gpuStatus(gpu) {
  const ours = gpu.trials.length > 0;
  if (ours && gpu.used_by_others) return { key: 'labsweep others', text: 'labsweep + others' };
  if (ours) return { key: 'labsweep', text: 'labsweep' };
  if (gpu.used_by_others) return { key: 'others', text: 'in use by others' };
  if (gpu.free) return { key: 'free', text: 'free' };
  return { key: 'unavailable', text: 'not available' };
}

// Memory in MiB as GiB with one decimal ("30.5 GiB"), the unit GPU memory is sold in.
export function gib(mb) {
  return `${(mb / 1024).toFixed(1)} GiB`;
}

// A GPU's memory use: everyone's (when the agent reports it; else what others use, the least
// it can be), and the part of it labsweep's own trials use.
export function memoryUse(gpu) {
  const total = Math.max(gpu.memory_total_mb, 0);
  const others = Math.min(gpu.memory_used_by_others_mb, total);
  const used = gpu.memory_used_mb === null || gpu.memory_used_mb === undefined
    ? others : Math.min(Math.max(gpu.memory_used_mb, others), total);
  return { total, used, others, ours: used - others };
}
