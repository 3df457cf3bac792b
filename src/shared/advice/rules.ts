// Plain-language training advice: overfitting, underfitting, a diverging or NaN loss, and whether the
// test target was met. Each rule reads a run's metrics and returns advice quoting the run's own numbers,
// or undefined when it does not apply. Messages are localised with t(), so the caller configures l10n.

import type { EpochRecord, RunStatus, StepRecord } from '../run/types';
import type { AdviceButton, AdviceView } from '../protocol/webview';
import { t } from '../l10n';
import {
  DIVERGENCE_FACTOR,
  DIVERGENCE_MIN_RISE,
  LEARNING_RATE_CUT,
  LOSS_SMOOTHING_STEPS,
  OVERFIT_ACCURACY_GAP,
  OVERFIT_RISING_EPOCHS,
  UNDERFIT_MIN_EPOCHS,
  UNDERFIT_TRAIN_ACCURACY,
} from './thresholds';

export interface AdviceInput {
  steps: StepRecord[];
  epochs: EpochRecord[];
  /** Step of the first NaN loss, when the trainer logged one. */
  nanStep?: number;
  status: 'running' | RunStatus;
  test?: { accuracy: number; macroF1: number };
  /** The project's test accuracy target, between 0 and 1. */
  targetAccuracy: number;
  /** The project's `training.learningRate`. */
  learningRate: number;
}

export type AdviceId = 'nan-loss' | 'diverging-loss' | 'overfitting' | 'underfitting' | 'target-met' | 'target-missed';

export interface Advice extends AdviceView {
  id: AdviceId;
}

/** Runs every rule in order of urgency and returns the advice that applies. */
export function adviseOnRun(input: AdviceInput): Advice[] {
  const rules = [adviseOnNanLoss, adviseOnDivergingLoss, adviseOnOverfitting, adviseOnUnderfitting, adviseOnTarget];
  const advice: Advice[] = [];
  for (const rule of rules) {
    const result = rule(input);
    if (result) advice.push(result);
  }
  return advice;
}

export function adviseOnNanLoss(input: AdviceInput): Advice | undefined {
  if (input.nanStep === undefined && input.status !== 'diverged') return undefined;
  const step = input.nanStep ?? input.steps.at(-1)?.step ?? 0;
  return {
    id: 'nan-loss',
    severity: 'error',
    title: t('The loss became NaN'),
    message: t(
      'At step {0} the loss stopped being a number, so training stopped. The learning rate {1} is too high for this model and data: lower it to {2} and train again.',
      step,
      formatLearningRate(input.learningRate),
      formatLearningRate(input.learningRate / LEARNING_RATE_CUT),
    ),
    buttons: [learningRateButton()],
  };
}

/** Flags a smoothed step loss that climbed to DIVERGENCE_FACTOR times its lowest value, and by DIVERGENCE_MIN_RISE. */
export function adviseOnDivergingLoss(input: AdviceInput): Advice | undefined {
  if (input.nanStep !== undefined || input.status === 'diverged') return undefined;
  const smoothed = smoothLoss(input.steps, LOSS_SMOOTHING_STEPS);
  if (smoothed.length < LOSS_SMOOTHING_STEPS) return undefined;

  let lowest = smoothed[0];
  for (const point of smoothed) {
    if (point.loss < lowest.loss) lowest = point;
  }
  const last = smoothed[smoothed.length - 1];
  if (!(last.loss > lowest.loss * DIVERGENCE_FACTOR && last.loss - lowest.loss > DIVERGENCE_MIN_RISE)) return undefined;

  return {
    id: 'diverging-loss',
    severity: 'warning',
    title: t('The loss is climbing'),
    message: t(
      'The average loss fell to {0} at step {1} but is {2} at step {3}. Training is unstable: lower the learning rate from {4} to {5}.',
      formatLoss(lowest.loss),
      lowest.step,
      formatLoss(last.loss),
      last.step,
      formatLearningRate(input.learningRate),
      formatLearningRate(input.learningRate / LEARNING_RATE_CUT),
    ),
    buttons: input.status === 'running' ? [stopButton(), learningRateButton()] : [learningRateButton()],
  };
}

/**
 * Flags training accuracy OVERFIT_ACCURACY_GAP above validation accuracy in the last epoch, or validation
 * loss rising for OVERFIT_RISING_EPOCHS epochs in a row while training loss falls.
 */
