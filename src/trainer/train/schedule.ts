// The learning-rate schedule of Hugging Face's get_linear_schedule_with_warmup: a linear rise from 0 to
// the peak over the warmup steps, then a linear fall to 0 at the last step.

export interface LinearScheduleOptions {
  /** Learning rate reached at the end of warmup. */
  peakLearningRate: number;
  /** Number of optimizer steps of the rise. With 0, the schedule starts at the peak. */
  warmupSteps: number;
  /** Total number of optimizer steps in the run. */
  totalSteps: number;
}

/** Returns the learning rate for the 0-based optimizer step `step`. */
export function linearWarmupDecay(step: number, options: LinearScheduleOptions): number {
  const { peakLearningRate, warmupSteps, totalSteps } = options;
  if (step < warmupSteps) return (peakLearningRate * step) / Math.max(1, warmupSteps);
  return peakLearningRate * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}
