// HTTP access to a Hugging Face hub or mirror: one metadata request per file, then a resumable,
// verified download into the cache's blobs folder.
//
// @huggingface/hub 2.x serves the cache paths (see cache.ts) but not the download itself:
// downloadFileToCacheDir requests the paths-info API for each file (an extra endpoint not every mirror
// serves), writes no refs/<revision>, reports no progress, restarts a broken download from zero instead
// of sending a Range request, does not check size or sha256, and goes through fetch, which follows the
// LFS redirect and so loses the X-Repo-Commit and X-Linked-* headers that only the hub's 302 carries and
// offers no connect timeout. The requests below use node:http with the same URL scheme and headers as
// Python's huggingface_hub.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { t } from '../../shared/l10n';
import { ModelResolveError } from './errors';

/**
 * Receives download progress of one file after every chunk, so callers that forward it over IPC should
 * throttle it. `totalBytes` is undefined when the server sent no size.
 */
export type ProgressCallback = (file: string, bytesDone: number, totalBytes: number | undefined) => void;

/** Connection settings for the requests about one model. */
export interface HubConnection {
  /** Base URL without a trailing slash, such as https://huggingface.co or https://hf-mirror.com. */
  endpoint: string;
  /** The model id as the user wrote it, for messages: `hfl/rbt3` or `hfl/rbt3@v1`. */
  displayId: string;
  repoId: string;
  /** Access token for gated or private models, sent to the endpoint's origin only. */
  token?: string;
  /** Milliseconds to wait for a TCP connection before reporting the host as unreachable. */
  connectTimeoutMs: number;
  /** Milliseconds without any data from the server before a request is abandoned. */
  readTimeoutMs: number;
  /** Extra attempts, each resuming with a Range request, after the connection drops during a body. */
  resumeRetries: number;
}

/** Metadata of one file at one revision, read from the headers of its resolve URL. */
export interface FileMetadata {
  commit: string;
  /** ETag without quotes or `W/`: the sha256 of an LFS file, the git blob id of a small file. */
  etag: string;
  /** Size in bytes, when the server sent one. */
  size?: number;
  /** Expected sha256 in hex, present only for LFS files, whose X-Linked-Etag is their sha256. */
  sha256?: string;
  /** URL of the file's bytes: the LFS redirect target, or the resolve URL itself. */
  downloadUrl: string;
}

const maxRedirects = 10;
const sha256Pattern = /^[0-9a-f]{64}$/;
const commitPattern = /^[0-9a-f]{40}$/;
const etagPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Requests the headers of `file` at `revision` (HEAD, following only same-host redirects, as
 * huggingface_hub does for renamed repositories). Returns undefined when the file does not exist.
 */
export async function fetchFileMetadata(hub: HubConnection, revision: string, file: string): Promise<FileMetadata | undefined> {
  let url = resolveUrl(hub, revision, file);
  for (let redirects = 0; ; redirects++) {
    const response = await sendRequest(hub, url, 'HEAD', {});
    response.resume();
    const status = response.statusCode ?? 0;
    const location = response.headers.location;

    if (isRedirect(status) && location && isRelativeLocation(location) && redirects < maxRedirects) {
      url = new URL(location, url);
      continue;
    }
    if (status === 404) {
      const errorCode = headerValue(response, 'x-error-code');
      if (errorCode === 'RepoNotFound' || errorCode === 'RevisionNotFound') throw notFoundError(hub);
      return undefined;
    }
    if (status === 401 || status === 403) throw notFoundError(hub);
    if (!(status >= 200 && status < 300) && !(isRedirect(status) && location)) {
      throw httpStatusError(hub, file, status);
    }

    return readMetadata(hub, response, url, file);
  }
}

/**
 * Downloads `metadata.downloadUrl` into `blobFile`, through `blobFile.incomplete`. A partial file left
 * by an earlier attempt is resumed with a Range request. The size and, for LFS files, the sha256 are
 * checked before the blob is renamed into place.
 */
