// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON header that
// maps each tensor name to its dtype, shape and byte range, then the raw little-endian tensor bytes.
// Format reference: https://github.com/huggingface/safetensors (README, "Format").
import * as fs from 'node:fs';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import { writeFileAtomic } from '../../shared/files';

/** Element types this module decodes. F16 and BF16 decode to float32, I64 decodes to int32. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';

/** A decoded tensor. Floating-point types become Float32Array and integer types Int32Array. */
export interface StoredTensor {
  /** The dtype recorded in the file, before decoding. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A tensor to write: Float32Array data is stored as F32, Int32Array data as I32. */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, StoredTensor>;
  /** The optional `__metadata__` object: string keys and string values. */
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const bytesPerElement: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };

/** Reads a safetensors file. Throws UserInputError naming the file when it is malformed. */
export function readSafetensors(file: string): SafetensorsFile {
  return parseSafetensors(fs.readFileSync(file), file);
}

/** Decodes safetensors bytes. `file` only names the source in error messages. */
export function parseSafetensors(bytes: Uint8Array, file = 'model.safetensors'): SafetensorsFile {
  const invalid = (detail: string) =>
    new UserInputError(t('{0} is not a valid safetensors file: {1}. Download or export the model again.', file, detail), { file });

  if (bytes.byteLength < 8) throw invalid(t('the file is shorter than its 8-byte header length'));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) throw invalid(t('the header length {0} exceeds the file size', headerLength));

  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw invalid(String(error));
  }

  const dataStart = 8 + headerLength;
  const tensors = new Map<string, StoredTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (value ?? {}) as Record<string, string>;
      continue;
    }
    const entry = value as HeaderEntry;
    if (!(entry.dtype in bytesPerElement)) throw invalid(t('tensor {0} has the unsupported dtype {1}', name, String(entry.dtype)));
    const dtype = entry.dtype as SafetensorsDtype;
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((product, size) => product * size, 1);
    if (end - begin !== count * bytesPerElement[dtype] || dataStart + end > bytes.byteLength) {
      throw invalid(t('the byte range of tensor {0} does not match its shape', name));
    }
    const raw = bytes.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { dtype, shape: [...entry.shape], data: decode(raw, dtype, count, name, invalid) });
  }
  return { tensors, metadata };
}

/**
 * Writes `tensors` to `file` atomically: the bytes go to a temporary file in the same folder, which is
 * then renamed, so a crash never leaves a half-written file under the final name.
 */
export function writeSafetensors(file: string, tensors: Map<string, TensorToWrite>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}

/** Encodes tensors in name order, with the header padded by spaces to a multiple of 8 bytes. */
export function serializeSafetensors(tensors: Map<string, TensorToWrite>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const names = [...tensors.keys()].sort();
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const count = tensor.shape.reduce((product, size) => product * size, 1);
    if (count !== tensor.data.length) {
      throw new Error(`Tensor ${name} has ${tensor.data.length} values but its shape [${tensor.shape.join(', ')}] has room for ${count}`);
    }
    const dtype = tensor.data instanceof Float32Array ? 'F32' : 'I32';
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }

  let headerText = JSON.stringify(header);
  const headerBytes = Buffer.byteLength(headerText, 'utf8');
  headerText += ' '.repeat((8 - (headerBytes % 8)) % 8);
  const headerBuffer = Buffer.from(headerText, 'utf8');

  const output = Buffer.alloc(8 + headerBuffer.byteLength + offset);
  output.writeBigUInt64LE(BigInt(headerBuffer.byteLength), 0);
  headerBuffer.copy(output, 8);
  let position = 8 + headerBuffer.byteLength;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    const target = new DataView(output.buffer, output.byteOffset + position, data.byteLength);
    if (data instanceof Float32Array) {
      for (let i = 0; i < data.length; i++) target.setFloat32(i * 4, data[i], true);
    } else {
      for (let i = 0; i < data.length; i++) target.setInt32(i * 4, data[i], true);
    }
    position += data.byteLength;
  }
  return output;
}


function decode(
  raw: Uint8Array,
  dtype: SafetensorsDtype,
  count: number,
  name: string,
  invalid: (detail: string) => UserInputError,
): Float32Array | Int32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      // A bfloat16 value is the upper half of the float32 with the same bits.
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const value = view.getBigInt64(i * 8, true);
        if (value > 2147483647n || value < -2147483648n) throw invalid(t('tensor {0} contains an int64 value outside the int32 range', name));
        out[i] = Number(value);
      }
      return out;
    }
  }
}

/** Converts IEEE 754 half-precision bits to a number, including subnormals, infinities and NaN. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