export function adviseOnOverfitting(input: AdviceInput): Advice | undefined {
  const last = input.epochs.at(-1);
  if (!last) return undefined;
  const gap = last.trainAccuracy - last.validationAccuracy;
  if (!(gap >= OVERFIT_ACCURACY_GAP) && !validationLossRising(input.epochs, OVERFIT_RISING_EPOCHS)) return undefined;

  const best = bestEpoch(input.epochs);
  const buttons: AdviceButton[] = [];
  if (input.status === 'running') buttons.push(stopButton());
  buttons.push(
    { label: t('Set the number of epochs'), action: { kind: 'openSetting', field: 'training.epochs' } },
    { label: t('Set early stopping'), action: { kind: 'openSetting', field: 'training.earlyStoppingPatience' } },
  );
  return {
    id: 'overfitting',
    severity: 'warning',
    title: t('Overfitting: homework all right, but the quiz failed'),
    message: t(
      'In epoch {0} the model got {1} of the training reviews right but only {2} of the validation reviews (validation loss {3}, best epoch {4}). It is memorising the training reviews instead of learning what makes a review good or bad. Set the number of epochs to {4}, add more labelled reviews, or stop now: the best checkpoint (epoch {4}) is kept and is the one tested.',
      last.epoch,
      formatPercent(last.trainAccuracy),
      formatPercent(last.validationAccuracy),
      formatLoss(last.validationLoss),
      best.epoch,
    ),
    buttons,
  };
}

/** Flags training accuracy under UNDERFIT_TRAIN_ACCURACY with validation still below the target. */
export function adviseOnUnderfitting(input: AdviceInput): Advice | undefined {
  if (input.epochs.length < UNDERFIT_MIN_EPOCHS) return undefined;
  const last = input.epochs[input.epochs.length - 1];
  if (!(last.trainAccuracy < UNDERFIT_TRAIN_ACCURACY) || !(last.validationAccuracy < input.targetAccuracy)) return undefined;

  return {
    id: 'underfitting',
    severity: 'warning',
    title: t('Underfitting: the model has not learned the task yet'),
    message: t(
      'After {0} epochs the model gets only {1} of the training reviews and {2} of the validation reviews right. Train for more epochs, raise the learning rate (now {3}), or pick a larger base model.',
      last.epoch,
      formatPercent(last.trainAccuracy),
      formatPercent(last.validationAccuracy),
      formatLearningRate(input.learningRate),
    ),
    buttons: [
      { label: t('Set the number of epochs'), action: { kind: 'openSetting', field: 'training.epochs' } },
      learningRateButton(),
      { label: t('Change the base model'), action: { kind: 'openSetting', field: 'model.base' } },
    ],
  };
}

export function adviseOnTarget(input: AdviceInput): Advice | undefined {
  if (!input.test) return undefined;
  const accuracy = formatPercent(input.test.accuracy);
  const target = formatPercent(input.targetAccuracy);
  if (input.test.accuracy >= input.targetAccuracy) {
    return {
      id: 'target-met',
      severity: 'success',
      title: t('Target met'),
      message: t('Test accuracy is {0}, at or above the target of {1}.', accuracy, target),
      buttons: [{ label: t('Open Error Analysis'), action: { kind: 'openErrorAnalysis' } }],
    };
  }
  return {
    id: 'target-missed',
    severity: 'warning',
    title: t('Target missed'),
    message: t(
      'Test accuracy is {0}, below the target of {1}. The error analysis lists the reviews the model got wrong: fixing wrong labels and adding similar reviews usually helps most.',
      accuracy,
      target,
    ),
    buttons: [
      { label: t('Open Error Analysis'), action: { kind: 'openErrorAnalysis' } },
      { label: t('Set the target'), action: { kind: 'openSetting', field: 'targets.accuracy' } },
    ],
  };
}

/** Averages the loss over a trailing window of `window` steps. The first window-1 steps get no point. */
export function smoothLoss(steps: StepRecord[], window: number): { step: number; loss: number }[] {
  const smoothed: { step: number; loss: number }[] = [];
  let sum = 0;
  for (let i = 0; i < steps.length; i++) {
    sum += steps[i].loss;
    if (i >= window) sum -= steps[i - window].loss;
    if (i >= window - 1) smoothed.push({ step: steps[i].step, loss: sum / window });
  }
  return smoothed;
}

/** True when the last `epochs` validation losses each rose while the training loss fell. */
export function validationLossRising(records: EpochRecord[], epochs: number): boolean {
  if (records.length < epochs + 1) return false;
  for (let i = records.length - epochs; i < records.length; i++) {
    const rose = records[i].validationLoss > records[i - 1].validationLoss;
    const trainFell = records[i].trainLoss < records[i - 1].trainLoss;
    if (!rose || !trainFell) return false;
  }
  return true;
}

/** Returns the epoch the trainer marked best, or else the one with the highest validation accuracy. */
function bestEpoch(records: EpochRecord[]): EpochRecord {
  const marked = records.filter((record) => record.best).at(-1);
  if (marked) return marked;
  return records.reduce((best, record) => (record.validationAccuracy > best.validationAccuracy ? record : best));
}

function stopButton(): AdviceButton {
  return { label: t('Stop training now'), action: { kind: 'stopTraining' } };
}

function learningRateButton(): AdviceButton {
  return { label: t('Open the learning rate setting'), action: { kind: 'openSetting', field: 'training.learningRate' } };
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Writes 0.00002 as 2e-5, the way learning rates appear in finetune.json and papers. */
export function formatLearningRate(learningRate: number): string {
  return Number(learningRate.toPrecision(3)).toExponential();
}

function formatLoss(loss: number): string {
  return loss.toFixed(3);
}
