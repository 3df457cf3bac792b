// Building blocks of the VS Code test runners: build steps, a scratch session folder, code-server on a
// free loopback port, and headless Chromium driven by playwright-core. Every process started here is
// tracked, and stopAll() ends it, also when the runner is interrupted.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { cacheDir, chromiumBinary, codeServerEntry, nodeBinary, root, suiteBundle } from './paths.mjs';

/** Failure of the harness itself (as opposed to a failing test), with the step that failed. */
export class HarnessError extends Error {
  constructor(step, message) {
    super(`${step}: ${message}`);
    this.step = step;
  }
}

const cleanups = [];
let interrupted = false;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`[harness] ${signal}: stopping code-server and Chromium`);
    void stopAll().finally(() => process.exit(130));
  });
}

/** Ends every process this module started, newest first. Safe to call more than once. */
export async function stopAll() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup();
    } catch (error) {
      console.error(`[harness] cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Runs the setup script, which returns at once when everything is installed already. */
export function ensureSetup() {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/vscode-test/setup.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) throw new HarnessError('setup', 'scripts/vscode-test/setup.mjs failed (see the line above)');
}

/** Builds dist/ with scripts/build.mjs. With `production`, it minifies and drops source maps, as packaging does. */
export function buildExtension({ production = false } = {}) {
  const args = [path.join(root, 'scripts/build.mjs'), ...(production ? ['--production'] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new HarnessError('build', 'node scripts/build.mjs failed');
}

/**
 * Bundles test/vscode into out/vscode-test: the entry points (index.js, index.zh-cn.js) and one file per
 * *.test.ts, so that mocha can load each test file on its own. `vscode` and `mocha` stay external: the
 * extension host provides the first and the repository's node_modules the second.
 */
export async function buildSuite() {
  const testRoot = path.join(root, 'test/vscode');
  const testFiles = ['suite', 'zh-cn'].flatMap((folder) =>
    fs
      .readdirSync(path.join(testRoot, folder))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => path.join(testRoot, folder, name)),
  );
  const outdir = path.dirname(suiteBundle);
  fs.rmSync(outdir, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: [path.join(testRoot, 'index.ts'), path.join(testRoot, 'index.zh-cn.ts'), ...testFiles],
      outbase: testRoot,
      outdir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      // jsonc-parser's `main` is a UMD build whose lazy require() calls esbuild cannot follow.
      mainFields: ['module', 'main'],
      external: ['vscode', 'mocha'],
      logLevel: 'warning',
    });
  } catch (error) {
    throw new HarnessError('build', `bundling test/vscode failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Creates an empty scratch folder for one code-server and browser: HOME, TMPDIR, the user data and
 * extensions folders, the Chromium profile, the workspace and the logs all live inside it.
 */
export function createSession(name) {
  const folder = path.join(cacheDir, 'sessions', name);
  fs.rmSync(folder, { recursive: true, force: true });
  const session = {
    folder,
    home: path.join(folder, 'home'),
    tmp: path.join(folder, 'tmp'),
    userData: path.join(folder, 'user-data'),
    extensions: path.join(folder, 'extensions'),
    profile: path.join(folder, 'chromium-profile'),
    workspace: path.join(folder, 'workspace'),
    logs: path.join(folder, 'logs'),
  };
  for (const [key, value] of Object.entries(session)) {
    if (key !== 'folder') fs.mkdirSync(value, { recursive: true });
  }

  // The workspace lies inside this repository. Without the git setting, VS Code shows a notification
  // that offers to open the parent repository. The welcome page and the chat view in the secondary side
  // bar are left out so that screenshots show the workspace and the panels at full width.
  const settings = {
    'git.openRepositoryInParentFolders': 'never',
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
  fs.mkdirSync(path.join(session.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(session.userData, 'User/settings.json'), JSON.stringify(settings, null, 2));
  return session;
}

/** Copies a sample project into the session's workspace, leaving out earlier run folders. */
export function copyProject(from, session) {
  if (!fs.existsSync(path.join(from, 'finetune.json'))) {
    console.warn(`[harness] ${path.relative(root, from)}/finetune.json is missing, so the workspace has no project`);
  }
  fs.cpSync(from, session.workspace, {
    recursive: true,
    filter: (source) => path.basename(source) !== 'runs',
  });
}

/**
 * Registers a language pack for `locale` with no translations, so that code-server accepts the display
 * language without downloading Microsoft's language pack: VS Code's own strings fall back to English,
 * and extensions get `vscode.env.language === locale` with their package.nls.<locale>.json and l10n
 * bundles. code-server reads this registry, languagepacks.json in the user data folder, when a window
 * opens with --locale; installing a language pack extension writes the same file.
 */
export function registerEmptyLanguagePack(session, locale) {
  const translations = path.join(session.folder, 'language-pack', 'main.i18n.json');
  fs.mkdirSync(path.dirname(translations), { recursive: true });
  fs.writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const registry = {
    [locale]: {
      hash: `empty-${locale}`,
      extensions: [{ extensionIdentifier: { id: `finetune-studio-test.language-pack-${locale}` }, version: '0.0.0' }],
      translations: { vscode: translations },
      label: locale,
    },
  };
  fs.writeFileSync(path.join(session.userData, 'languagepacks.json'), JSON.stringify(registry, null, 2));
}

/** Environment shared by every code-server process: isolated HOME and TMPDIR, no extension gallery. */
function codeServerEnvironment(session) {
  return {
    ...process.env,
    HOME: session.home,
    TMPDIR: session.tmp,
    EXTENSIONS_GALLERY: '{}',
    PATH: `${path.dirname(nodeBinary)}:${process.env.PATH ?? ''}`,
  };
}

function codeServerArguments(session) {
  return [
    codeServerEntry,
    '--user-data-dir',
    session.userData,
    '--extensions-dir',
    session.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];
}

/** Installs a .vsix into the session's extensions folder with code-server's own CLI. */
export function installVsix(session, vsixFile) {
  const result = spawnSync(nodeBinary, [...codeServerArguments(session), '--install-extension', vsixFile], {
    env: codeServerEnvironment(session),
    encoding: 'utf8',
  });
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) {
    throw new HarnessError('install', `code-server --install-extension ${vsixFile} failed:\n${result.stderr}`);
  }
}

/**
 * Starts code-server on 127.0.0.1 and resolves once /healthz answers. `locale` sets the display
 * language. `smokeTestDriver` enables VS Code's test driver: without it the workbench ignores test
 * payloads, and with it the workbench shows no notification toasts, so end-to-end runs turn it off.
 */
export async function startCodeServer(session, { locale, smokeTestDriver = true } = {}) {
  for (const file of [nodeBinary, codeServerEntry]) {
    if (!fs.existsSync(file)) throw new HarnessError('code-server', `${file} is missing. Run node scripts/vscode-test/setup.mjs`);
  }
  const port = await findFreePort();
  const args = [
    ...codeServerArguments(session),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(locale ? ['--locale', locale] : []),
  ];
  const logFile = path.join(session.logs, 'code-server.log');
  const logStream = fs.openSync(logFile, 'a');
  // A process group of its own, so that stopping it also ends the extension host and other children.
  const child = spawn(nodeBinary, args, {
    env: codeServerEnvironment(session),
    stdio: ['ignore', logStream, logStream],
    detached: true,
  });
  fs.closeSync(logStream);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  cleanups.push(() => stopProcessGroup(child, exited));

  const url = `http://127.0.0.1:${port}`;
  const startedBy = Date.now() + 90_000;
  for (;;) {
    const exitCode = await Promise.race([exited, delay(250).then(() => undefined)]);
    if (exitCode !== undefined) {
      throw new HarnessError('code-server', `exited with ${exitCode} before /healthz responded. Log:\n${tail(logFile)}`);
    }
    if (await isHealthy(`${url}/healthz`)) break;
    if (Date.now() > startedBy) throw new HarnessError('code-server', `${url}/healthz did not respond within 90 s. Log:\n${tail(logFile)}`);
  }
  return { port, url, logFile };
}

/** Launches Debian's Chromium headless with a fresh profile in the session folder. */
export async function launchBrowser(session) {
  if (!fs.existsSync(chromiumBinary)) throw new HarnessError('chromium', `${chromiumBinary} is missing. Run node scripts/vscode-test/setup.mjs`);
  let context;
  try {
    context = await chromium.launchPersistentContext(session.profile, {
      executablePath: chromiumBinary,
      headless: true,
      // Playwright would exit the process on these signals before code-server is stopped: the
      // handlers at the top of this module close the browser and code-server instead.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      viewport: { width: 1440, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    throw new HarnessError('chromium', `launch failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/**
 * The workbench address for `folder`. With `extensionDevelopmentPath` and `extensionTestsPath`, the
 * workbench loads the extension from source and runs the tests' `run()` in the extension host. Both
 * paths must be vscode-remote URIs of this server: file:// URIs find no extension host.
 */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const address = new URL(server.url);
  address.searchParams.set('folder', folder);
  if (extensionDevelopmentPath && extensionTestsPath) {
    const remote = (file) => `vscode-remote://127.0.0.1:${server.port}${file}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionDevelopmentPath)],
      ['extensionTestsPath', remote(extensionTestsPath)],
    ];
    address.searchParams.set('payload', JSON.stringify(payload));
  }
  return address.toString();
}

/**
 * Opens the workbench with a test payload and resolves with the exit code the workbench reports
 * through codeAutomationExit: 0 when run() resolved, 1 otherwise. Log lines from the workbench
 * (mocha's output among them) go to `onLog`. The log files it sends with the exit code are saved in
 * the session's logs folder.
 */
export async function runTestsInWorkbench(page, url, session, { timeoutMs, onLog }) {
  let reportExit;
  const exitCode = new Promise((resolve) => (reportExit = resolve));
  await page.exposeFunction('codeAutomationLog', (type, message) => onLog(type, String(message)));
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    saveWorkbenchLogs(session, logs);
    reportExit(code);
  });
  page.on('pageerror', (error) => fs.appendFileSync(path.join(session.logs, 'page-errors.log'), `${error.stack ?? error}\n`));

  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  } catch (error) {
    throw new HarnessError('workbench', `${url} did not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const timedOut = delay(timeoutMs).then(() => 'timeout');
  const result = await Promise.race([exitCode, timedOut]);
  if (result === 'timeout') {
    await page.screenshot({ path: path.join(session.logs, 'timeout.png') }).catch(() => undefined);
    throw new HarnessError('workbench', `no test result after ${Math.round(timeoutMs / 1000)} s. The screenshot and logs are in ${session.logs}`);
  }
  return result;
}

/**
 * Workbench log lines about features that are off here (gallery, GitHub sign-in, chat, connection
 * set-up). They still go to logs/workbench.log in the session folder, but not to the terminal.
 */
const workbenchNoise = [
  /^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]/,
  /^Ignoring fetching additional builtin extensions from gallery/,
  /^No extension gallery service configured/,
  /^Timed out waiting for authentication provider/,
  /^Updating additional builtin extensions cache/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket \(renderer-/,
  /^No search provider registered for scheme/,
  /^Canceled: Canceled/,
  /^Creation of workbench contribution '[^']+' took \d+ms\./,
];

/** Appends a workbench log line to the session log and prints it unless it is known noise. */
export function printWorkbenchLog(session, type, message) {
  fs.appendFileSync(path.join(session.logs, 'workbench.log'), `[${type}] ${message}\n`);
  if (workbenchNoise.some((pattern) => pattern.test(message))) return;
  if (type === 'error') console.error(message);
  else console.log(message);
}

function saveWorkbenchLogs(session, logs) {
  if (!Array.isArray(logs)) return;
  for (const { relativePath, contents } of logs) {
    const target = path.resolve(session.logs, 'workbench', relativePath);
    if (!target.startsWith(session.logs)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, contents);
  }
}

async function stopProcessGroup(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const stopped = await Promise.race([exited.then(() => true), delay(5_000).then(() => false)]);
  if (!stopped) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group ended between the check and the kill.
    }
  }
}

function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function isHealthy(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function tail(file, lines = 30) {
  if (!fs.existsSync(file)) return '(no log)';
  return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
