import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { getHFHubCachePath } from '@huggingface/hub';
import { hubCacheDir } from '../../../src/trainer/hub/cache';
import { ModelResolveError } from '../../../src/trainer/hub/errors';
import { resolveModel, type ResolveModelOptions } from '../../../src/trainer/hub/resolve';
import { deterministicBytes, FakeHub, gitBlobId, sha256, type FakeRepo } from './fake-hub';

const commitMain = 'a'.repeat(40);
const commitV1 = 'b'.repeat(40);
const commitGpt = 'c'.repeat(40);

const config = Buffer.from(JSON.stringify({ model_type: 'bert', hidden_size: 8, num_hidden_layers: 1 }));
const configV1 = Buffer.from(JSON.stringify({ model_type: 'bert', hidden_size: 16, num_hidden_layers: 1 }));
const vocab = Buffer.from('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n好\n差\n');
const tokenizerConfig = Buffer.from(JSON.stringify({ do_lower_case: true }));
// Large enough to arrive in several chunks, so a cut half-way leaves a real partial file.
const safetensors = deterministicBytes(300_000, 1);
const pytorchBin = deterministicBytes(120_000, 2);

function makeRepos(): Record<string, FakeRepo> {
  return {
    'test-org/tiny-bert': {
      refs: { main: commitMain, v1: commitV1 },
      commits: {
        [commitMain]: {
          'config.json': { content: config },
          'vocab.txt': { content: vocab },
          'tokenizer_config.json': { content: tokenizerConfig },
          'model.safetensors': { content: safetensors, lfs: true },
        },
        [commitV1]: {
          'config.json': { content: configV1 },
          'vocab.txt': { content: vocab },
          // An empty file needs no body request, but still gets a blob and a link.
          'special_tokens_map.json': { content: Buffer.alloc(0) },
          'model.safetensors': { content: safetensors, lfs: true },
        },
      },
    },
    'tiny-gpt': {
      refs: { main: commitGpt },
      commits: {
        [commitGpt]: {
          'config.json': { content: config },
          'vocab.txt': { content: vocab },
          'pytorch_model.bin': { content: pytorchBin, lfs: true },
        },
      },
    },
  };
}

