// Turns `model.base` from finetune.json into a local folder holding config.json, the weights and the
// tokenizer files: either a folder the user named, or a snapshot in the Hugging Face hub cache,
// downloaded first when it is not cached yet.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { t } from '../../shared/l10n';
import { hubCacheDir, RepoCache } from './cache';
import { downloadBlob, fetchFileMetadata, notFoundError, type FileMetadata, type HubConnection, type ProgressCallback } from './download';
import { ModelResolveError } from './errors';

export type { ProgressCallback } from './download';

export interface ResolveModelOptions {
  /** Folder holding finetune.json; relative model folders are resolved against it. Default: the working folder. */
  projectRoot?: string;
  /** Hub or mirror base URL, such as https://hf-mirror.com. Default: HF_ENDPOINT, then https://huggingface.co. */
  endpoint?: string;
  /** Access token for gated or private models. Default: HF_TOKEN. */
  token?: string;
  /** Hub cache folder. Default: HF_HUB_CACHE, then HF_HOME/hub, then ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Use the cache only and never open a connection. Default: HF_HUB_OFFLINE is 1, true, yes or on. */
  offline?: boolean;
  onProgress?: ProgressCallback;
  /** Milliseconds to wait for a connection before reporting the host as unreachable. Default 10,000. */
  connectTimeoutMs?: number;
  /** Milliseconds without data before a request is abandoned. Default 60,000. */
  readTimeoutMs?: number;
  /** Extra attempts after a connection drops in the middle of a file; each resumes with a Range request. Default 3. */
  resumeRetries?: number;
  /** Environment variables to read the defaults above from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The public hub. Requests go here only when neither the `endpoint` option nor HF_ENDPOINT is set. */
export const defaultHubEndpoint = 'https://huggingface.co';

/** Weight files in order of preference: safetensors loads without a pickle parser. */
export const weightFiles = ['model.safetensors', 'pytorch_model.bin'] as const;
/** A model needs at least one of these; both are downloaded when present. */
export const tokenizerFiles = ['vocab.txt', 'tokenizer.json'] as const;
/** Downloaded when present, never required. */
export const optionalFiles = ['tokenizer_config.json', 'special_tokens_map.json'] as const;

// The connect timeout matches the 10 s that Python's huggingface_hub allows its metadata requests by
// default (HF_HUB_ETAG_TIMEOUT), so a blocked host fails after seconds, not after the OS's minutes.
const defaultConnectTimeoutMs = 10_000;
const defaultReadTimeoutMs = 60_000;
const defaultResumeRetries = 3;

const repoIdPattern = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;
const revisionPattern = /^[A-Za-z0-9._][A-Za-z0-9._/-]*$/;

/**
 * Returns the absolute path of a folder holding the model named by `base`. That is either a local folder
 * (absolute, `~/...`, or relative to `projectRoot`), or the hub cache snapshot of a hub id such as
 * `bert-base-chinese`, `hfl/rbt3` or `hfl/rbt3@<branch, tag or commit>`, downloaded first when missing.
 * A complete cached snapshot is returned without any network request.
 */
export async function resolveModel(base: string, options: ResolveModelOptions = {}): Promise<string> {
  const trimmed = base.trim();
  if (trimmed.startsWith('builtin:')) {
    throw new Error(`resolveModel got the builtin preset ${trimmed}, which is built in memory and needs no files`);
  }

  const localFolder = trimmed === '' ? undefined : findLocalFolder(trimmed, options.projectRoot ?? process.cwd());
  if (localFolder !== undefined) {
    checkModelFolder(localFolder);
    return localFolder;
  }

  const env = options.env ?? process.env;
  const { repoId, revision } = parseHubId(trimmed);
  const cache = new RepoCache(repoId, options.cacheDir ?? hubCacheDir(env));
  const cachedCommit = cache.readCommit(revision);
  if (cachedCommit !== undefined && isSnapshotComplete(cache, cachedCommit)) return cache.snapshotFolder(cachedCommit);

  if (options.offline ?? isTruthy(env.HF_HUB_OFFLINE)) return resolveOffline(trimmed, cache, cachedCommit);

  const hub: HubConnection = {
    endpoint: parseEndpoint(options.endpoint ?? env.HF_ENDPOINT),
    displayId: trimmed,
    repoId,
    token: options.token ?? env.HF_TOKEN,
    connectTimeoutMs: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    readTimeoutMs: options.readTimeoutMs ?? defaultReadTimeoutMs,
    resumeRetries: options.resumeRetries ?? defaultResumeRetries,
  };
  return downloadSnapshot(hub, cache, revision, options.onProgress);
}

/** Splits `org/name@revision` into the repository id and the revision (default `main`). */
export function parseHubId(base: string): { repoId: string; revision: string } {
  const at = base.indexOf('@');
  const repoId = at < 0 ? base : base.slice(0, at);
  const revision = at < 0 ? 'main' : base.slice(at + 1);
  const validId = repoIdPattern.test(repoId) && !repoId.includes('--') && !repoId.includes('..');
  const validRevision = revisionPattern.test(revision) && !revision.split('/').includes('..');
  if (!validId || !validRevision) {
    throw new ModelResolveError(
      t(
        'model.base "{0}" is neither an existing folder nor a valid Hugging Face model id. Use an id such as bert-base-chinese or hfl/rbt3, optionally followed by @ and a branch, tag or commit, or the path of a model folder.',
        base,
      ),
      'invalid-id',
    );
  }
  return { repoId, revision };
}

/** Returns the folder `base` names when it is a path, or undefined when it reads as a hub id. */
function findLocalFolder(base: string, projectRoot: string): string | undefined {
  const expanded = base === '~' || base.startsWith('~/') ? path.join(os.homedir(), base.slice(1)) : base;
  const folder = path.resolve(projectRoot, expanded);
  // A hub id has at most one slash and no backslash. Anything else, or an existing folder of that
  // name next to finetune.json, is a local path, as in transformers' from_pretrained.
  const idPart = base.split('@')[0];
  const looksLikePath =
    path.isAbsolute(expanded) || base.startsWith('.') || base.includes('\\') || expanded !== base || idPart.split('/').length > 2;
  if (isDirectory(folder)) return folder;
  if (!looksLikePath) return undefined;

  throw new ModelResolveError(
    t('Model folder {0} does not exist. Set model.base to an existing folder, or to a Hugging Face model id such as bert-base-chinese.', folder),
    'folder-not-found',
  );
}

/** Names the first file a model folder lacks: config.json, then a weights file, then a tokenizer file. */
function firstMissingFile(has: (file: string) => boolean): string | undefined {
  if (!has('config.json')) return 'config.json';
  if (!weightFiles.some(has)) return weightFiles.join(' / ');
  if (!tokenizerFiles.some(has)) return tokenizerFiles.join(' / ');
  return undefined;
}

function checkModelFolder(folder: string): void {
  const has = (file: string): boolean => fs.existsSync(path.join(folder, file));
  const missing = firstMissingFile(has);
  if (missing === undefined) return;

  throw new ModelResolveError(
    t(
      'Model folder {0} has no {1}. A model folder needs config.json, model.safetensors or pytorch_model.bin, and vocab.txt or tokenizer.json.',
      folder,
      missing,
    ),
    'folder-incomplete',
  );
}

/**
 * Returns whether every file resolveModel would download is either in the snapshot or known to be
 * absent at that commit (a `.no_exist` marker written by this code or by huggingface_hub).
 */
function isSnapshotComplete(cache: RepoCache, commit: string): boolean {
  const settled = (file: string): boolean => cache.hasFile(commit, file) || cache.isMarkedMissing(commit, file);
  const hasWeights =
    cache.hasFile(commit, weightFiles[0]) || (cache.isMarkedMissing(commit, weightFiles[0]) && cache.hasFile(commit, weightFiles[1]));
  return (
    cache.hasFile(commit, 'config.json') &&
    hasWeights &&
    tokenizerFiles.every(settled) &&
    tokenizerFiles.some((file) => cache.hasFile(commit, file)) &&
    optionalFiles.every(settled)
  );
}

/** Returns the cached snapshot if it has config, weights and a tokenizer; optional files may be absent. */
function resolveOffline(displayId: string, cache: RepoCache, commit: string | undefined): string {
  const has = (file: string): boolean => commit !== undefined && cache.hasFile(commit, file);
  const missing = firstMissingFile(has);
  if (missing === undefined && commit !== undefined) return cache.snapshotFolder(commit);

  throw new ModelResolveError(
    t(
      '{0} of model {1} is not in the Hugging Face cache {2}, and HF_HUB_OFFLINE forbids downloading it. Unset HF_HUB_OFFLINE to download the model, or set model.base to a local model folder.',
      missing ?? 'config.json',
      displayId,
      cache.folder,
    ),
    'offline-not-cached',
  );
}

/**
 * Downloads config.json, the preferred weight file and the tokenizer files of one commit into the
 * cache. The first request pins the commit, so a branch moving mid-download cannot mix two snapshots.
 */
async function downloadSnapshot(hub: HubConnection, cache: RepoCache, revision: string, onProgress?: ProgressCallback): Promise<string> {
  const configMetadata = await fetchFileMetadata(hub, revision, 'config.json');
  if (configMetadata === undefined) throw notFoundError(hub);
  const commit = configMetadata.commit;
  cache.writeRef(revision, commit);
  await fetchIntoCache(hub, cache, commit, 'config.json', configMetadata, onProgress);

  let hasWeights = false;
  for (const file of weightFiles) {
    hasWeights = await fetchIfPresent(hub, cache, commit, file, onProgress);
    if (hasWeights) break;
  }
  if (!hasWeights) {
    throw new ModelResolveError(
      t(
        'Model {0} has neither model.safetensors nor pytorch_model.bin, so it cannot be loaded. Choose a model that provides one of these weight files.',
        hub.displayId,
      ),
      'missing-weights',
    );
  }

  let hasTokenizer = false;
  for (const file of tokenizerFiles) {
    if (await fetchIfPresent(hub, cache, commit, file, onProgress)) hasTokenizer = true;
  }
  if (!hasTokenizer) {
    throw new ModelResolveError(
      t('Model {0} has neither vocab.txt nor tokenizer.json, so its text cannot be split into tokens. Choose a model that provides one of them.', hub.displayId),
      'missing-tokenizer',
    );
  }

  for (const file of optionalFiles) await fetchIfPresent(hub, cache, commit, file, onProgress);
  return cache.snapshotFolder(commit);
}

/** Puts `file` into the snapshot unless it is there already; returns false when the commit lacks it. */
async function fetchIfPresent(hub: HubConnection, cache: RepoCache, commit: string, file: string, onProgress?: ProgressCallback): Promise<boolean> {
  if (cache.hasFile(commit, file)) return true;
  if (cache.isMarkedMissing(commit, file)) return false;

  const metadata = await fetchFileMetadata(hub, commit, file);
  if (metadata === undefined) {
    cache.markMissing(commit, file);
    return false;
  }
  await fetchIntoCache(hub, cache, commit, file, metadata, onProgress);
  return true;
}

async function fetchIntoCache(
  hub: HubConnection,
  cache: RepoCache,
  commit: string,
  file: string,
  metadata: FileMetadata,
  onProgress?: ProgressCallback,
): Promise<void> {
  const blob = cache.blobPath(metadata.etag);
  // NOTE: unlike huggingface_hub, no lock file guards the blob, so two processes downloading the same
  // file at once append to one partial file. The size check, and for LFS files the sha256 check, then
  // reject the result.
  if (!fs.existsSync(blob)) {
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    await downloadBlob(hub, file, metadata, blob, onProgress);
  }
  cache.linkBlob(metadata.etag, commit, file);
}

function parseEndpoint(value: string | undefined): string {
  const endpoint = (value ?? '').trim() || defaultHubEndpoint;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ModelResolveError(
      t('Hub endpoint "{0}" is not an http or https URL. Fix the HF_ENDPOINT environment variable or the finetune.hub.endpoint setting.', endpoint),
      'invalid-endpoint',
    );
  }
  return endpoint.replace(/\/+$/, '');
}

/** Reads a boolean environment variable the way huggingface_hub does. */
function isTruthy(value: string | undefined): boolean {
  return ['1', 'on', 'yes', 'true'].includes((value ?? '').trim().toLowerCase());
}

function isDirectory(folder: string): boolean {
  try {
    return fs.statSync(folder).isDirectory();
  } catch {
    return false;
  }
}
