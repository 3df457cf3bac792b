// A Hugging Face hub stand-in on 127.0.0.1 for the resolveModel tests. It serves
// `/<repo>/resolve/<revision>/<file>` with the headers the real hub sends: X-Repo-Commit, an ETag that is
// the git blob id for small files, and for LFS files a 302 to a separate CDN path carrying
// X-Linked-Etag (the sha256) and X-Linked-Size. Both paths honour `Range: bytes=N-`.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFile {
  content: Buffer;
  /** Served as an LFS file: a redirect to the CDN path, with the sha256 in X-Linked-Etag. */
  lfs?: boolean;
}

export interface FakeRepo {
  /** Branch or tag name → commit hash (40 hex digits). */
  refs: Record<string, string>;
  /** Commit hash → file name → file. */
  commits: Record<string, Record<string, FakeFile>>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  range?: string;
}

export class FakeHub {
  readonly requests: RecordedRequest[] = [];
  /** File names whose next body is cut off after half of its bytes. */
  readonly cutOnce = new Set<string>();
  /** File names whose LFS body has one byte changed, so its sha256 no longer matches. */
  readonly corrupt = new Set<string>();
  private readonly server = http.createServer((request, response) => this.handle(request, response));
  private readonly lfsObjects = new Map<string, { name: string; content: Buffer }>();
  private origin = '';

  /**
   * Old repository id → current id. Requests under an old id get a 307 to a relative URL, which the hub
   * sends for renamed repositories such as bert-base-chinese → google-bert/bert-base-chinese.
   */
  readonly renamed = new Map<string, string>();

  constructor(private readonly repos: Record<string, FakeRepo>) {
    for (const repo of Object.values(repos)) {
      for (const files of Object.values(repo.commits)) {
        for (const [name, file] of Object.entries(files)) {
          if (file.lfs) this.lfsObjects.set(sha256(file.content), { name, content: file.content });
        }
      }
    }
  }

  /** Starts listening on an ephemeral port and returns the endpoint URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', this.origin);
    this.requests.push({ method: request.method ?? '', path: url.pathname, range: request.headers.range });

    const cdn = /^\/cdn-lfs\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdn) {
      const object = this.lfsObjects.get(cdn[1]);
      if (!object) return end(response, 404, {});
      const content = this.corrupt.has(object.name) ? flipFirstByte(object.content) : object.content;
      return this.sendBody(request, response, object.name, content, { ETag: `"${cdn[1]}"` });
    }

    const match = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) return end(response, 404, {});
    const [, repoId, encodedRevision, file] = match;
    const newId = this.renamed.get(repoId);
    if (newId) return end(response, 307, { Location: `/${newId}/resolve/${encodedRevision}/${file}` });
    const repo = this.repos[repoId];
    if (!repo) return end(response, 401, { 'X-Error-Code': 'RepoNotFound' });
    const revision = decodeURIComponent(encodedRevision);
    const commit = repo.commits[revision] ? revision : repo.refs[revision];
    if (!commit) return end(response, 404, { 'X-Error-Code': 'RevisionNotFound' });
    const entry = repo.commits[commit][decodeURIComponent(file)];
    if (!entry) return end(response, 404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': commit });

    if (entry.lfs) {
      const hash = sha256(entry.content);
      return end(response, 302, {
        Location: `${this.origin}/cdn-lfs/${hash}`,
        'X-Repo-Commit': commit,
        'X-Linked-Etag': `"${hash}"`,
        'X-Linked-Size': String(entry.content.length),
        ETag: `"${gitBlobId(Buffer.from(`oid sha256:${hash}\n`))}"`,
      });
    }
    this.sendBody(request, response, decodeURIComponent(file), entry.content, {
      ETag: `"${gitBlobId(entry.content)}"`,
      'X-Repo-Commit': commit,
    });
  }

  /** Sends the whole file or, for `Range: bytes=N-`, its tail; a file in `cutOnce` stops half-way. */
  private sendBody(request: http.IncomingMessage, response: http.ServerResponse, name: string, content: Buffer, headers: Record<string, string>): void {
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= content.length && content.length > 0) return end(response, 416, { 'Content-Range': `bytes */${content.length}` });

    const body = content.subarray(start);
    response.writeHead(range ? 206 : 200, {
      ...headers,
      'Accept-Ranges': 'bytes',
      'Content-Length': String(body.length),
      ...(range ? { 'Content-Range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
    });
    if (request.method === 'HEAD') return void response.end();

    if (this.cutOnce.has(name)) {
      this.cutOnce.delete(name);
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
      return;
    }
    response.end(body);
  }
}

/** Returns `length` bytes that differ from file to file and from run to run only by `seed`. */
export function deterministicBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export function sha256(content: Buffer): string {
  return crypto.createHash('sha256').update(content).digest('hex');
}

/** Computes the git blob id, which the hub sends as the ETag of small files. */
export function gitBlobId(content: Buffer): string {
  return crypto.createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function flipFirstByte(content: Buffer): Buffer {
  const copy = Buffer.from(content);
  copy[0] ^= 0xff;
  return copy;
}

function end(response: http.ServerResponse, status: number, headers: Record<string, string>): void {
  response.writeHead(status, { ...headers, 'Content-Length': '0' });
  response.end();
}
