// The Hugging Face hub cache layout, shared with Python's huggingface_hub and transformers:
//
//   <cache>/models--<org>--<name>/
//     blobs/<etag>                         file contents, named by the hub's ETag (sha256 for LFS files)
//     blobs/<etag>.incomplete              a download in progress, resumed with an HTTP Range request
//     snapshots/<commit>/<file>            relative symbolic link to ../../blobs/<etag>
//     refs/<revision>                      the commit hash a branch or tag pointed to when last resolved
//     .no_exist/<commit>/<file>            empty marker: the file does not exist at that commit
//
// The cache root follows the same environment variables as huggingface_hub: see hubCacheDir.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getRepoFolderName } from '@huggingface/hub';

const commitHashPattern = /^[0-9a-f]{40}$/;

/** One model repository's folder inside the hub cache. */
export class RepoCache {
  /** Absolute path of `models--<org>--<name>`. */
  readonly folder: string;

  constructor(
    readonly repoId: string,
    cacheDir: string = hubCacheDir(),
  ) {
    this.folder = path.join(path.resolve(cacheDir), getRepoFolderName({ name: repoId, type: 'model' }));
  }

  /** Returns the commit a revision resolves to offline, or undefined when it was never resolved here. */
  readCommit(revision: string): string | undefined {
    if (isCommitHash(revision)) return revision;
    try {
      const commit = fs.readFileSync(path.join(this.folder, 'refs', revision), 'utf8').trim();
      return isCommitHash(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records which commit a branch or tag points to; a commit hash needs no ref. */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const refFile = path.join(this.folder, 'refs', revision);
    fs.mkdirSync(path.dirname(refFile), { recursive: true });
    fs.writeFileSync(refFile, commit);
  }

  snapshotFolder(commit: string): string {
    return path.join(this.folder, 'snapshots', commit);
  }

  /** Returns whether `file` is in the snapshot, following the link to its blob. */
  hasFile(commit: string, file: string): boolean {
    return fs.existsSync(path.join(this.snapshotFolder(commit), file));
  }

  blobPath(etag: string): string {
    return path.join(this.folder, 'blobs', etag);
  }

  /** Returns whether an earlier download found that `file` does not exist at `commit`. */
  isMarkedMissing(commit: string, file: string): boolean {
    return fs.existsSync(path.join(this.folder, '.no_exist', commit, file));
  }

  markMissing(commit: string, file: string): void {
    const marker = path.join(this.folder, '.no_exist', commit, file);
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, '');
  }

  /**
   * Links snapshots/<commit>/<file> to blobs/<etag> with a relative symbolic link, as huggingface_hub
   * does, so the cache survives being moved. Where symbolic links are not permitted (Windows without
   * developer mode), the blob is copied instead.
   */
  linkBlob(etag: string, commit: string, file: string): string {
    const blob = this.blobPath(etag);
    const pointer = path.join(this.snapshotFolder(commit), file);
    fs.mkdirSync(path.dirname(pointer), { recursive: true });
    fs.rmSync(pointer, { force: true });
    try {
      fs.symlinkSync(path.relative(path.dirname(pointer), blob), pointer);
    } catch (error) {
      if (!isSymlinkNotPermitted(error)) throw error;
      fs.copyFileSync(blob, pointer);
    }
    return pointer;
  }
}

/**
 * Returns the hub cache folder that huggingface_hub and @huggingface/hub's getHFHubCachePath use:
 * HF_HUB_CACHE, then HUGGINGFACE_HUB_CACHE, then $HF_HOME/hub, then $XDG_CACHE_HOME/huggingface/hub,
 * then ~/.cache/huggingface/hub. It reads `env` rather than only process.env, so callers and tests can
 * pass their own variables.
 */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const hfHome = env.HF_HOME || path.join(cacheHome, 'huggingface');
  return env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || path.join(hfHome, 'hub');
}

export function isCommitHash(revision: string): boolean {
  return commitHashPattern.test(revision);
}

function isSymlinkNotPermitted(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EPERM' || code === 'EACCES' || code === 'ENOSYS' || code === 'EOPNOTSUPP';
}
