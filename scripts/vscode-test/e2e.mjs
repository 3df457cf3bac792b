// `npm run test:e2e`: what a user does, in a real VS Code (code-server) driven by headless Chromium.
// Packs the .vsix, installs it into a fresh code-server and opens a copy of examples/milk-tea. Then it
// opens reviews.csv and waits for its label codelens, runs "Fine-tune: Train" from the command palette
// as a person does (F1, the title, Enter) and waits for the notification with the test accuracy. It
// opens the dashboard and the error analysis from the palette and reads the activation time that
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
/** Window size of the harness, and a taller one that shows the panels down to the misclassified reviews. */
const viewport = { width: 1440, height: 900 };
const panelViewport = { width: 1440, height: 1500 };
/** Time for a webview panel to load its script and render. */
const panelTimeoutMs = 30_000;
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
  await makeRoomForPanels(page);
  await openPanel(page, 'Fine-tune: Open Dashboard', 'dashboard', '.chart-body canvas');
  await openPanel(page, 'Fine-tune: Open Error Analysis', 'error-analysis', 'table.confusion');
  await page.setViewportSize(viewport);
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

  // The progress notification shows that Enter ran Train: "Resume Interrupted Run" finds no checkpoint in
  // a fresh workspace and starts nothing. A notification whose text contains the accuracy ends the wait,
  // and an error notification ends it early.
  const toasts = page.locator('.notifications-toasts .notification-list-item');
  const progress = toasts.filter({ hasText: 'Fine-tune Studio: training' });
  const finished = toasts.filter({ hasText: /accuracy/i });
  const failed = page.locator('.notifications-toasts .notification-list-item:has(.codicon-error)');
  let sawProgress = false;
  let nextScreenshot = Date.now() + 5_000;
  while (Date.now() - started < trainingTimeoutMs) {
    if (!sawProgress && (await progress.count()) > 0) {
      sawProgress = true;
      console.log(`[e2e] training notification after ${Math.round((Date.now() - started) / 1000)} s: ${await toastText(progress.first())}`);
    }
    if ((await finished.count()) > 0) {
      const text = await toastText(finished.first());
      console.log(`[e2e] notification after ${Math.round((Date.now() - started) / 1000)} s: ${text}`);
      await screenshot(page, 'training-finished');
      if (!sawProgress) throw new StepError('the training finished without a "Fine-tune Studio: training" progress notification');
      if (!/\d+(\.\d+)?\s*%|0\.\d+/.test(text)) throw new StepError(`the notification has no accuracy figure: "${text}"`);
      return;
    }
    if ((await failed.count()) > 0) {
      throw new StepError(`an error notification appeared: "${await toastText(failed.first())}"`);
    }
    if (Date.now() > nextScreenshot) {
      await screenshot(page, 'training');
      nextScreenshot = Date.now() + 60_000;
    }
    await delay(250);
  }
  throw new StepError(`no notification with the test accuracy within ${trainingTimeoutMs / 60_000} minutes`);
}

/**
 * Closes the notification toasts, hides the side bar (Ctrl+B) and makes the window taller, so that the
 * panel screenshots show the panels' content instead of toasts over it.
 */
async function makeRoomForPanels(page) {
  const closeButtons = page.locator('.notifications-toasts .notification-list-item .codicon-notifications-clear');
  for (let attempt = 0; attempt < 5 && (await closeButtons.count()) > 0; attempt++) {
    await closeButtons.first().click({ timeout: 2_000 }).catch((error) => console.warn(`[e2e] could not close a notification: ${error.message.split('\n')[0]}`));
  }
  await page.keyboard.press('Control+B');
  await page.setViewportSize(panelViewport);
}

/**
 * Runs a palette command that opens a webview panel, waits until a frame of the page shows `selector`
 * and saves a screenshot named `name`.
 */
async function openPanel(page, title, name, selector) {
  await runCommand(page, title);
  const deadline = Date.now() + panelTimeoutMs;
  while (!(await anyFrameShows(page, selector))) {
    if (Date.now() > deadline) {
      await screenshot(page, name);
      throw new StepError(`"${title}" showed no ${selector} within ${panelTimeoutMs / 1000} s`);
    }
    await delay(250);
  }
  // The charts draw on the next animation frames after their canvas exists.
  await delay(1_000);
  await screenshot(page, name);
}

async function anyFrameShows(page, selector) {
  for (const frame of page.frames()) {
    const count = await frame.locator(selector).count().catch(() => 0);
    if (count > 0) return true;
  }
  return false;
}

async function toastText(toast) {
  return (await toast.innerText()).replace(/\s+/g, ' ').trim();
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
 * Runs a command as a person does: F1, the title typed out, Enter. Before Enter it checks that the
 * palette's selected entry, its first match, is the command with exactly that title.
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
  await screenshot(page, `palette-${slug(title)}`);
  const selected = page.locator('.quick-input-list .monaco-list-row.focused .label-name');
  const selectedTitle = (await selected.count()) > 0 ? (await selected.first().innerText()).trim() : '(nothing)';
  if (selectedTitle !== title) {
    throw new StepError(`typing "${title}" selects "${selectedTitle}" in the command palette, so Enter would run that command`);
  }

  await page.keyboard.press('Enter');
  console.log(`[e2e] ran "${title}" from the command palette`);
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