/** Returns the URL of a port on 127.0.0.1 that was open a moment ago and is closed now. */
async function closedEndpoint(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('resolveModel from a hub', () => {
  let hub: FakeHub;
  let endpoint: string;
  let unreachable: string;
  let cacheDir: string;

  /** Options that point at the fake hub; `env` always names an endpoint, so no test reaches huggingface.co. */
  function options(extra: ResolveModelOptions = {}): ResolveModelOptions {
    return { cacheDir, endpoint, env: { HF_ENDPOINT: unreachable }, ...extra };
  }

  function repoFolder(repoId: string): string {
    return path.join(cacheDir, `models--${repoId.replace('/', '--')}`);
  }

  before(async () => {
    unreachable = await closedEndpoint();
  });

  beforeEach(async () => {
    hub = new FakeHub(makeRepos());
    endpoint = await hub.start();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-cache-'));
  });

  afterEach(async () => {
    await hub.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads a model into the hub cache layout', async () => {
    const folder = await resolveModel('test-org/tiny-bert', options());

    const repo = repoFolder('test-org/tiny-bert');
    assert.equal(folder, path.join(repo, 'snapshots', commitMain));
    assert.equal(fs.readFileSync(path.join(repo, 'refs', 'main'), 'utf8'), commitMain);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'config.json')), config);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'vocab.txt')), vocab);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'tokenizer_config.json')), tokenizerConfig);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'model.safetensors')), safetensors);
    assert.equal(fs.readlinkSync(path.join(folder, 'model.safetensors')), path.join('..', '..', 'blobs', sha256(safetensors)));
    assert.equal(fs.readlinkSync(path.join(folder, 'config.json')), path.join('..', '..', 'blobs', gitBlobId(config)));
    assert.ok(fs.existsSync(path.join(repo, '.no_exist', commitMain, 'tokenizer.json')));
    assert.ok(fs.existsSync(path.join(repo, '.no_exist', commitMain, 'special_tokens_map.json')));
    assert.ok(!fs.existsSync(path.join(folder, 'pytorch_model.bin')), 'the fallback weights are not downloaded next to safetensors');
    assert.deepEqual(fs.readdirSync(path.join(repo, 'blobs')).filter((name) => name.endsWith('.incomplete')), []);
  });

  it('returns a cached model with the server stopped', async () => {
    const first = await resolveModel('test-org/tiny-bert', options());
    await hub.stop();
    hub = new FakeHub({});
    await hub.start();

    const second = await resolveModel('test-org/tiny-bert', options({ endpoint: unreachable }));

    assert.equal(second, first);
  });

  it('resumes a download cut off half-way', async () => {
    hub.cutOnce.add('model.safetensors');

    const folder = await resolveModel('test-org/tiny-bert', options());

    assert.deepEqual(fs.readFileSync(path.join(folder, 'model.safetensors')), safetensors);
    const ranges = hub.requests.filter((request) => request.path.startsWith('/cdn-lfs/') && request.range !== undefined);
    assert.equal(ranges.length, 1, 'one resumed request');
    const start = Number(/^bytes=(\d+)-$/.exec(ranges[0].range ?? '')?.[1]);
    assert.ok(start > 0, `resumed from byte ${start}`);
    assert.ok(start <= safetensors.length / 2, `resumed from byte ${start}`);
  });

  it('resumes a partial file in a later call', async () => {
    hub.cutOnce.add('model.safetensors');
    const failure = await resolveModel('test-org/tiny-bert', options({ resumeRetries: 0 })).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ModelResolveError);
    assert.equal(failure.failure, 'interrupted');
    const partial = path.join(repoFolder('test-org/tiny-bert'), 'blobs', `${sha256(safetensors)}.incomplete`);
    const partialSize = fs.statSync(partial).size;
    assert.ok(partialSize > 0);
    assert.ok(partialSize < safetensors.length);

    const folder = await resolveModel('test-org/tiny-bert', options({ resumeRetries: 0 }));

    assert.deepEqual(fs.readFileSync(path.join(folder, 'model.safetensors')), safetensors);
    assert.ok(hub.requests.some((request) => request.range === `bytes=${partialSize}-`));
    assert.ok(!fs.existsSync(partial));
  });

  it('falls back to pytorch_model.bin', async () => {
    const folder = await resolveModel('tiny-gpt', options());

    assert.equal(folder, path.join(repoFolder('tiny-gpt'), 'snapshots', commitGpt));
    assert.deepEqual(fs.readFileSync(path.join(folder, 'pytorch_model.bin')), pytorchBin);
    assert.ok(fs.existsSync(path.join(repoFolder('tiny-gpt'), '.no_exist', commitGpt, 'model.safetensors')));

    const requestsBefore = hub.requests.length;
    assert.equal(await resolveModel('tiny-gpt', options()), folder);
    assert.equal(hub.requests.length, requestsBefore, 'the second call is a cache hit');
  });

  it('pins id@revision to its commit', async () => {
    const folder = await resolveModel('test-org/tiny-bert@v1', options());

    assert.equal(folder, path.join(repoFolder('test-org/tiny-bert'), 'snapshots', commitV1));
    assert.equal(fs.readFileSync(path.join(repoFolder('test-org/tiny-bert'), 'refs', 'v1'), 'utf8'), commitV1);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'config.json')), configV1);
    assert.equal(fs.readFileSync(path.join(folder, 'special_tokens_map.json')).length, 0);
    // Every file after config.json is requested at the commit, not at the moving branch name.
    const afterConfig = hub.requests.filter((request) => request.path.includes('/resolve/') && !request.path.endsWith('config.json'));
    assert.ok(afterConfig.length > 0);
    for (const request of afterConfig) assert.ok(request.path.includes(`/resolve/${commitV1}/`), request.path);
  });

  it('follows a renamed repository', async () => {
    hub.renamed.set('tiny-bert-old', 'test-org/tiny-bert');

    const folder = await resolveModel('tiny-bert-old', options());

    assert.equal(folder, path.join(repoFolder('tiny-bert-old'), 'snapshots', commitMain));
    assert.deepEqual(fs.readFileSync(path.join(folder, 'model.safetensors')), safetensors);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'config.json')), config);
  });

  it('places the cache under HF_HOME', async () => {
    const hfHome = path.join(cacheDir, 'hf-home');

    const folder = await resolveModel('test-org/tiny-bert', { endpoint, env: { HF_ENDPOINT: unreachable, HF_HOME: hfHome } });

    assert.equal(folder, path.join(hfHome, 'hub', 'models--test-org--tiny-bert', 'snapshots', commitMain));
  });

  it('reads the endpoint from HF_ENDPOINT', async () => {
    const folder = await resolveModel('test-org/tiny-bert', { cacheDir, env: { HF_ENDPOINT: `${endpoint}/` } });

    assert.ok(fs.existsSync(path.join(folder, 'model.safetensors')));
    assert.ok(hub.requests.length > 0);
  });

  it('prefers the endpoint option over HF_ENDPOINT', async () => {
    const folder = await resolveModel('test-org/tiny-bert', { cacheDir, endpoint, env: { HF_ENDPOINT: unreachable } });

    assert.ok(fs.existsSync(path.join(folder, 'config.json')));
  });

  it('uses only the cache when HF_HUB_OFFLINE is set', async () => {
    const online = await resolveModel('test-org/tiny-bert', options());
    // A partial snapshot without the optional files is still usable offline.
    fs.rmSync(path.join(repoFolder('test-org/tiny-bert'), '.no_exist'), { recursive: true });
    const requestsBefore = hub.requests.length;

    const offline = await resolveModel('test-org/tiny-bert', options({ env: { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' } }));

    assert.equal(offline, online);
    assert.equal(hub.requests.length, requestsBefore);
    await assert.rejects(
      resolveModel('tiny-gpt', options({ env: { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' } })),
      (error: unknown) =>
        error instanceof ModelResolveError &&
        error.failure === 'offline-not-cached' &&
        error.message.includes('tiny-gpt') &&
        error.message.includes('HF_HUB_OFFLINE'),
    );
    assert.equal(hub.requests.length, requestsBefore);
  });

  it('fails fast on an unreachable host with mirror advice', async () => {
    await assert.rejects(
      resolveModel('test-org/tiny-bert', options({ endpoint: unreachable })),
      (error: unknown) => {
        assert.ok(error instanceof ModelResolveError);
        assert.equal(error.failure, 'unreachable');
        assert.equal(error.location.field, 'model.base');
        assert.match(error.message, new RegExp(new URL(unreachable).host));
        assert.match(error.message, /HF_ENDPOINT/);
        assert.match(error.message, /finetune\.hub\.endpoint/);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      },
    );
    assert.ok(!fs.existsSync(repoFolder('test-org/tiny-bert')) || !fs.existsSync(path.join(repoFolder('test-org/tiny-bert'), 'snapshots')));
  });

  it('names the model id when it is not found', async () => {
    await assert.rejects(
      resolveModel('test-org/no-such-model', options()),
      (error: unknown) => error instanceof ModelResolveError && error.failure === 'not-found' && error.message.includes('test-org/no-such-model'),
    );
    await assert.rejects(
      resolveModel('test-org/tiny-bert@no-such-branch', options()),
      (error: unknown) =>
        error instanceof ModelResolveError && error.failure === 'not-found' && error.message.includes('test-org/tiny-bert@no-such-branch'),
    );
  });

  it('rejects a download whose sha256 differs', async () => {
    hub.corrupt.add('model.safetensors');

    await assert.rejects(resolveModel('test-org/tiny-bert', options()), (error: unknown) => {
      assert.ok(error instanceof ModelResolveError);
      assert.equal(error.failure, 'integrity');
      assert.match(error.message, new RegExp(sha256(safetensors)));
      return true;
    });
    const blobs = fs.readdirSync(path.join(repoFolder('test-org/tiny-bert'), 'blobs'));
    assert.ok(!blobs.some((name) => name.startsWith(sha256(safetensors))), `blobs left: ${blobs.join(', ')}`);
  });

  it('reports progress up to the file size', async () => {
    const reports: { file: string; done: number; total: number | undefined }[] = [];

    await resolveModel('test-org/tiny-bert', options({ onProgress: (file, done, total) => reports.push({ file, done, total }) }));

    const weights = reports.filter((report) => report.file === 'model.safetensors');
    assert.ok(weights.length >= 2);
    assert.deepEqual(weights.at(-1), { file: 'model.safetensors', done: safetensors.length, total: safetensors.length });
    for (let i = 1; i < weights.length; i++) assert.ok(weights[i].done >= weights[i - 1].done);
  });

  it('translates the unreachable message into Chinese', async () => {
    // The fragment is loaded directly, because a merged bundle from an earlier build may predate it.
    l10n.config({ contents: JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/zh-cn/hub.json'), 'utf8')) });
    try {
      await assert.rejects(resolveModel('test-org/tiny-bert', options({ endpoint: unreachable })), (error: unknown) => {
        assert.ok(error instanceof ModelResolveError);
        assert.match(error.message, /无法连接/);
        assert.match(error.message, /HF_ENDPOINT/);
        return true;
      });
    } finally {
      l10n.config({ contents: {} });
    }
  });
});

describe('hubCacheDir', () => {
  const variables = ['HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME'] as const;
  let saved: Record<string, string | undefined>;

  beforeEach(() => {
    saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
  });

  afterEach(() => {
    for (const name of variables) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('agrees with @huggingface/hub', () => {
    const cases: Partial<Record<(typeof variables)[number], string>>[] = [
      {},
      { XDG_CACHE_HOME: '/xdg' },
      { HF_HOME: '/hf-home', XDG_CACHE_HOME: '/xdg' },
      { HUGGINGFACE_HUB_CACHE: '/legacy-cache', HF_HOME: '/hf-home' },
      { HF_HUB_CACHE: '/hub-cache', HUGGINGFACE_HUB_CACHE: '/legacy-cache', HF_HOME: '/hf-home' },
    ];
    for (const variablesSet of cases) {
      for (const name of variables) delete process.env[name];
      Object.assign(process.env, variablesSet);

      assert.equal(hubCacheDir(), getHFHubCachePath(), JSON.stringify(variablesSet));
    }
  });
});

describe('resolveModel with a local folder', () => {
  let projectRoot: string;

  beforeEach(() => {
    projectRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'model-folder-'));
    const model = path.join(projectRoot, 'models', 'tiny');
    fs.mkdirSync(model, { recursive: true });
    fs.writeFileSync(path.join(model, 'config.json'), config);
    fs.writeFileSync(path.join(model, 'pytorch_model.bin'), pytorchBin);
    fs.writeFileSync(path.join(model, 'vocab.txt'), vocab);
  });

  afterEach(() => {
    fs.rmSync(projectRoot, { recursive: true, force: true });
  });

  it('accepts a folder relative to the project', async () => {
    assert.equal(await resolveModel('./models/tiny', { projectRoot }), path.join(projectRoot, 'models', 'tiny'));
    assert.equal(await resolveModel('models/tiny', { projectRoot }), path.join(projectRoot, 'models', 'tiny'));
  });

  it('accepts an absolute folder', async () => {
    const folder = path.join(projectRoot, 'models', 'tiny');

    assert.equal(await resolveModel(folder, { projectRoot: os.tmpdir() }), folder);
  });

  it('names the missing file of an incomplete folder', async () => {
    fs.rmSync(path.join(projectRoot, 'models', 'tiny', 'vocab.txt'));

    await assert.rejects(resolveModel('./models/tiny', { projectRoot }), (error: unknown) => {
      assert.ok(error instanceof ModelResolveError);
      assert.equal(error.failure, 'folder-incomplete');
      assert.match(error.message, /vocab\.txt \/ tokenizer\.json/);
      assert.ok(error.message.includes(path.join(projectRoot, 'models', 'tiny')));
      return true;
    });
  });

  it('rejects a folder that does not exist', async () => {
    await assert.rejects(
      resolveModel('./models/missing', { projectRoot }),
      (error: unknown) => error instanceof ModelResolveError && error.failure === 'folder-not-found' && error.message.includes('missing'),
    );
  });

  it('rejects an invalid model id', async () => {
    for (const base of ['', 'org/name/../x@main', 'bad id', 'org--name', 'hfl/rbt3@../../etc']) {
      await assert.rejects(
        resolveModel(base, { projectRoot }),
        (error: unknown) => error instanceof ModelResolveError && (error.failure === 'invalid-id' || error.failure === 'folder-not-found'),
        base,
      );
    }
  });
});
