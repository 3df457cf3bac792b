// "Open the setting" buttons of the training advice: open finetune.json with the field selected.
import * as vscode from 'vscode';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';

/**
 * Opens `projectFile` and selects the value at the dotted JSON path `field`, such as
 * `training.learningRate`. When the field is not written in the file (its default applies), the cursor
 * goes to the closest enclosing object and a message names the field to add.
 */
export async function openProjectSetting(projectFile: string, field: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(projectFile));
  const root = parseTree(document.getText());
  const segments = field.split('.');
  const { node, found } = findClosestNode(root, segments);

  const editor = await vscode.window.showTextDocument(document, { preview: false });
  if (node) {
    const start = document.positionAt(node.offset);
    const end = found ? document.positionAt(node.offset + node.length) : start;
    editor.selection = new vscode.Selection(start, end);
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  if (!found) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" is not set in finetune.json, so its default applies. Add it to change the value.', field),
    );
  }
}

/** Finds the node at `segments`, or the deepest enclosing object that exists. */
function findClosestNode(root: Node | undefined, segments: string[]): { node: Node | undefined; found: boolean } {
  if (!root) return { node: undefined, found: false };
  for (let length = segments.length; length > 0; length--) {
    const node = findNodeAtLocation(root, segments.slice(0, length));
    if (node) return { node, found: length === segments.length };
  }
  return { node: root, found: false };
}
