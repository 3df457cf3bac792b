// Webview panels: training dashboard, error analysis, runs view and inline prediction decorations.
import type { ExtensionServices } from '../services';

export function activatePanels(_services: ExtensionServices): void {
  // Filled in by the panels feature.
}
