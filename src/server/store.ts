// Parsed state of the open dataset documents, rebuilt only when a document's version changes, and the
// encoding of each data file on disk.

import * as fs from 'node:fs';
import { detectEncoding, type DetectedEncoding } from '../shared/data/encoding';
import { resolveFormat } from '../shared/data/format';
import type { LoadedProject } from '../shared/project/types';
import { checkDataset, type CheckContext, type CheckResult } from './checks';
import { openDataset, type DatasetDocument } from './dataset';
import type { ProjectIndex } from './projects';
import { findVocabFile, tokenizerFor } from './vocabulary';

export interface DatasetState {
  version: number;
  dataset: DatasetDocument;
  loaded: LoadedProject;
  context: CheckContext;
  /** Runs the checks once per version. */
  check(): CheckResult;
}

export class DatasetStore {
  private readonly states = new Map<string, DatasetState>();
  private readonly encodings = new Map<string, { mtimeMs: number; encoding: DetectedEncoding }>();

  constructor(private readonly projects: ProjectIndex) {}

  /** Returns the state of a dataset document, or undefined when no loaded finetune.json names `file`. */
  stateFor(uri: string, file: string, version: number, text: string): DatasetState | undefined {
    const loaded = this.projects.projectForData(file);
    if (!loaded) {
      this.states.delete(uri);
      return undefined;
    }
    const cached = this.states.get(uri);
    if (cached && cached.version === version && cached.loaded === loaded) return cached;

    const { data } = loaded.project;
    const { format, delimiter } = resolveFormat(file, data.format, text);
    const dataset = openDataset(text, format, { textColumn: data.textColumn, labelColumn: data.labelColumn }, delimiter);
    const vocabFile = findVocabFile(loaded);
    const context: CheckContext = { project: loaded.project, tokenizer: vocabFile ? tokenizerFor(vocabFile) : undefined, encoding: this.encodingOf(file) };
    let result: CheckResult | undefined;
    const state: DatasetState = {
      version,
      dataset,
      loaded,
      context,
      check: () => (result ??= checkDataset(dataset, context)),
    };
    this.states.set(uri, state);
    return state;
  }

  forget(uri: string): void {
    this.states.delete(uri);
  }

  forgetAll(): void {
    this.states.clear();
  }

  forgetEncoding(file: string): void {
    this.encodings.delete(file);
    this.states.clear();
  }

  /** Detects the encoding of the file on disk; the editor's text is already decoded. */
  private encodingOf(file: string): DetectedEncoding | undefined {
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
    const cached = this.encodings.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.encoding;
    const encoding = detectEncoding(fs.readFileSync(file));
    this.encodings.set(file, { mtimeMs, encoding });
    return encoding;
  }
}

/** Picks a backup name next to `file` that does not exist yet: reviews.csv.gb18030.bak, then .1.bak, ... */
export function backupFileFor(file: string, encoding: string): string {
  let candidate = `${file}.${encoding}.bak`;
  for (let n = 1; fs.existsSync(candidate); n++) candidate = `${file}.${encoding}.${n}.bak`;
  return candidate;
}
