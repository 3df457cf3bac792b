// Finds the folder of a non-builtin base model: a local folder, or a Hugging Face hub id downloaded into
// the standard cache (through HF_ENDPOINT or the mirror the extension passes as FINETUNE_HUB_ENDPOINT).
import { t } from '../../shared/l10n';
import { resolveModel } from '../hub/resolve';
import type { TrainingReporter } from './reporter';

/** Least time between two download progress lines, so the log and the IPC channel are not flooded. */
const PROGRESS_INTERVAL_MS = 2000;

export async function resolveModelFolder(base: string, projectRoot: string, reporter: TrainingReporter): Promise<string> {
  let lastReport = 0;
  return resolveModel(base, {
    projectRoot,
    endpoint: process.env.FINETUNE_HUB_ENDPOINT || undefined,
    onProgress: (file, done, total) => {
      const now = Date.now();
      if (now - lastReport < PROGRESS_INTERVAL_MS && done !== total) return;
      lastReport = now;
      const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
      reporter.log(
        'info',
        total ? t('Downloading {0}: {1} of {2} MB', file, megabytes(done), megabytes(total)) : t('Downloading {0}: {1} MB', file, megabytes(done)),
      );
    },
  });
}
