import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { halfToFloat, parseSafetensors, readSafetensors, writeSafetensors } from '../../../../src/trainer/weights/safetensors';
import { isUserInputError } from '../../../../src/shared/errors';

/** Builds safetensors bytes by hand, as another writer would, from raw little-endian tensor bytes. */
function handMade(entries: { name: string; dtype: string; shape: number[]; bytes: Buffer }[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const entry of entries) {
    header[entry.name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + entry.bytes.length] };
    offset += entry.bytes.length;
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  return Buffer.concat([length, headerBytes, ...entries.map((entry) => entry.bytes)]);
}

describe('safetensors', () => {
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'safetensors-test-'));
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('round trip keeps names, shapes and values', () => {
    const file = path.join(folder, 'model.safetensors');
    const weight = Float32Array.from([1.5, -2.25, 3e-8, 1e30, 0, -0]);
    const ids = Int32Array.from([0, 1, -7, 2147483647]);
    writeSafetensors(file, new Map([['layer.weight', { shape: [2, 3], data: weight }], ['position_ids', { shape: [1, 4], data: ids }]]), { format: 'pt' });

    const read = readSafetensors(file);
    assert.deepEqual(read.metadata, { format: 'pt' });
    assert.deepEqual(read.tensors.get('layer.weight')?.shape, [2, 3]);
    assert.equal(read.tensors.get('layer.weight')?.dtype, 'F32');
    assert.deepEqual(Array.from(read.tensors.get('layer.weight')!.data), Array.from(weight));
    assert.equal(read.tensors.get('position_ids')?.dtype, 'I32');
    assert.deepEqual(Array.from(read.tensors.get('position_ids')!.data), Array.from(ids));
  });

  it('header is padded to 8 bytes', () => {
    const file = path.join(folder, 'model.safetensors');
    writeSafetensors(file, new Map([['w', { shape: [1], data: Float32Array.from([1]) }]]));
    const bytes = fs.readFileSync(file);
    assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0);
  });

  it('write leaves no temporary file', () => {
    writeSafetensors(path.join(folder, 'model.safetensors'), new Map([['w', { shape: [2], data: Float32Array.from([1, 2]) }]]));
    assert.deepEqual(fs.readdirSync(folder), ['model.safetensors']);
  });

  it('F16 decodes to float32', () => {
    // 1.0, -2.0, 65504 (largest half), 2^-24 (smallest subnormal), infinity.
    const halves = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00];
    const bytes = Buffer.alloc(halves.length * 2);
    halves.forEach((bits, i) => bytes.writeUInt16LE(bits, i * 2));
    const tensor = parseSafetensors(handMade([{ name: 'h', dtype: 'F16', shape: [5], bytes }])).tensors.get('h')!;
    assert.ok(tensor.data instanceof Float32Array);
    assert.deepEqual(Array.from(tensor.data), [1, -2, 65504, 2 ** -24, Infinity]);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });

  it('BF16 decodes to float32', () => {
    // bfloat16 keeps the top 16 bits of a float32: 1.0 is 0x3f80, -0.5 is 0xbf00, 3.140625 is 0x4049.
    const bytes = Buffer.alloc(6);
    [0x3f80, 0xbf00, 0x4049].forEach((bits, i) => bytes.writeUInt16LE(bits, i * 2));
    const tensor = parseSafetensors(handMade([{ name: 'b', dtype: 'BF16', shape: [3], bytes }])).tensors.get('b')!;
    assert.deepEqual(Array.from(tensor.data), [1, -0.5, 3.140625]);
  });

  it('I64 decodes to int32', () => {
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64LE(511n, 0);
    bytes.writeBigInt64LE(-3n, 8);
    const tensor = parseSafetensors(handMade([{ name: 'position_ids', dtype: 'I64', shape: [1, 2], bytes }])).tensors.get('position_ids')!;
    assert.ok(tensor.data instanceof Int32Array);
    assert.deepEqual(Array.from(tensor.data), [511, -3]);
  });

  it('truncated file raises UserInputError', () => {
    const bytes = handMade([{ name: 'w', dtype: 'F32', shape: [4], bytes: Buffer.alloc(16) }]);
    assert.throws(
      () => parseSafetensors(bytes.subarray(0, bytes.length - 4), 'broken.safetensors'),
      (error: unknown) => isUserInputError(error) && error.location.file === 'broken.safetensors',
    );
  });

  it('unknown dtype raises UserInputError', () => {
    const bytes = handMade([{ name: 'w', dtype: 'F64', shape: [1], bytes: Buffer.alloc(8) }]);
    assert.throws(() => parseSafetensors(bytes), (error: unknown) => isUserInputError(error) && /F64/.test(error.message));
  });
});
