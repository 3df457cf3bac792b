// Reading `pytorch_model.bin` files written by torch.save (PyTorch 1.6 and newer) without running any
// Python code. Such a file is a zip archive:
//
//   <archive>/data.pkl      pickle stream of the state dict; each tensor refers to a storage by key
//   <archive>/data/<key>    raw bytes of one storage, in the byte order named by <archive>/byteorder
//   <archive>/byteorder     `little` or `big`; absent in files from before PyTorch 1.10 (little-endian)
//
// The pickle stream is read by a restricted unpickler: it accepts only the opcodes and the globals a state
// dict uses (collections.OrderedDict, torch._utils._rebuild_tensor_v2 and its relatives, torch.*Storage
// types) and builds plain values from them. Any other global, such as os.system or builtins.eval, stops
// loading with an error that names it. Nothing is ever called or evaluated.

import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import { halfToFloat, type StoredTensor } from './safetensors';

/** Element types a checkpoint may store; the first five are those of safetensors.ts. */
export type CheckpointDtype = StoredTensor['dtype'] | 'F64' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * A decoded tensor in the same form as readSafetensors returns: floating-point types become
 * Float32Array, integer and boolean types Int32Array. `dtype` is the type stored in the file.
 */
export interface CheckpointTensor {
  dtype: CheckpointDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * Reads the tensors of a PyTorch checkpoint, keyed by state-dict name in file order. Tensors inside
 * nested dicts get dotted names (`model.bert.embeddings...`); values that are not tensors are skipped.
 * Throws UserInputError naming the file when it is not a zip-format checkpoint, is damaged, or refers to
 * anything beyond what a state dict needs.
 */
export function readPytorchCheckpoint(file: string): Map<string, CheckpointTensor> {
  const descriptor = fs.openSync(file, 'r');
  try {
    const archive = new ZipArchive(descriptor, file);
    const pickleEntry = archive.names().find((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
    if (pickleEntry === undefined) throw damaged(file, t('the archive has no data.pkl'));
    const prefix = pickleEntry.slice(0, -'data.pkl'.length);

    const byteorderEntry = `${prefix}byteorder`;
    const littleEndian = !archive.has(byteorderEntry) || archive.read(byteorderEntry).toString('latin1').trim() !== 'big';
    const root = new RestrictedUnpickler(archive.read(pickleEntry), file).load();

    const views = new Map<string, TensorView>();
    collectTensors(root, '', views);
    if (views.size === 0) {
      throw new UserInputError(t('{0} contains no tensors. Save the weights with torch.save(model.state_dict(), path).', file), { file });
    }
    return materializeTensors(views, archive, prefix, littleEndian, file);
  } finally {
    fs.closeSync(descriptor);
  }
}

// ---------------------------------------------------------------------------------------------------
// Values the unpickler builds. None of them carries behaviour: they describe what the pickle asked for.

/** A reference to `module.name`, allowed by `allowedGlobals`. */
class GlobalReference {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage named by a persistent id: ('storage', torch.FloatStorage, key, location, numel). */
interface StorageReference {
  kind: 'storage';
  dtype: CheckpointDtype;
  key: string;
  numel: number;
}

/** A strided view into a storage, as _rebuild_tensor_v2 describes it. */
interface TensorView {
  kind: 'tensor';
  storage: StorageReference;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A Python dict or OrderedDict, in insertion order. */
class PickleDict {
  readonly entries = new Map<unknown, unknown>();
}

/** Storage classes torch.save names in persistent ids, with the type of their elements. */
const storageDtypes: Record<string, CheckpointDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const bytesPerElement: Record<CheckpointDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Globals a state dict refers to. Every other GLOBAL or STACK_GLOBAL is rejected. */
const allowedGlobals = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  // Type markers passed to _rebuild_from_type_v2; they are compared by name, never instantiated.
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
  ...Object.keys(storageDtypes).map((name) => `torch.${name}`),
]);

// ---------------------------------------------------------------------------------------------------
// The restricted unpickler.

/** Pickle opcodes by byte, for the opcodes a state dict uses. Unknown bytes are rejected by number. */
const opcodeNames: Record<number, string> = {
  0x80: 'PROTO', 0x95: 'FRAME', 0x2e: 'STOP', 0x28: 'MARK', 0x7d: 'EMPTY_DICT', 0x5d: 'EMPTY_LIST',
  0x29: 'EMPTY_TUPLE', 0x74: 'TUPLE', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x64: 'DICT',
  0x6c: 'LIST', 0x61: 'APPEND', 0x65: 'APPENDS', 0x73: 'SETITEM', 0x75: 'SETITEMS', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4d: 'BININT2', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x49: 'INT', 0x4c: 'LONG',
  0x47: 'BINFLOAT', 0x46: 'FLOAT', 0x58: 'BINUNICODE', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8',
  0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8',
  0x4e: 'NONE', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x70: 'PUT',
  0x68: 'BINGET', 0x6a: 'LONG_BINGET', 0x67: 'GET', 0x94: 'MEMOIZE', 0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE', 0x62: 'BUILD', 0x51: 'BINPERSID', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP',
  // Known opcodes that build arbitrary objects or sets; named here only for the error message.
  0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x69: 'INST', 0x6f: 'OBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x50: 'PERSID', 0x53: 'STRING', 0x56: 'UNICODE', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

class RestrictedUnpickler {
  private position = 0;
  private stack: unknown[] = [];
  private readonly marks: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    private readonly bytes: Buffer,
    private readonly file: string,
  ) {}

  load(): unknown {
    for (;;) {
      const opcodePosition = this.position;
      const opcode = this.readByte();
      switch (opcode) {
        case 0x80: // PROTO
          this.readByte();
          break;
        case 0x95: // FRAME: a length hint for buffered readers; the bytes follow inline.
          this.take(8);
          break;
        case 0x2e: // STOP
          return this.pop();
        case 0x28: // MARK
          this.marks.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.stack.push(this.top());
          break;

        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4a: // BININT
          this.stack.push(this.take(4).readInt32LE(0));
          break;
        case 0x4b: // BININT1
          this.stack.push(this.readByte());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.take(2).readUInt16LE(0));
          break;
        case 0x8a: // LONG1
          this.stack.push(decodeLong(this.take(this.readByte())));
          break;
        case 0x8b: // LONG4
          this.stack.push(decodeLong(this.take(this.readLength(4))));
          break;
        case 0x49: // INT, in text: I01 and I00 are the protocol 0 booleans.
          this.stack.push(parseTextInt(this.readLine()));
          break;
        case 0x4c: // LONG, in text with a trailing L
          this.stack.push(parseTextInt(this.readLine().replace(/L$/, '')));
          break;
        case 0x47: // BINFLOAT, big-endian
          this.stack.push(this.take(8).readDoubleBE(0));
          break;
        case 0x46: // FLOAT, in text
          this.stack.push(Number.parseFloat(this.readLine()));
          break;

        case 0x58: // BINUNICODE
          this.stack.push(this.take(this.readLength(4)).toString('utf8'));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.take(this.readByte()).toString('utf8'));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(this.take(this.readLength(8)).toString('utf8'));
          break;
        case 0x54: // BINSTRING: a Python 2 str, read as Latin-1 like pickle's default encoding does.
          this.stack.push(this.take(this.readLength(4)).toString('latin1'));
          break;
        case 0x55: // SHORT_BINSTRING
          this.stack.push(this.take(this.readByte()).toString('latin1'));
          break;
        case 0x42: // BINBYTES
          this.stack.push(Uint8Array.from(this.take(this.readLength(4))));
          break;
        case 0x43: // SHORT_BINBYTES
          this.stack.push(Uint8Array.from(this.take(this.readByte())));
          break;
        case 0x8e: // BINBYTES8
          this.stack.push(Uint8Array.from(this.take(this.readLength(8))));
          break;

        case 0x29: // EMPTY_TUPLE
          this.stack.push([]);
          break;
        case 0x74: {
          // TUPLE. popMark replaces this.stack, so it must run before this.stack is read.
          const items = this.popMark();
          this.stack.push(items);
          break;
        }
        case 0x85: // TUPLE1
          this.stack.push([this.pop()]);
          break;
        case 0x86: {
          // TUPLE2
          const second = this.pop();
          this.stack.push([this.pop(), second]);
          break;
        }
        case 0x87: {
          // TUPLE3
          const third = this.pop();
          const second = this.pop();
          this.stack.push([this.pop(), second, third]);
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x6c: {
          // LIST. popMark replaces this.stack, so it must run before this.stack is read.
          const items = this.popMark();
          this.stack.push(items);
          break;
        }
        case 0x61: {
          // APPEND
          const item = this.pop();
          this.list(this.top()).push(item);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          this.list(this.top()).push(...items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new PickleDict());
          break;
        case 0x64: {
          // DICT
          const dict = new PickleDict();
          this.setItems(dict, this.popMark());
          this.stack.push(dict);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.dict(this.top()).entries.set(key, value);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.dict(this.top()), items);
          break;
        }

        case 0x71: // BINPUT
          this.memo.set(this.readByte(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.take(4).readUInt32LE(0), this.top());
          break;
        case 0x70: // PUT
          this.memo.set(Number(this.readLine()), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.stack.push(this.recall(this.readByte()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.recall(this.take(4).readUInt32LE(0)));
          break;
        case 0x67: // GET
          this.stack.push(this.recall(Number(this.readLine())));
          break;

        case 0x63: {
          // GLOBAL
          const module = this.readLine();
          this.stack.push(this.global(module, this.readLine()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw this.malformed(opcodePosition);
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callable = this.pop();
          this.stack.push(this.reduce(callable, args, opcodePosition));
          break;
        }
        case 0x62: {
          // BUILD: sets attributes such as the state dict's _metadata, which carries no weights.
          this.pop();
          const target = this.top();
          if (!(target instanceof PickleDict) && !isTensorView(target)) throw this.malformed(opcodePosition);
          break;
        }
        case 0x51: // BINPERSID
          this.stack.push(this.persistentLoad(this.pop(), opcodePosition));
          break;

        default:
          throw new UserInputError(
            t(
              '{0} contains the pickle instruction {1}, which a weights file does not need. Loading stopped without running anything. Use model.safetensors instead, or re-save the weights with torch.save(model.state_dict(), path) from code you trust.',
              this.file,
              opcodeNames[opcode] ?? `0x${opcode.toString(16).padStart(2, '0')}`,
            ),
            { file: this.file },
          );
      }
    }
  }

  private global(module: string, name: string): GlobalReference {
    const reference = new GlobalReference(module, name);
    if (!allowedGlobals.has(reference.qualifiedName)) throw this.rejectedGlobal(reference.qualifiedName);
    return reference;
  }

  /** Applies one of the allowed rebuild functions to its arguments, as data; nothing is executed. */
  private reduce(callable: unknown, args: unknown, position: number): unknown {
    if (!(callable instanceof GlobalReference)) throw this.malformed(position);
    if (!Array.isArray(args)) throw this.malformed(position);

    switch (callable.qualifiedName) {
      case 'collections.OrderedDict': {
        const dict = new PickleDict();
        if (args.length > 0) {
          for (const pair of this.list(args[0])) {
            const [key, value] = this.list(pair);
            dict.entries.set(key, value);
          }
        }
        return dict;
      }
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2':
        return this.tensorView(args, position);
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        if (!isTensorView(args[0])) throw this.malformed(position);
        return args[0];
      case 'torch._tensor._rebuild_from_type_v2': {
        const [rebuild, newType, rebuildArgs] = args;
        const typeName = newType instanceof GlobalReference ? newType.qualifiedName : '';
        if (typeName !== 'torch.Tensor' && typeName !== 'torch.nn.parameter.Parameter') throw this.malformed(position);
        return this.reduce(rebuild, rebuildArgs, position);
      }
      default:
        // An allowed type marker or storage class used as a function.
        throw this.rejectedGlobal(callable.qualifiedName);
    }
  }

  /** Reads _rebuild_tensor_v2(storage, storage_offset, size, stride, ...). */
  private tensorView(args: unknown[], position: number): TensorView {
    const [storage, offset, shape, stride] = args;
    const isIntegerList = (value: unknown): value is number[] =>
      Array.isArray(value) && value.every((item) => Number.isSafeInteger(item) && (item as number) >= 0);
    if (!isStorageReference(storage) || !Number.isSafeInteger(offset) || (offset as number) < 0) throw this.malformed(position);
    if (!isIntegerList(shape) || !isIntegerList(stride) || shape.length !== stride.length) throw this.malformed(position);
    return { kind: 'tensor', storage, offset: offset as number, shape: [...shape], stride: [...stride] };
  }

  private persistentLoad(pid: unknown, position: number): StorageReference {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw this.malformed(position);
    const [, storageType, key, , numel] = pid;
    if (!(storageType instanceof GlobalReference) || typeof key !== 'string' || !/^[\w.-]+$/.test(key)) throw this.malformed(position);
    if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw this.malformed(position);
    const dtype = storageType.module === 'torch' ? storageDtypes[storageType.name] : undefined;
    if (dtype === undefined) {
      throw new UserInputError(
        t('{0} stores tensors of type {1}, which cannot be read. Convert the model to float32 or float16 and save it again.', this.file, storageType.qualifiedName),
        { file: this.file },
      );
    }
    return { kind: 'storage', dtype, key, numel: numel as number };
  }

  private setItems(dict: PickleDict, items: unknown[]): void {
    if (items.length % 2 !== 0) throw this.malformed(this.position);
    for (let i = 0; i < items.length; i += 2) dict.entries.set(items[i], items[i + 1]);
  }

  private rejectedGlobal(qualifiedName: string): UserInputError {
    return new UserInputError(
      t(
        '{0} refers to the Python object {1}, which a weights file does not need and which could run code when loaded. Loading stopped without running anything. Use model.safetensors instead, or re-save the weights with torch.save(model.state_dict(), path) from code you trust.',
        this.file,
        qualifiedName,
      ),
      { file: this.file },
    );
  }

  private malformed(position: number): UserInputError {
    return damaged(this.file, t('the pickle stream in data.pkl is malformed at byte {0}', position));
  }

  private readByte(): number {
    if (this.position >= this.bytes.length) throw damaged(this.file, t('the pickle stream in data.pkl ends early'));
    return this.bytes[this.position++];
  }

  private take(length: number): Buffer {
    if (this.position + length > this.bytes.length) throw damaged(this.file, t('the pickle stream in data.pkl ends early'));
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  private readLength(size: 4 | 8): number {
    const bytes = this.take(size);
    const length = size === 4 ? bytes.readUInt32LE(0) : Number(bytes.readBigUInt64LE(0));
    if (!Number.isSafeInteger(length)) throw this.malformed(this.position - size);
    return length;
  }

  private readLine(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw damaged(this.file, t('the pickle stream in data.pkl ends early'));
    const line = this.bytes.toString('latin1', this.position, end);
    this.position = end + 1;
    return line;
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw this.malformed(this.position);
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) throw this.malformed(this.position);
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const items = this.stack;
    const previous = this.marks.pop();
    if (previous === undefined) throw this.malformed(this.position);
    this.stack = previous;
    return items;
  }

  private recall(index: number): unknown {
    if (!this.memo.has(index)) throw this.malformed(this.position);
    return this.memo.get(index);
  }

  private list(value: unknown): unknown[] {
    if (!Array.isArray(value)) throw this.malformed(this.position);
    return value;
  }

  private dict(value: unknown): PickleDict {
    if (!(value instanceof PickleDict)) throw this.malformed(this.position);
    return value;
  }
}

/** Decodes a little-endian two's-complement integer of any length (LONG1, LONG4). */
function decodeLong(bytes: Buffer): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseTextInt(text: string): number | boolean {
  if (text === '01') return true;
  if (text === '00') return false;
  return Number.parseInt(text, 10);
}

function isTensorView(value: unknown): value is TensorView {
  return typeof value === 'object' && value !== null && (value as TensorView).kind === 'tensor';
}

function isStorageReference(value: unknown): value is StorageReference {
  return typeof value === 'object' && value !== null && (value as StorageReference).kind === 'storage';
}

// ---------------------------------------------------------------------------------------------------
// From tensor views to decoded arrays.

/** Walks the unpickled root and records every tensor under its dotted state-dict name. */
function collectTensors(value: unknown, prefix: string, views: Map<string, TensorView>): void {
  if (isTensorView(value)) {
    views.set(prefix.replace(/\.$/, ''), value);
    return;
  }
  if (!(value instanceof PickleDict)) return;
  for (const [key, child] of value.entries) {
    if (typeof key === 'string' || typeof key === 'number') collectTensors(child, `${prefix}${key}.`, views);
  }
}

/**
 * Decodes each storage once, then copies every view out of it with its offset and strides. A view that
 * is the only user of a whole contiguous storage takes the decoded array without a copy.
 */
function materializeTensors(
  views: Map<string, TensorView>,
  archive: ZipArchive,
  prefix: string,
  littleEndian: boolean,
  file: string,
): Map<string, CheckpointTensor> {
  const users = new Map<string, number>();
  for (const view of views.values()) users.set(view.storage.key, (users.get(view.storage.key) ?? 0) + 1);

  const decoded = new Map<string, Float32Array | Int32Array>();
  const tensors = new Map<string, CheckpointTensor>();
  for (const [name, view] of views) {
    const { storage } = view;
    let elements = decoded.get(storage.key);
    if (elements === undefined) {
      const entry = `${prefix}data/${storage.key}`;
      if (!archive.has(entry)) throw damaged(file, t('the storage {0} of tensor {1} is missing', storage.key, name));
      const raw = archive.read(entry);
      if (raw.length < storage.numel * bytesPerElement[storage.dtype]) {
        throw damaged(file, t('the storage {0} of tensor {1} is shorter than its {2} elements', storage.key, name, storage.numel));
      }
      elements = decodeStorage(raw, storage, littleEndian, name, file);
      decoded.set(storage.key, elements);
    }

    const count = view.shape.reduce((product, size) => product * size, 1);
    const lastIndex = view.shape.reduce((index, size, axis) => index + (size - 1) * view.stride[axis], view.offset);
    if (count > 0 && lastIndex >= storage.numel) {
      throw damaged(file, t('tensor {0} reaches past the end of its storage', name));
    }

    const wholeStorage = users.get(storage.key) === 1 && view.offset === 0 && count === storage.numel && isContiguous(view);
    const data = wholeStorage ? elements : gatherView(elements, view, count);
    tensors.set(name, { dtype: storage.dtype, shape: view.shape, data });
  }
  return tensors;
}

function decodeStorage(raw: Buffer, storage: StorageReference, littleEndian: boolean, name: string, file: string): Float32Array | Int32Array {
  const count = storage.numel;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (storage.dtype) {
    case 'F32': {
      if (littleEndian) {
        // Copying into a fresh buffer also aligns the data for Float32Array.
        const copy = new Uint8Array(count * 4);
        copy.set(raw.subarray(0, count * 4));
        return new Float32Array(copy.buffer);
      }
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, false);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, littleEndian);
      return out;
    }
    case 'F16': {
      const table = halfTable();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[view.getUint16(i * 2, littleEndian)];
      return out;
    }
    case 'BF16': {
      // A bfloat16 value is the upper half of the float32 with the same bits.
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, littleEndian) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const value = view.getBigInt64(i * 8, littleEndian);
        if (value > 2147483647n || value < -2147483648n) {
          throw new UserInputError(t('Tensor {0} in {1} contains an int64 value outside the int32 range, which is not supported.', name, file), { file });
        }
        out[i] = Number(value);
      }
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, littleEndian);
      return out;
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, littleEndian);
      return out;
    }
    case 'I8':
      return Int32Array.from(new Int8Array(raw.buffer, raw.byteOffset, count));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(raw.subarray(0, count));
  }
}

let halfValues: Float32Array | undefined;

/** Returns the float32 value of every float16 bit pattern; a lookup is much faster than decoding each value. */
function halfTable(): Float32Array {
  halfValues ??= Float32Array.from({ length: 65_536 }, (_, bits) => halfToFloat(bits));
  return halfValues;
}

function isContiguous(view: TensorView): boolean {
  let expected = 1;
  for (let axis = view.shape.length - 1; axis >= 0; axis--) {
    if (view.shape[axis] !== 1 && view.stride[axis] !== expected) return false;
    expected *= view.shape[axis];
  }
  return true;
}

/** Copies a strided view into a new row-major array. */
function gatherView(elements: Float32Array | Int32Array, view: TensorView, count: number): Float32Array | Int32Array {
  const out = elements instanceof Float32Array ? new Float32Array(count) : new Int32Array(count);
  if (isContiguous(view)) {
    out.set(elements.subarray(view.offset, view.offset + count));
    return out;
  }

  const rank = view.shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = view.offset;
  for (let i = 0; i < count; i++) {
    out[i] = elements[source];
    // Advance the multi-dimensional index like an odometer, last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      source += view.stride[axis];
      if (index[axis] < view.shape[axis]) break;
      source -= view.stride[axis] * view.shape[axis];
      index[axis] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The zip container. torch.save stores entries uncompressed and uses zip64 records for large files.

interface ZipEntry {
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

class ZipArchive {
  private readonly entries = new Map<string, ZipEntry>();

  constructor(
    private readonly descriptor: number,
    private readonly file: string,
  ) {
    const size = fs.fstatSync(descriptor).size;
    const head = this.readAt(0, Math.min(4, size));
    if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) throw notZipError(file, head, this.readAt(0, Math.min(512, size)));
    this.readCentralDirectory(size);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  read(name: string): Buffer {
    const entry = this.entries.get(name);
    if (entry === undefined) throw damaged(this.file, t('the archive entry {0} is missing', name));
    const local = this.readAt(entry.localHeaderOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw damaged(this.file, t('the archive entry {0} is missing', name));
    const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const data = this.readAt(dataStart, entry.compressedSize);
    if (data.length !== entry.compressedSize) throw damaged(this.file, t('the archive entry {0} is truncated', name));
    if (entry.method === 0) return data;
    if (entry.method === 8) return zlib.inflateRawSync(data);
    throw damaged(this.file, t('the archive entry {0} uses the unsupported compression method {1}', name, entry.method));
  }

  private readCentralDirectory(size: number): void {
    // The end-of-central-directory record is the last 22 bytes plus a comment of up to 65,535 bytes.
    const tailLength = Math.min(size, 22 + 65_535);
    const tail = this.readAt(size - tailLength, tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        end = i;
        break;
      }
    }
    if (end < 0) throw damaged(this.file, t('the zip directory is missing'));

    let count = tail.readUInt16LE(end + 10);
    let directorySize = tail.readUInt32LE(end + 12);
    let directoryOffset = tail.readUInt32LE(end + 16);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      // zip64: a locator just before the record points at the zip64 end-of-central-directory record.
      const locatorAt = end - 20;
      if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== 0x07064b50) throw damaged(this.file, t('the zip directory is missing'));
      const record = this.readAt(Number(tail.readBigUInt64LE(locatorAt + 8)), 56);
      if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) throw damaged(this.file, t('the zip directory is missing'));
      count = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }

    const directory = this.readAt(directoryOffset, directorySize);
    let position = 0;
    for (let i = 0; i < count; i++) {
      if (position + 46 > directory.length || directory.readUInt32LE(position) !== 0x02014b50) {
        throw damaged(this.file, t('the zip directory is missing'));
      }
      const nameLength = directory.readUInt16LE(position + 28);
      const extraLength = directory.readUInt16LE(position + 30);
      const commentLength = directory.readUInt16LE(position + 32);
      const name = directory.toString('utf8', position + 46, position + 46 + nameLength);
      const entry: ZipEntry = {
        method: directory.readUInt16LE(position + 10),
        compressedSize: directory.readUInt32LE(position + 20),
        uncompressedSize: directory.readUInt32LE(position + 24),
        localHeaderOffset: directory.readUInt32LE(position + 42),
      };
      readZip64Extra(directory.subarray(position + 46 + nameLength, position + 46 + nameLength + extraLength), entry);
      this.entries.set(name, entry);
      position += 46 + nameLength + extraLength + commentLength;
    }
  }

  private readAt(offset: number, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const read = fs.readSync(this.descriptor, buffer, done, length - done, offset + done);
      if (read === 0) break;
      done += read;
    }
    return buffer.subarray(0, done);
  }
}

