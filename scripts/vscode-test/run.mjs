// `npm run test:vscode`: runs the integration suite (test/vscode) inside a real VS Code, code-server
// driven by headless Chromium. Two windows run one after the other on a copy of examples/milk-tea.
//   en      test/vscode/suite: activation, commands, the dataset editor, one-epoch trainings of
//           "Fine-tune: Train", and the panels on the first training's run folder
//   zh-cn   test/vscode/zh-cn: the Simplified Chinese strings (code-server --locale zh-cn)
// Tests that need to look at the rendered page log a `[probe]` line, which probes.mjs answers.
// Exit code 0 when every test passed, 1 when a test failed, 2 when the harness could not run them.
import * as path from 'node:path';
import {
  HarnessError,
  buildExtension,
  buildSuite,
  copyProject,
  createSession,
  ensureSetup,
  launchBrowser,
  printWorkbenchLog,
  registerEmptyLanguagePack,
  runTestsInWorkbench,
  startCodeServer,
  stopAll,
  workbenchUrl,
} from './harness.mjs';
import { root, sampleProject, suiteBundle } from './paths.mjs';
import { answerProbe } from './probes.mjs';

/** Whole English window: start-up, activation and two one-epoch trainings (6 minutes each at most). */
const englishTimeoutMs = 15 * 60_000;
const chineseTimeoutMs = 3 * 60_000;

const windows = [
  { name: 'en', entry: suiteBundle, timeoutMs: englishTimeoutMs },
  { name: 'zh-cn', entry: path.join(path.dirname(suiteBundle), 'index.zh-cn.js'), locale: 'zh-cn', timeoutMs: chineseTimeoutMs },
];

const outcomes = [];
const totals = { passed: 0, failed: 0, reports: 0 };
let exitCode = 0;
try {
  ensureSetup();
  buildExtension();
  await buildSuite();
  for (const window of windows) {
    const code = await runWindow(window);
    outcomes.push(`${window.name}: ${code === 0 ? 'passed' : 'failed'}`);
    if (code !== 0) exitCode = 1;
  }
} catch (error) {
  const step = error instanceof HarnessError ? error.step : 'harness';
  console.error(`\n[harness] could not run the tests (step "${step}"): ${error instanceof Error ? error.message : String(error)}`);
  outcomes.push(`harness error in step "${step}"`);
  exitCode = 2;
} finally {
  await stopAll();
}
console.log(`\n[harness] ${outcomes.join('; ')}`);
// One closing line for both windows, in the form CI reads, once every window reported its counts.
if (totals.reports === windows.length) console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(exitCode);

async function runWindow({ name, entry, locale, timeoutMs }) {
  console.log(`\n[harness] window ${name}: starting code-server${locale ? ` --locale ${locale}` : ''}`);
  const session = createSession(`integration-${name}`);
  copyProject(sampleProject, session);
  if (locale) registerEmptyLanguagePack(session, locale);
  const server = await startCodeServer(session, { locale });
  const { page } = await launchBrowser(session);
  const url = workbenchUrl(server, session.workspace, { extensionDevelopmentPath: root, extensionTestsPath: entry });

  const started = Date.now();
  const code = await runTestsInWorkbench(page, url, session, {
    timeoutMs,
    onLog: (type, message) => {
      printWorkbenchLog(session, type, message);
      if (answerProbe(page, session, message)) return;
      const counts = /^(\d+) passed, (\d+) failed/m.exec(message);
      if (counts) {
        totals.passed += Number(counts[1]);
        totals.failed += Number(counts[2]);
        totals.reports += 1;
      }
    },
  });
  console.log(`[harness] window ${name}: exit code ${code} after ${Math.round((Date.now() - started) / 1000)} s. Logs are in ${session.logs}`);
  await stopAll();
  return code;
}
