// `npm run test:e2e`: what a user does, in a real VS Code (code-server) driven by headless Chromium.
// Packs the .vsix, installs it into a fresh code-server and opens a copy of examples/milk-tea. Then it
// opens reviews.csv and waits for its label codelens, runs "Fine-tune: Train" from the command palette
// and waits for the notification with the test accuracy. Last, it reads the activation time that
// "Developer: Show Running Extensions" shows.
// Screenshots of each step go to test-results/e2e/; a failure saves one of the screen at that moment.
// Exit code 0 when training finished with a notification, 1 when a step failed, 2 when the harness
// could not start.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  HarnessError,
  copyProject,
  createSession,
  delay,
  ensureSetup,
  installVsix,
  launchBrowser,
  startCodeServer,
  stopAll,
  workbenchUrl,
} from './harness.mjs';
import { cacheDir, resultsDir, root, sampleProject } from './paths.mjs';

/** One training of the sample project as finetune.json configures it, on 2 shared cores. */
const trainingTimeoutMs = 12 * 60_000;
const workbenchTimeoutMs = 90_000;
const screenshots = path.join(resultsDir, 'e2e');
const vsixFile = path.join(cacheDir, 'e2e/finetune-studio.vsix');

/** A failed user-level step: the page is captured before the run ends. */
class StepError extends Error {}

let page;
let exitCode = 0;
let screenshotCount = 0;
try {
  fs.rmSync(screenshots, { recursive: true, force: true });
  fs.mkdirSync(screenshots, { recursive: true });
  ensureSetup();
  packageVsix();

  const session = createSession('e2e');
  copyProject(sampleProject, session);
  installVsix(session, vsixFile);
  const server = await startCodeServer(session, { smokeTestDriver: false });
  ({ page } = await launchBrowser(session));
  // The browser console repeats the workbench log with %c styling, so it goes to the session logs only.
  page.on('console', (message) => fs.appendFileSync(path.join(session.logs, 'browser-console.log'), `[${message.type()}] ${message.text()}\n`));

  await openWorkbench(page, workbenchUrl(server, session.workspace));
  await openDatasetWithCodeLens(page, 'reviews.csv');
  await runTraining(page);
  await showActivationTime(page);
  console.log(`\n[e2e] passed. Screenshots are in ${path.relative(root, screenshots)}/`);
} catch (error) {
  const userStep = error instanceof StepError;
  const step = error instanceof HarnessError ? error.step : 'e2e';
  console.error(`\n[e2e] ${userStep ? 'failed' : `could not run (step "${step}")`}: ${error instanceof Error ? error.message : String(error)}`);
  if (page) await screenshot(page, 'failure').catch(() => undefined);
  exitCode = userStep ? 1 : 2;
} finally {
  await stopAll();
}
process.exit(exitCode);

function packageVsix() {
  fs.mkdirSync(path.dirname(vsixFile), { recursive: true });
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/package.mjs'), '--out', vsixFile], { stdio: 'inherit' });
  if (result.status !== 0) throw new HarnessError('package', 'node scripts/package.mjs failed');
}

