// Choosing the fastest TF.js backend that loads here. Order: @tensorflow/tfjs-node-gpu (CUDA),
// @tensorflow/tfjs-node (native TensorFlow on the CPU), wasm, cpu. The two native packages are optional
// dependencies that the trainer bundle keeps external, so they are loaded with `require` in try/catch.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradient functions. The @tensorflow/tfjs umbrella package imports this file.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../../shared/project/types';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import { registerTrainingKernels } from './kernels';

export interface SelectedBackend {
  /** The project-file name of the backend in use. */
  name: Exclude<BackendName, 'auto'>;
  /** The device in words, such as "CPU via WebAssembly, 1 thread, SIMD". */
  device: string;
  /** One localised sentence for each faster backend that was not used, saying why. */
  reasons: string[];
}

export interface SelectBackendOptions {
  /** Folder holding tfjs-backend-wasm*.wasm. Defaults to this file's folder when the binaries sit there. */
  wasmDir?: string;
}

type ConcreteBackend = SelectedBackend['name'];

const backendOrder: ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * Loads and activates a TF.js backend. `auto` tries every backend from fastest to slowest. A named
 * backend that cannot load raises UserInputError on the `backend` field.
 */
export async function selectBackend(requested: BackendName, options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  const candidates = requested === 'auto' ? backendOrder : [requested];
  const reasons: string[] = [];

  for (const name of candidates) {
    try {
      const device = await activate(name, options);
      return { name, device, reasons };
    } catch (error) {
      const reason = describeFailure(name, error);
      if (requested !== 'auto') {
        throw new UserInputError(
          t('The backend "{0}" could not be loaded. {1} Set "backend" in finetune.json (or --backend on the command line) to "auto" to use the fastest backend that loads.', name, reason),
          { field: 'backend' },
        );
      }
      reasons.push(reason);
    }
  }
  // The cpu backend is a plain dependency written in JavaScript, so reaching this line means a broken install.
  throw new Error(`No TF.js backend could be loaded: ${reasons.join(' ')}`);
}

async function activate(name: ConcreteBackend, options: SelectBackendOptions): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu': {
      requireOptional('@tensorflow/tfjs-node-gpu');
      await setBackendOrThrow('tensorflow');
      return t('{0} (CUDA)', gpuName() ?? 'GPU');
    }
    case 'tensorflow': {
      requireOptional('@tensorflow/tfjs-node');
      await setBackendOrThrow('tensorflow');
      return t('CPU, {0} threads', os.cpus().length);
    }
    case 'wasm': {
      const wasmDir = options.wasmDir ?? (fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm.wasm')) ? __dirname : undefined);
      if (wasmDir) setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
      registerTrainingKernels('wasm');
      await setBackendOrThrow('wasm');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      // NOTE: TF.js 4.22 disables the threaded wasm build in Node, so the backend always runs one thread.
      return simd ? t('CPU via WebAssembly, 1 thread, SIMD') : t('CPU via WebAssembly, 1 thread');
    }
    case 'cpu': {
      // Importing the package registers the backend, but bundlers drop a bare import of it because its
      // package.json declares its Node entry point free of side effects.
      if (!tf.findBackendFactory('cpu')) tf.registerBackend('cpu', () => new MathBackendCPU(), 1);
      registerTrainingKernels('cpu');
      await setBackendOrThrow('cpu');
      return t('CPU via JavaScript, 1 thread');
    }
  }
}

function requireOptional(packageName: string): void {
  // A computed name keeps bundlers from resolving the package at build time.
  const load: NodeRequire = require;
  load(packageName);
}

async function setBackendOrThrow(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

function describeFailure(name: ConcreteBackend, error: unknown): string {
  const notInstalled = (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND';
  switch (name) {
    case 'tensorflow-gpu':
      return notInstalled
        ? t('@tensorflow/tfjs-node-gpu is not installed, so the GPU is not used (it needs an NVIDIA GPU with CUDA).')
        : t('@tensorflow/tfjs-node-gpu failed to load: {0}', errorMessage(error));
    case 'tensorflow':
      return notInstalled
        ? t('@tensorflow/tfjs-node is not installed, so native TensorFlow on the CPU is not used.')
        : t('@tensorflow/tfjs-node failed to load: {0}', errorMessage(error));
    case 'wasm':
      return t('The WebAssembly backend failed to load: {0}', errorMessage(error));
    case 'cpu':
      return t('The JavaScript cpu backend failed to load: {0}', errorMessage(error));
  }
}

function errorMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message.split('\n')[0] : String(error)).trim();
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

/** Returns the first GPU's name from nvidia-smi, or undefined when the tool is missing or fails. */
function gpuName(): string | undefined {
  try {
    const output = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000 });
    return output.split('\n')[0].trim() || undefined;
  } catch {
    return undefined;
  }
}
