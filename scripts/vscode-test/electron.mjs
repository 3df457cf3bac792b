// Runs the integration suite in desktop VS Code through @vscode/test-electron, on machines that can
// download VS Code. Without internet access, use `npm run test:vscode` instead. It opens the same two
// windows as run.mjs, English and zh-cn.
// Usage: node scripts/vscode-test/electron.mjs      (after `npm run build`)
// NOTE: never run here, because VS Code cannot be downloaded. Desktop VS Code resolves --locale through
// the same languagepacks.json as code-server, but the zh-cn window is unverified on desktop.
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildSuite, copyProject, createSession, registerEmptyLanguagePack } from './harness.mjs';
import { root, sampleProject, suiteBundle } from './paths.mjs';

await buildSuite();
let failed = false;
for (const locale of ['en', 'zh-cn']) {
  const session = createSession(`electron-${locale}`);
  copyProject(sampleProject, session);
  if (locale !== 'en') registerEmptyLanguagePack(session, locale);
  const entry = locale === 'en' ? suiteBundle : path.join(path.dirname(suiteBundle), `index.${locale}.js`);
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: entry,
      launchArgs: [session.workspace, '--user-data-dir', session.userData, '--extensions-dir', session.extensions, '--locale', locale],
    });
  } catch (error) {
    console.error(`window ${locale} failed: ${error instanceof Error ? error.message : String(error)}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
