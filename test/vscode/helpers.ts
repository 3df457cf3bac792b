// Shared by the integration tests: the extension under test and small waiting helpers.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

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
