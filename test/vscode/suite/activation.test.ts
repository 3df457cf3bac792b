import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionId, getExtension, waitFor } from '../helpers';

/** The extension host's performance marks, kept by VS Code on `globalThis` (vs/base/common/performance). */
interface PerformanceMarks {
  getMarks(): { name: string; startTime: number }[];
}

describe('activation', () => {
  it('finds finetune.json in the workspace', async () => {
    const projectFiles = await vscode.workspace.findFiles('**/finetune.json', '**/{node_modules,runs}/**');
    assert.equal(projectFiles.length, 1, 'the harness opens a copy of examples/milk-tea, which holds one finetune.json');
  });

  it('activates through workspaceContains', async () => {
    // The test never calls activate(): VS Code must do it because the workspace contains finetune.json.
    const extension = getExtension();
    await waitFor(() => extension.isActive, 30_000, `${extensionId} to activate`);
  });

  it('records activation performance marks', () => {
    const store = (globalThis as { MonacoPerformanceMarks?: PerformanceMarks }).MonacoPerformanceMarks;
    assert.ok(store, 'globalThis.MonacoPerformanceMarks is missing in this extension host');
    const marks = store.getMarks();
    const willActivate = marks.find((mark) => mark.name === `code/extHost/willActivateExtension/${extensionId}`);
    const didActivate = marks.find((mark) => mark.name === `code/extHost/didActivateExtension/${extensionId}`);
    assert.ok(willActivate, 'no willActivateExtension mark: the extension was not activated by VS Code');
    assert.ok(didActivate, 'no didActivateExtension mark: activate() has not resolved');
    assert.ok(didActivate.startTime >= willActivate.startTime);

    // willActivate is marked after VS Code loaded dist/extension.js, didActivate when activate() resolved.
    console.log(`      activate() took ${didActivate.startTime - willActivate.startTime} ms (extension host performance marks)`);
  });
});
