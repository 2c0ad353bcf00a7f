// What a stage's process tree used, as recorded in its manifest (measured by engine/executors/resource-sampler.ts).
export interface GpuUsage {
  /** Names of the GPUs the stage's processes used (nvidia-smi's `name`). */
  devices: string[];
  /** Largest GPU memory the group held at one sample, summed over its processes. */
  peakMemoryBytes: number;
  /** Mean utilisation (%) of the GPUs the group used, over the samples in which it used one. */
  meanUtilization: number;
  samples: number;
}

export interface StageUsage {
  /** How the figures were taken (docs/engine.md "Resource accounting"). */
  method: "proc-sampling";
  intervalMs: number;
  /** User + system CPU seconds of every process seen in the group (threads included). */
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  /** Largest sum of resident memory over the group at one sample, or the largest single process's VmHWM if higher. */
  peakRssBytes: number;
  /** Bytes passed to read()/write() and friends (rchar/wchar: files, pipes, sockets). */
  readBytes: number;
  writeBytes: number;
  /** Bytes that reached the block layer (read_bytes/write_bytes; page-cache hits are not counted). */
  diskReadBytes: number;
  diskWriteBytes: number;
  /** Distinct processes seen in the group. */
  processes: number;
  gpu?: GpuUsage;
}
