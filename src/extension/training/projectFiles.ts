// Finding the finetune.json a command should act on.
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Finds the workspace's finetune.json, asking when there are several. */
export async function pickProjectFile(placeHolder: string): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const files = (await vscode.workspace.findFiles('**/finetune.json', '{**/node_modules/**,**/runs/**}')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  if (files.length === 0) {
    const create = vscode.l10n.t('New Project');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('No finetune.json found in this workspace. Create a project first.'), create);
    if (choice === create) await vscode.commands.executeCommand('finetune.newProject');
    return undefined;
  }
  if (files.length === 1) return files[0].fsPath;
  // The project next to the active editor's file comes first, so Enter picks it.
  const isNearActive = (file: vscode.Uri) => active !== undefined && path.dirname(active.fsPath) === path.dirname(file.fsPath);
  const ordered = [...files.filter(isNearActive), ...files.filter((file) => !isNearActive(file))];
  const picked = await vscode.window.showQuickPick(
    ordered.map((file) => ({ label: vscode.workspace.asRelativePath(file), file })),
    { placeHolder },
  );
  return picked?.file.fsPath;
}

