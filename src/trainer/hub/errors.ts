// Failures of resolving `model.base` that the user can act on. They extend UserInputError, so the CLI
// exits with code 2 and the extension shows the message without a stack trace, pointing at `model.base`.

import { UserInputError } from '../../shared/errors';

/** Reason a model could not be resolved, for callers and tests to branch on; users read the message. */
export type ModelResolveFailure =
  | 'invalid-id'
  | 'invalid-endpoint'
  | 'folder-not-found'
  | 'folder-incomplete'
  | 'unreachable'
  | 'interrupted'
  | 'not-found'
  | 'missing-weights'
  | 'missing-tokenizer'
  | 'not-a-hub'
  | 'offline-not-cached'
  | 'http-status'
  | 'integrity';

/** A localised failure of `resolveModel`, located at the `model.base` field of finetune.json. */
export class ModelResolveError extends UserInputError {
  constructor(
    message: string,
    readonly failure: ModelResolveFailure,
  ) {
    super(message, { field: 'model.base' });
  }
}