async function openWorkbench(page, url) {
  console.log(`[e2e] opening ${url}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  try {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: workbenchTimeoutMs });
    // The explorer lists finetune.json once the workspace is open and the file service is ready.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'finetune.json' }).waitFor({ timeout: workbenchTimeoutMs });
  } catch (error) {
    throw new StepError(`the workbench did not show the workspace within ${workbenchTimeoutMs / 1000} s: ${error.message}`);
  }
  await screenshot(page, 'workbench');
}

/** Opens the sample's data file with Quick Open (Ctrl+P) and waits for the label codelens on its rows. */
async function openDatasetWithCodeLens(page, fileName) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  try {
    await input.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    throw new StepError('Ctrl+P did not open Quick Open');
  }
  await input.pressSequentially(fileName, { delay: 20 });
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: fileName }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');

  const codeLens = page.locator('.monaco-editor .codelens-decoration');
  try {
    await codeLens.first().waitFor({ timeout: 60_000 });
  } catch {
    await screenshot(page, 'dataset');
    throw new StepError(`${fileName} opened without a codelens within 60 s`);
  }
  const firstLens = (await codeLens.first().innerText()).replace(/\s+/g, ' ').trim();
  console.log(`[e2e] ${fileName} shows ${await codeLens.count()} codelens lines in view, the first "${firstLens}"`);
  await screenshot(page, 'dataset');
}

async function runTraining(page) {
  await runCommand(page, 'Fine-tune: Train');
  const started = Date.now();

  // A notification whose text contains the accuracy ends the wait, and an error notification ends it early.
  const toasts = page.locator('.notifications-toasts .notification-list-item');
  const finished = toasts.filter({ hasText: /accuracy/i });
  const failed = page.locator('.notifications-toasts .notification-list-item:has(.codicon-error)');
  let nextScreenshot = Date.now() + 5_000;
  while (Date.now() - started < trainingTimeoutMs) {
    if ((await finished.count()) > 0) {
      const text = (await finished.first().innerText()).replace(/\s+/g, ' ').trim();
      console.log(`[e2e] notification after ${Math.round((Date.now() - started) / 1000)} s: ${text}`);
      await screenshot(page, 'training-finished');
      if (!/\d+(\.\d+)?\s*%|0\.\d+/.test(text)) throw new StepError(`the notification has no accuracy figure: "${text}"`);
      return;
    }
    if ((await failed.count()) > 0) {
      throw new StepError(`an error notification appeared: "${(await failed.first().innerText()).replace(/\s+/g, ' ').trim()}"`);
    }
    if (Date.now() > nextScreenshot) {
      await screenshot(page, 'training');
      nextScreenshot = Date.now() + 60_000;
    }
    await delay(1_000);
  }
  throw new StepError(`no notification with the test accuracy within ${trainingTimeoutMs / 60_000} minutes`);
}

/** Reads the activation time the workbench shows in "Developer: Show Running Extensions". */
async function showActivationTime(page) {
  await runCommand(page, 'Developer: Show Running Extensions');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Fine-tune Studio' });
  try {
    await row.locator('.activation-time').waitFor({ timeout: 15_000 });
  } catch {
    throw new StepError('"Developer: Show Running Extensions" does not list Fine-tune Studio as activated');
  }
  // The workbench shows code loading plus the synchronous part of activate(), as "Activation: 103ms".
  const activation = (await row.locator('.activation-time').innerText()).trim();
  console.log(`[e2e] Running Extensions lists Fine-tune Studio with "${activation}" (code loading + activate call)`);
  await screenshot(page, 'running-extensions');
}

/**
 * Opens the command palette with F1, types `title`, moves to the entry with exactly that label and runs
 * it with Enter. The palette lists matches alphabetically, so the exact match need not be first: for
 * "Fine-tune: Train", "Fine-tune: Resume Training" comes before it.
 */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  try {
    await input.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    throw new StepError('F1 did not open the command palette');
  }
  await input.pressSequentially(title, { delay: 20 });

  const rows = page.locator('.quick-input-list .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  try {
    await exact.first().waitFor({ timeout: 10_000 });
  } catch {
    await screenshot(page, `palette-${slug(title)}`);
    throw new StepError(`the command palette has no "${title}" entry`);
  }
  const maxMoves = await rows.count();
  for (let moves = 0; moves < maxMoves && !(await isFocused(exact.first())); moves += 1) {
    await page.keyboard.press('ArrowDown');
  }
  if (!(await isFocused(exact.first()))) throw new StepError(`could not move the palette selection to "${title}"`);

  await screenshot(page, `palette-${slug(title)}`);
  await page.keyboard.press('Enter');
  console.log(`[e2e] ran "${title}" from the command palette`);
}

async function isFocused(row) {
  return ((await row.getAttribute('class')) ?? '').split(/\s+/).includes('focused');
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function screenshot(page, name) {
  screenshotCount += 1;
  const file = path.join(screenshots, `${String(screenshotCount).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
