// One labelled or unlabelled example as read from the user's data file.

export interface Example {
  /** 1-based line number in the source file where the record starts (a quoted field may span lines). */
  row: number;
  /** The text as written in the file. */
  text: string;
  /** The raw label cell, trimmed; undefined when the cell is empty or missing. */
  rawLabel?: string;
}

/** An example after cleaning and label mapping, ready for the tokenizer. */
export interface LabelledExample {
  row: number;
  /** Cleaned text, as the model receives it. */
  text: string;
  /** The text as written in the file, for reports. */
  originalText: string;
  label: number;
}

export type SplitName = 'train' | 'validation' | 'test';
