import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUserInputError } from '../../../../src/shared/errors';
import { readPytorchCheckpoint, type CheckpointTensor } from '../../../../src/trainer/weights/pytorch';

// Debian's python3-torch; another Python earlier on PATH may lack torch.
const python = '/usr/bin/python3';
const fixtureScript = path.resolve(__dirname, '../../../fixtures/hub/make-pytorch-checkpoints.py');

interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}

function assertTensorsEqual(actual: Map<string, CheckpointTensor>, expected: Record<string, ExpectedTensor>): void {
  assert.deepEqual([...actual.keys()], Object.keys(expected));
  for (const [name, want] of Object.entries(expected)) {
    const tensor = actual.get(name)!;
    assert.equal(tensor.dtype, want.dtype, `${name} dtype`);
    assert.deepEqual(tensor.shape, want.shape, `${name} shape`);
    assert.deepEqual(Array.from(tensor.data), want.values, `${name} values`);
  }
}

describe('readPytorchCheckpoint', () => {
  let fixtures: string;
  let marker: string;

  before(function () {
    this.timeout(120_000);
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(
        `These tests build their checkpoints with PyTorch, which ${python} cannot import. Run \`apt-get install python3-torch\`.\n${probe.stderr ?? probe.error}`,
      );
    }

    fixtures = fs.mkdtempSync(path.join(os.tmpdir(), 'pytorch-checkpoints-'));
    marker = path.join(fixtures, 'command-ran');
    const run = spawnSync(python, [fixtureScript, fixtures, marker], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${fixtureScript} failed:\n${run.stderr}`);
  });

  after(() => {
    fs.rmSync(fixtures, { recursive: true, force: true });
  });

  function fixture(name: string): string {
    return path.join(fixtures, name);
  }

  function expected(name: string): Record<string, ExpectedTensor> {
    return JSON.parse(fs.readFileSync(fixture(name), 'utf8')) as Record<string, ExpectedTensor>;
  }

  it('reads every dtype, view and shared storage', () => {
    const tensors = readPytorchCheckpoint(fixture('pytorch_model.bin'));

    assertTensorsEqual(tensors, expected('expected.json'));
    assert.ok(tensors.get('embeddings.weight')!.data instanceof Float32Array);
    assert.ok(tensors.get('embeddings.position_ids')!.data instanceof Int32Array);
  });

  it('copies views of a shared storage apart', () => {
    const tensors = readPytorchCheckpoint(fixture('pytorch_model.bin'));
    const whole = tensors.get('shared.whole')!.data;
    const rows = tensors.get('shared.rows')!.data;

    assert.notEqual(whole.buffer, rows.buffer);
    whole[6] = 1234;
    assert.notEqual(rows[0], 1234);
  });

  it('reads a big-endian checkpoint', () => {
    assertTensorsEqual(readPytorchCheckpoint(fixture('big-endian.bin')), expected('big-endian.json'));
  });

  it('rejects the legacy format with advice', () => {
    assert.throws(
      () => readPytorchCheckpoint(fixture('legacy.bin')),
      (error: unknown) => isUserInputError(error) && /legacy PyTorch format/.test(error.message) && error.message.includes('legacy.bin'),
    );
  });

  it('confirms the command payloads are live in Python', () => {
    // Python's own torch.load ran a copy of the payload, so the rejections below stop a real attack.
    assert.deepEqual(expected('live-check.json'), { liveMarkerCreated: true });
  });

  const rejected: [file: string, global: string][] = [
    ['evil-system.bin', 'posix.system'],
    ['evil-eval.bin', 'builtins.eval'],
    ['evil-os-system.bin', 'os.system'],
    ['evil-storage-call.bin', 'torch.FloatStorage'],
  ];
  for (const [file, global] of rejected) {
    it(`rejects ${global} without running it`, () => {
      assert.throws(
        () => readPytorchCheckpoint(fixture(file)),
        (error: unknown) => {
          assert.ok(isUserInputError(error));
          assert.ok(error.message.includes(global), error.message);
          assert.ok(error.message.includes(file), error.message);
          assert.equal(error.location.file, fixture(file));
          return true;
        },
      );
      assert.ok(!fs.existsSync(marker), 'the shell command ran');
    });
  }

  it('rejects an object-building opcode', () => {
    const source = fixture('pytorch_model.bin');
    const patched = fixture('newobj.bin');
    // NEWOBJ (0x81) right after PROTO 2: the stream builds an object before anything else.
    const bytes = fs.readFileSync(source);
    const pickleStart = bytes.indexOf(Buffer.from([0x80, 0x02, 0x63]));
    assert.ok(pickleStart > 0);
    bytes[pickleStart + 2] = 0x81;
    fs.writeFileSync(patched, bytes);

    assert.throws(() => readPytorchCheckpoint(patched), (error: unknown) => isUserInputError(error) && /NEWOBJ/.test(error.message));
  });

  it('rejects a file that is not a checkpoint', () => {
    const file = fixture('not-a-checkpoint.bin');
    fs.writeFileSync(file, 'config = {}\n');

    assert.throws(
      () => readPytorchCheckpoint(file),
      (error: unknown) => isUserInputError(error) && /not a PyTorch checkpoint/.test(error.message),
    );
  });

  it('rejects a truncated archive', () => {
    const file = fixture('truncated.bin');
    const bytes = fs.readFileSync(fixture('pytorch_model.bin'));
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 100));

    assert.throws(() => readPytorchCheckpoint(file), (error: unknown) => isUserInputError(error) && /damaged/.test(error.message));
  });
});
