// The dataset editor on the sample's reviews.csv: label codelenses from the language server, a lens
// click that relabels a row, and undo.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { delay, extensionId, getExtension, waitFor, workspaceRoot } from '../helpers';

/** Labels of examples/milk-tea/finetune.json, in class id order. */
const labelNames = ['差评', '好评', '中性'];
/** Start-up of the language server and its first parse of the file. */
const lensTimeoutMs = 60_000;

describe('dataset editor', () => {
  let document: vscode.TextDocument;
  let lenses: vscode.CodeLens[];

  before(async () => {
    const extension = getExtension();
    await waitFor(() => extension.isActive, 30_000, `${extensionId} to activate`);
    document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'reviews.csv'));
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    lenses = await waitForCodeLenses(document.uri);
  });

  it('header row has no codelens', () => {
    assert.equal(document.lineAt(0).text, 'review,label');
    const onHeader = lenses.filter((lens) => lens.range.start.line === 0);
    assert.deepEqual(titlesOf(onHeader), []);
  });

  it('first data row gets one lens per label', () => {
    const label = labelOf(document.lineAt(1).text);
    const expected = labelNames.map((name) => (name === label ? `${name} ✓` : name));
    assert.deepEqual(titlesOf(lenses.filter((lens) => lens.range.start.line === 1)), expected);
  });

  it('every lens ticks its own row\'s label', () => {
    const lines = [...new Set(lenses.map((lens) => lens.range.start.line))];
    assert.ok(lines.length >= 10, `lenses on only ${lines.length} lines`);
    // A record with a quote may span lines, so its label is not at the end of its first line.
    for (const line of lines.filter((index) => !document.lineAt(index).text.includes('"'))) {
      const ticked = lenses.filter((lens) => lens.range.start.line === line && lens.command?.title.endsWith(' ✓'));
      assert.deepEqual(titlesOf(ticked), [`${labelOf(document.lineAt(line).text)} ✓`], `line ${line + 1}: ${document.lineAt(line).text}`);
    }
  });

  it('lens click relabels and undo restores', async () => {
    const original = document.getText();
    const line = 1;
    const current = labelOf(document.lineAt(line).text);
    const other = labelNames.find((name) => name !== current)!;
    const lens = lenses.find((entry) => entry.range.start.line === line && entry.command?.title === other);
    assert.ok(lens?.command, `no "${other}" lens on line ${line + 1}`);
    assert.equal(lens.command.command, 'finetune.setRowLabel');

    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    assert.equal(labelOf(document.lineAt(line).text), other);
    assert.equal(document.lineCount, original.split('\n').length, 'the edit added or removed lines');
    assert.ok(document.isDirty);

    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original);
    assert.equal(document.isDirty, false);
  });
});

/** Runs the workbench's codelens providers for `uri` until the language server's lenses arrive. */
async function waitForCodeLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const deadline = Date.now() + lensTimeoutMs;
  for (;;) {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const labelLenses = lenses.filter((lens) => lens.command?.command === 'finetune.setRowLabel');
    if (labelLenses.length > 0) return labelLenses;
    if (Date.now() > deadline) throw new Error(`no label codelens on ${uri.fsPath} within ${lensTimeoutMs / 1000} s`);
    await delay(500);
  }
}

function titlesOf(lenses: vscode.CodeLens[]): string[] {
  return lenses.map((lens) => lens.command?.title ?? '(unresolved)');
}

/** Returns the label cell of a one-line CSV record of the sample, which quotes no cell. */
function labelOf(line: string): string {
  return line.slice(line.lastIndexOf(',') + 1).trim();
}
