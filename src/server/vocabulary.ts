// Finding the vocab.txt of a project's model and keeping one tokenizer per vocabulary file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../shared/l10n';
import type { LoadedProject } from '../shared/project/types';
import { RepoCache } from '../trainer/hub/cache';
import { WordPieceTokenizer } from './wordpiece';

/** Vocabulary of the `builtin:` presets, shipped with the extension. */
export function builtinVocabFile(root = packageRoot()): string {
  return path.join(root, 'resources', 'chinese-bert', 'vocab.txt');
}

/**
 * Returns the vocab.txt of `model.base`: the shipped one for `builtin:` presets, `<folder>/vocab.txt` for
 * a local model folder, or the file in the Hugging Face cache for a hub id that was downloaded before.
 * Returns undefined when none is on disk; the server never downloads.
 */
export function findVocabFile(loaded: LoadedProject): string | undefined {
  const base = loaded.project.model.base.trim();
  if (base.startsWith('builtin:')) return existing(builtinVocabFile());

  const expanded = base === '~' || base.startsWith('~/') ? path.join(os.homedir(), base.slice(1)) : base;
  const folder = path.resolve(loaded.root, expanded);
  if (fs.existsSync(folder) && fs.statSync(folder).isDirectory()) return existing(path.join(folder, 'vocab.txt'));

  const at = base.indexOf('@');
  const repoId = at < 0 ? base : base.slice(0, at);
  const revision = at < 0 ? 'main' : base.slice(at + 1);
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repoId)) return undefined;
  const cache = new RepoCache(repoId);
  const commit = cache.readCommit(revision);
  return commit ? existing(path.join(cache.snapshotFolder(commit), 'vocab.txt')) : undefined;
}

const tokenizers = new Map<string, { mtimeMs: number; tokenizer: WordPieceTokenizer }>();

/** Loads a vocabulary once and again only when the file changes. */
export function tokenizerFor(vocabFile: string): WordPieceTokenizer {
  const mtimeMs = fs.statSync(vocabFile).mtimeMs;
  const cached = tokenizers.get(vocabFile);
  if (cached && cached.mtimeMs === mtimeMs) return cached.tokenizer;
  const tokenizer = WordPieceTokenizer.fromFile(vocabFile);
  tokenizers.set(vocabFile, { mtimeMs, tokenizer });
  return tokenizer;
}

function existing(file: string): string | undefined {
  return fs.existsSync(file) ? file : undefined;
}