export async function downloadBlob(
  hub: HubConnection,
  file: string,
  metadata: FileMetadata,
  blobFile: string,
  onProgress?: ProgressCallback,
): Promise<void> {
  const partialFile = `${blobFile}.incomplete`;
  // Created up front so that an empty file, which needs no request, still has a partial file to rename.
  if (!fs.existsSync(partialFile)) fs.writeFileSync(partialFile, '');

  for (let attempt = 0; ; attempt++) {
    let start = fileSize(partialFile);
    if (metadata.size !== undefined && start > metadata.size) {
      fs.truncateSync(partialFile, 0);
      start = 0;
    }
    if (metadata.size !== undefined && start === metadata.size) break;

    try {
      await downloadRange(hub, file, metadata, partialFile, start, onProgress);
      break;
    } catch (error) {
      // Only a connection that drops in the middle of a body is retried, from where it stopped. A host
      // that cannot be reached at all fails at once.
      if (!(error instanceof BodyInterruptedError)) throw error;
      if (attempt >= hub.resumeRetries) {
        throw new ModelResolveError(
          t(
            'The download of {0} for model {1} was interrupted after {2} of {3} bytes ({4}). Run again to resume it.',
            file,
            hub.displayId,
            fileSize(partialFile),
            metadata.size ?? '?',
            error.detail,
          ),
          'interrupted',
        );
      }
    }
  }

  await verifyDownload(hub, file, metadata, partialFile);
  fs.renameSync(partialFile, blobFile);
}

/** A response body that ended early because the connection dropped or stalled. */
class BodyInterruptedError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** Appends bytes from `start` to the partial file, restarting from zero when the server ignores Range. */
async function downloadRange(
  hub: HubConnection,
  file: string,
  metadata: FileMetadata,
  partialFile: string,
  start: number,
  onProgress: ProgressCallback | undefined,
): Promise<void> {
  const headers: http.OutgoingHttpHeaders = start > 0 ? { Range: `bytes=${start}-` } : {};
  const response = await getFollowingRedirects(hub, new URL(metadata.downloadUrl), headers);
  const status = response.statusCode ?? 0;

  let offset = start;
  if (status === 206 && contentRangeStart(response) === start) {
    // The server resumes where the partial file ends.
  } else if (status === 200) {
    // The server ignored Range and sends the whole file: start over.
    offset = 0;
  } else if (status === 206 || status === 416) {
    // A range other than the one requested, or a partial file that no longer fits: drop the partial
    // file and let the next attempt start from zero.
    response.resume();
    fs.writeFileSync(partialFile, '');
    throw new BodyInterruptedError(`HTTP ${status}`);
  } else {
    response.resume();
    if (status === 401 || status === 403 || status === 404) throw notFoundError(hub);
    throw httpStatusError(hub, file, status);
  }

  const total = metadata.size ?? contentLength(response, offset);
  onProgress?.(file, offset, total);
  let done = offset;

  // Each chunk is written before the next is read, so everything received before a dropped connection
  // is on disk for the next attempt to resume from.
  const output = await fs.promises.open(partialFile, offset === 0 ? 'w' : 'a');
  try {
    for await (const chunk of readBody(response)) {
      await output.write(chunk);
      done += chunk.length;
      onProgress?.(file, done, total);
    }
  } finally {
    await output.close();
  }
  if (!response.complete) throw new BodyInterruptedError('connection closed');
}

/** Yields the chunks of a response body, turning a dropped or stalled connection into BodyInterruptedError. */
async function* readBody(response: http.IncomingMessage): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (error) {
    throw new BodyInterruptedError(errorDetail(error));
  }
}

async function verifyDownload(hub: HubConnection, file: string, metadata: FileMetadata, partialFile: string): Promise<void> {
  const size = fileSize(partialFile);
  if (metadata.size !== undefined && size !== metadata.size) {
    fs.rmSync(partialFile, { force: true });
    throw new ModelResolveError(
      t(
        'The downloaded {0} of model {1} has {2} bytes, but the server announced {3}. The file was removed; run again to download it anew.',
        file,
        hub.displayId,
        size,
        metadata.size,
      ),
      'integrity',
    );
  }

  if (metadata.sha256 === undefined) return;
  const actual = await sha256OfFile(partialFile);
  if (actual !== metadata.sha256) {
    fs.rmSync(partialFile, { force: true });
    throw new ModelResolveError(
      t(
        'The downloaded {0} of model {1} has SHA-256 {2}, but the hub announced {3}. The file was removed; run again to download it anew.',
        file,
        hub.displayId,
        actual,
        metadata.sha256,
      ),
      'integrity',
    );
  }
}

function readMetadata(hub: HubConnection, response: http.IncomingMessage, url: URL, file: string): FileMetadata {
  const commit = headerValue(response, 'x-repo-commit');
  const linkedEtag = headerValue(response, 'x-linked-etag');
  const rawEtag = linkedEtag ?? headerValue(response, 'etag');
  // Both values become folder and file names in the cache, so anything but plain hex-like ids is refused.
  if (!commit || !commitPattern.test(commit) || !rawEtag || !etagPattern.test(normalizeEtag(rawEtag))) {
    throw new ModelResolveError(
      t(
        '{0} sent no valid commit id or ETag for {1} of model {2}, so it does not look like a Hugging Face hub or mirror. Check the HF_ENDPOINT environment variable or the finetune.hub.endpoint setting.',
        hub.endpoint,
        file,
        hub.displayId,
      ),
      'not-a-hub',
    );
  }

  const etag = normalizeEtag(rawEtag);
  const status = response.statusCode ?? 0;
  const linkedSize = headerValue(response, 'x-linked-size');
  // The Content-Length of a redirect describes the redirect's own body, not the file.
  const sizeText = linkedSize ?? (status >= 200 && status < 300 ? headerValue(response, 'content-length') : undefined);
  const size = sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : undefined;
  const location = response.headers.location;

  return {
    commit,
    etag,
    size,
    sha256: linkedEtag !== undefined && sha256Pattern.test(etag) ? etag : undefined,
    downloadUrl: isRedirect(status) && location ? new URL(location, url).href : url.href,
  };
}

