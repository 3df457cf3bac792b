// Dataset editor features: language client, codelens commands, status bar, Excel import, annotations.
import type { ExtensionServices } from '../services';

export function activateLanguageFeatures(_services: ExtensionServices): void {
  // Filled in by the dataset editor feature.
}
