import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contributedCommands, getExtension } from '../helpers';

/** Any CJK Unified Ideograph: a translated string has at least one. */
const chineseCharacter = /[\u4e00-\u9fff]/;

describe('Simplified Chinese', () => {
  it('runs with display language zh-cn', () => {
    assert.equal(vscode.env.language, 'zh-cn');
  });

  it('shows command titles from package.nls.zh-cn.json', () => {
    const extensionPath = getExtension().extensionPath;
    const rawManifest = readJson(path.join(extensionPath, 'package.json')) as {
      contributes: { commands: { command: string; title: string }[] };
    };
    const chinese = readJson(path.join(extensionPath, 'package.nls.zh-cn.json')) as Record<string, string>;
    const titles = new Map(contributedCommands().map((entry) => [entry.command, entry.title]));

    for (const { command, title } of rawManifest.contributes.commands) {
      const key = /^%(.+)%$/.exec(title)?.[1];
      assert.ok(key, `${command} has a fixed title "${title}" instead of a %placeholder% from package.nls.json`);
      assert.ok(chinese[key], `package.nls.zh-cn.json has no "${key}" (title of ${command})`);
      assert.equal(titles.get(command), chinese[key]);
      assert.match(chinese[key], chineseCharacter);
    }
  });

  it('loads the zh-cn l10n bundle', () => {
    const bundleFile = path.join(getExtension().extensionPath, 'l10n', 'bundle.l10n.zh-cn.json');
    const bundle = readJson(bundleFile) as Record<string, string>;
    const entries = Object.entries(bundle);
    assert.ok(entries.length > 0, `${bundleFile} is empty: no fragment under l10n/zh-cn/ has a translation`);

    // The test file lies inside the extension folder, so its `vscode` API is the extension's own.
    assert.deepEqual(vscode.l10n.bundle, bundle);
    for (const [english, translated] of entries.filter(([key]) => !key.includes('{'))) {
      assert.equal(vscode.l10n.t(english), translated);
    }
  });
});

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