/** GETs `url`, following every redirect; the token is dropped once a redirect leaves the endpoint's origin. */
async function getFollowingRedirects(hub: HubConnection, url: URL, headers: http.OutgoingHttpHeaders): Promise<http.IncomingMessage> {
  for (let redirects = 0; ; redirects++) {
    const response = await sendRequest(hub, url, 'GET', headers);
    const location = response.headers.location;
    if (!isRedirect(response.statusCode ?? 0) || !location || redirects >= maxRedirects) return response;
    response.resume();
    url = new URL(location, url);
  }
}

/**
 * Sends one request and resolves with the response headers. Failing to connect within
 * `connectTimeoutMs`, or any error before the headers arrive, rejects with an 'unreachable' error.
 */
function sendRequest(hub: HubConnection, url: URL, method: 'HEAD' | 'GET', extraHeaders: http.OutgoingHttpHeaders): Promise<http.IncomingMessage> {
  const headers: http.OutgoingHttpHeaders = {
    'User-Agent': 'finetune-studio',
    // Sizes and checksums describe the raw bytes, so compression would break both checks.
    'Accept-Encoding': 'identity',
    ...extraHeaders,
  };
  if (hub.token && url.origin === new URL(hub.endpoint).origin) headers.Authorization = `Bearer ${hub.token}`;
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers });
    let connectTimer: NodeJS.Timeout | undefined;

    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => request.destroy(new ConnectTimeoutError(hub.connectTimeoutMs)), hub.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    // An idle socket, while waiting for headers or in the middle of a body, is abandoned.
    request.setTimeout(hub.readTimeoutMs, () => request.destroy(new Error(`no data for ${hub.readTimeoutMs} ms`)));
    request.on('response', (response) => {
      clearTimeout(connectTimer);
      resolve(response);
    });
    request.on('error', (error) => {
      clearTimeout(connectTimer);
      reject(unreachableError(hub, url, error));
    });
    request.end();
  });
}

class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`connect timed out after ${timeoutMs} ms`);
  }
}

function unreachableError(hub: HubConnection, url: URL, error: Error): ModelResolveError {
  return new ModelResolveError(
    t(
      'Could not reach {0} to download model {1} ({2}). Check the network connection, or use a mirror: set the HF_ENDPOINT environment variable or the finetune.hub.endpoint setting, for example to https://hf-mirror.com.',
      url.host,
      hub.displayId,
      errorDetail(error),
    ),
    'unreachable',
  );
}

export function notFoundError(hub: HubConnection): ModelResolveError {
  return new ModelResolveError(
    t(
      'Model {0} was not found on {1}, or it is gated and needs an access token. Check the model id in model.base; for a gated model, accept its terms on the hub and set the HF_TOKEN environment variable.',
      hub.displayId,
      hub.endpoint,
    ),
    'not-found',
  );
}

function httpStatusError(hub: HubConnection, file: string, status: number): ModelResolveError {
  return new ModelResolveError(
    t('Downloading {0} of model {1} from {2} failed with HTTP status {3}. Try again later, or set a mirror in the HF_ENDPOINT environment variable or the finetune.hub.endpoint setting.', file, hub.displayId, hub.endpoint, status),
    'http-status',
  );
}

function resolveUrl(hub: HubConnection, revision: string, file: string): URL {
  const filePath = file.split('/').map(encodeURIComponent).join('/');
  return new URL(`${hub.endpoint}/${hub.repoId}/resolve/${encodeURIComponent(revision)}/${filePath}`);
}

function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function headerValue(response: http.IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function isRelativeLocation(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('//');
}

function contentRangeStart(response: http.IncomingMessage): number | undefined {
  const match = /^bytes (\d+)-/.exec(headerValue(response, 'content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

function contentLength(response: http.IncomingMessage, offset: number): number | undefined {
  const length = headerValue(response, 'content-length');
  return length !== undefined && /^\d+$/.test(length) ? offset + Number(length) : undefined;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function errorDetail(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
