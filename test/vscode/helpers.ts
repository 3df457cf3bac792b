// Shared by the integration tests: the extension under test, the sample training that several test
// files look at, the panels' snapshot command and small waiting helpers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStatus } from '../../src/shared/run/types';

/** `publisher.name` from package.json. */
export const extensionId = 'finetune-studio.finetune-studio';

export interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export function getExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `extension ${extensionId} is not installed in this window`);
  return extension;
}

/** A manifest string after VS Code localised it: plain in English, `{ value, original }` otherwise. */
type LocalizedString = string | { value: string; original: string };

/** Commands of `contributes.commands`, with titles as VS Code localised them for the display language. */
export function contributedCommands(): ContributedCommand[] {
  const manifest = getExtension().packageJSON as {
    contributes?: { commands?: { command: string; title: LocalizedString; category?: LocalizedString }[] };
  };
  return (manifest.contributes?.commands ?? []).map((entry) => ({
    command: entry.command,
    title: localizedValue(entry.title),
    category: entry.category === undefined ? undefined : localizedValue(entry.category),
  }));
}

function localizedValue(text: LocalizedString): string {
  return typeof text === 'string' ? text : text.value;
}

/** Polls `condition` every 100 ms and rejects with `description` when it is still false after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, description: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the window has no workspace folder; the harness opens a copy of examples/milk-tea');
  return folder.uri.fsPath;
}

/** What `finetune.train` resolves to when training ends. */
export interface TrainResult {
  runDir: string;
  status: RunStatus;
}

/** What `finetune.panels.snapshot` returns: the open panels and the loaded inline predictions. */
export interface PanelsSnapshot {
  dashboards: { runDirs: string[]; ready: boolean; lastEpoch?: number; lastStep?: number; status: string }[];
  errorAnalyses: string[];
  predictions: { file: string; row: number; label: string; predicted: string; confidence: number }[];
}

/** The sample training shared by the test files, and the dashboards seen while it ran. */
export interface SampleTraining {
  projectFile: string;
  result: TrainResult | undefined;
  /** Snapshots taken every 200 ms between the start of the command and its end. */
  snapshotsWhileRunning: PanelsSnapshot[];
  seconds: number;
}

/**
 * Bound for one epoch of the sample project on the wasm backend, which took 5 to 7 s on a 2-core
 * machine. The margin covers a slower CI machine shared with code-server and Chromium.
 */
export const trainingTimeoutMs = 6 * 60_000;

let sampleTraining: Promise<SampleTraining> | undefined;

/**
 * Runs `finetune.train { epochs: 1 }` on the workspace's finetune.json once per window and returns the
 * same result to every caller, so that the panel tests look at the run folder the training test made.
 */
export function trainSampleOnce(): Promise<SampleTraining> {
  sampleTraining ??= trainSample();
  return sampleTraining;
}

async function trainSample(): Promise<SampleTraining> {
  const extension = getExtension();
  await waitFor(() => extension.isActive, 30_000, `${extensionId} to activate`);
  const projectFile = path.join(workspaceRoot(), 'finetune.json');
  assert.ok(fs.existsSync(projectFile), `${projectFile} is missing; the harness copies examples/milk-tea`);

  const started = Date.now();
  const snapshotsWhileRunning: PanelsSnapshot[] = [];
  let running = true;
  const training = Promise.resolve(vscode.commands.executeCommand<TrainResult>('finetune.train', { epochs: 1 })).finally(() => {
    running = false;
  });
  while (running) {
    const snapshot = await panelsSnapshot();
    if (running) snapshotsWhileRunning.push(snapshot);
    await delay(200);
  }
  const result = await training;
  const seconds = (Date.now() - started) / 1000;
  console.log(`      finetune.train resolved after ${seconds.toFixed(1)} s: ${result?.status}`);
  return { projectFile, result, snapshotsWhileRunning, seconds };
}

export async function panelsSnapshot(): Promise<PanelsSnapshot> {
  return (await vscode.commands.executeCommand('finetune.panels.snapshot')) as PanelsSnapshot;
}

/** Polls `finetune.panels.snapshot` until `check` accepts it; the timeout message shows the last snapshot. */
export async function waitForSnapshot(check: (snapshot: PanelsSnapshot) => boolean, timeoutMs: number, description: string): Promise<PanelsSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let latest = await panelsSnapshot();
  while (!check(latest)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}. Last snapshot: ${JSON.stringify(latest)}`);
    await delay(200);
    latest = await panelsSnapshot();
  }
  return latest;
}

/**
 * Asks the harness, which drives the browser, to run the probe `name` on the page and returns its
 * result. The request is a `[probe]` log line, which the harness reads from the window's log, and the
 * reply a JSON file the harness writes. Runners without that probe leave the file unwritten, so the
 * call times out.
 */
export async function probeBrowser<T>(name: string, input: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
  probeCount += 1;
  const resultFile = path.join(os.tmpdir(), `finetune-probe-${process.pid}-${probeCount}.json`);
  fs.rmSync(resultFile, { force: true });
  console.log(`[probe] ${name} ${JSON.stringify({ ...input, resultFile })}`);
  await waitFor(() => fs.existsSync(resultFile), timeoutMs, `the harness to answer the browser probe "${name}"`);
  // The harness writes a temporary file and renames it, so an existing file is complete.
  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as T;
}

let probeCount = 0;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
