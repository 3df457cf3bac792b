// Thresholds of the training advice. Each value is a rule of thumb for small fine-tuning runs (a few
// hundred to a few thousand reviews, 2–10 epochs), chosen to stay quiet on ordinary noise.

/**
 * Training accuracy this far above validation accuracy means overfitting. Validation accuracy on a few
 * hundred examples moves by about 2–4 points between epochs by chance, so 10 points is well beyond noise.
 */
export const OVERFIT_ACCURACY_GAP = 0.1;

/**
 * Consecutive epochs of rising validation loss (with falling training loss) that mean overfitting. One
 * rise is common noise; two in a row is the usual early-stopping signal.
 */
export const OVERFIT_RISING_EPOCHS = 2;

/**
 * Training accuracy below this after an epoch means underfitting: a pretrained encoder fine-tuned on
 * reviews usually fits 80–95 % of its training set within one or two epochs.
 */
export const UNDERFIT_TRAIN_ACCURACY = 0.7;

/** Epochs completed before underfitting advice is given, because the first epoch is still warming up. */
export const UNDERFIT_MIN_EPOCHS = 2;

/**
 * Steps averaged to smooth the per-step loss before the divergence check. Batches of 8 reviews give
 * noisy losses, and 20 steps average over about 160 reviews.
 */
export const LOSS_SMOOTHING_STEPS = 20;

/**
 * The smoothed loss this many times above its lowest value means the loss is diverging. Ordinary
 * noise after smoothing stays within about 1.3 times the minimum.
 */
export const DIVERGENCE_FACTOR = 2;

/**
 * Minimum rise of the smoothed loss, in nats, that counts as diverging. Near a training loss of zero the
 * factor alone fires on noise (0.010 to 0.027 late in a run); a diverging run climbs back towards the
 * loss of guessing, ln(number of labels), which is at least ln 2 ≈ 0.69.
 */
export const DIVERGENCE_MIN_RISE = 0.1;

/** Factor by which the advice proposes to divide the learning rate after divergence. */
export const LEARNING_RATE_CUT = 10;
