// Finds the folder of a non-builtin base model: a local folder, or a Hugging Face hub id downloaded into
// the standard cache (through HF_ENDPOINT or the mirror the extension passes as FINETUNE_HUB_ENDPOINT).
import { resolveModel } from '../hub/resolve';
import type { TrainingReporter } from './reporter';

export async function resolveModelFolder(base: string, projectRoot: string, reporter: TrainingReporter): Promise<string> {
  return resolveModel(base, {
    projectRoot,
    endpoint: process.env.FINETUNE_HUB_ENDPOINT || undefined,
    onProgress: (file, bytesDone, totalBytes) => reporter.download({ file, bytesDone, totalBytes }),
  });
}
