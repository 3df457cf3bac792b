import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contributedCommands, extensionId, getExtension, waitFor } from '../helpers';

describe('commands', () => {
  before(async () => {
    const extension = getExtension();
    await waitFor(() => extension.isActive, 30_000, `${extensionId} to activate`);
  });

  it('contributes finetune.train', () => {
    const ids = contributedCommands().map((entry) => entry.command);
    assert.ok(ids.includes('finetune.train'), `contributes.commands lists ${ids.join(', ')}`);
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributedCommands()
      .map((entry) => entry.command)
      .filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed in package.json but not registered by activate()');
  });

  it('loads the data commands bundle', () => {
    // Import Excel, Compare Annotations and New Project live in a bundle extension.js loads on first use.
    const bundle = require(path.join(getExtension().extensionPath, 'dist', 'dataCommands.js')) as Record<string, unknown>;
    for (const name of ['importExcel', 'compareAnnotationsCommand', 'newProject']) {
      assert.equal(typeof bundle[name], 'function', `dist/dataCommands.js exports ${name}`);
    }
  });

  it('runs finetune.showLog', async () => {
    await vscode.commands.executeCommand('finetune.showLog');
  });

  it('shows English titles by default', () => {
    assert.equal(vscode.env.language, 'en');
    const english = readNls(path.join(getExtension().extensionPath, 'package.nls.json'));
    for (const entry of contributedCommands()) {
      assert.doesNotMatch(entry.title, /^%.*%$/, `${entry.command} title is an unresolved placeholder`);
      assert.ok(Object.values(english).includes(entry.title), `${entry.command} title "${entry.title}" is not in package.nls.json`);
    }
  });

  it('Train title matches no other title', () => {
    // The palette lists every title containing the typed words, sorted alphabetically, so a longer title
    // such as "Resume Training" would come first and run on Enter.
    // The manifest as written: the extension host localises packageJSON's titles.
    const manifestFile = path.join(getExtension().extensionPath, 'package.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
    for (const nlsFile of ['package.nls.json', 'package.nls.zh-cn.json']) {
      const titles = readNls(path.join(getExtension().extensionPath, nlsFile));
      const titleOf = (placeholder: string) => titles[placeholder.replace(/^%|%$/g, '')];
      const trainTitle = titleOf(manifest.contributes.commands.find((entry) => entry.command === 'finetune.train')!.title);
      assert.ok(trainTitle, `${nlsFile} has no title for finetune.train`);
      const words = trainTitle.toLowerCase().split(/\s+/).filter(Boolean);

      const clashes = manifest.contributes.commands
        .filter((entry) => entry.command !== 'finetune.train')
        .map((entry) => ({ command: entry.command, title: titleOf(entry.title) ?? entry.title }))
        .filter((entry) => words.some((word) => entry.title.toLowerCase().includes(word)));
      assert.deepEqual(clashes, [], `${nlsFile}: titles containing a word of "${trainTitle}"`);
    }
  });
});

function readNls(file: string): Record<string, string> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}
