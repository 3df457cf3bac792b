// The HTML shell shared by the panels: a strict Content-Security-Policy with a fresh nonce, the page's
// script and styles from dist/webviews and media, and nothing else.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Folders a panel may load from: its bundles (vscode-elements and uPlot are bundled in) and media/. */
export function panelResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function panelWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: panelResourceRoots(extensionUri), retainContextWhenHidden: false };
}

/**
 * Builds a page that loads dist/webviews/<entry>.js, and <entry>.css when the bundle imports CSS. Inline scripts and styles are blocked;
 * the script tag carries the nonce. Lit's constructable stylesheets (used by vscode-elements) are not
 * governed by style-src, so no 'unsafe-inline' is needed.
 */
export function renderPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: string, title: string, bundlesCss = false): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('media', 'panels.css')}">
${bundlesCss ? `<link rel="stylesheet" href="${asset('dist', 'webviews', `${entry}.css`)}">` : ''}
<title>${escapeAttribute(title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${asset('dist', 'webviews', `${entry}.js`)}"></script>
</body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