/** Replaces the 32-bit fields set to 0xFFFFFFFF with their 64-bit values from the zip64 extra field. */
function readZip64Extra(extra: Buffer, entry: ZipEntry): void {
  let position = 0;
  while (position + 4 <= extra.length) {
    const id = extra.readUInt16LE(position);
    const length = extra.readUInt16LE(position + 2);
    if (id === 0x0001) {
      let field = position + 4;
      const next = (): number => {
        const value = Number(extra.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    position += 4 + length;
  }
}

/** Explains why a file that is not a zip archive cannot be read: legacy format, or not PyTorch at all. */
function notZipError(file: string, head: Buffer, firstBlock: Buffer): UserInputError {
  // The legacy format is a bare pickle stream (protocol 2 starts with 0x80 0x02); the oldest is a tar file.
  const isLegacyPickle = head.length > 0 && head[0] === 0x80;
  const isLegacyTar = firstBlock.length >= 262 && firstBlock.toString('latin1', 257, 262) === 'ustar';
  if (isLegacyPickle || isLegacyTar) {
    return new UserInputError(
      t(
        '{0} uses the legacy PyTorch format written before PyTorch 1.6, which cannot be read here. Re-save it with torch.save(model.state_dict(), path) in PyTorch 1.6 or newer, or convert it to safetensors.',
        file,
      ),
      { file },
    );
  }
  return new UserInputError(t('{0} is not a PyTorch checkpoint: it is neither a zip archive nor a legacy pickle file. Download the model again.', file), {
    file,
  });
}

function damaged(file: string, detail: string): UserInputError {
  return new UserInputError(t('{0} is a damaged PyTorch checkpoint: {1}. Download the model again.', file, detail), { file });
}
