// Errors caused by what the user wrote (project file, data file, command line). The CLI exits with code 2
// for these and 1 for everything else; the extension shows the message without a stack trace.

/** The place of a problem in the user's input. Rows are 1-based line numbers of the source file. */
export interface InputLocation {
  file?: string;
  row?: number;
  column?: string;
  /** JSON path inside finetune.json, such as `training.learningRate`. */
  field?: string;
}

/** A problem in the user's input. `message` is already localised and includes what to do next. */
export class UserInputError extends Error {
  constructor(
    message: string,
    readonly location: InputLocation = {},
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

export function isUserInputError(error: unknown): error is UserInputError {
  return error instanceof Error && error.name === 'UserInputError';
}
