// Every message shown to users exists in Simplified Chinese: each literal passed to `t(...)` or
// `vscode.l10n.t(...)` under src/ has a translation in l10n/zh-cn/*.json with the same placeholders, and
// every command title in package.nls.json has one in package.nls.zh-cn.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundle } from '../../../src/shared/l10n';

const repo = path.resolve(__dirname, '../../..');

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Finds the first argument of t(...) / l10n.t(...) calls when it is a plain string literal. */
function messagesIn(source: string): string[] {
  const messages: string[] = [];
  const call = /(?<![\w.])(?:vscode\.l10n\.t|l10n\.t|t)\(\s*(['"])((?:\\.|(?!\1)[^\\\n])*)\1\s*[,)]/g;
  for (const match of source.matchAll(call)) {
    messages.push(JSON.parse(`"${match[2].replace(/\\'/g, "'").replace(/(?<!\\)"/g, '\\"')}"`) as string);
  }
  return messages;
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\d+)\}/g)].map((match) => match[1]).sort();
}

describe('translations', () => {
  const bundle = loadBundle('zh-cn', repo);

  it('cover every message in the sources', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(path.join(repo, 'src'))) {
      for (const message of messagesIn(fs.readFileSync(file, 'utf8'))) {
        if (!(message in bundle)) missing.push(`${path.relative(repo, file)}: ${message}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('keep the placeholders of each message', () => {
    const wrong = Object.entries(bundle).filter(([english, chinese]) => placeholders(english).join() !== placeholders(chinese).join());
    assert.deepEqual(wrong, []);
  });

  it('are Chinese except for terms the field writes in English', () => {
    // Terms such as "Epoch", "Loss" or "Macro-F1" stay in English, as Chinese practitioners write them.
    const isTerm = (text: string) => text.trim().split(/\s+/).length <= 2;
    const untranslated = Object.entries(bundle).filter(([english, chinese]) => !/[\u4e00-\u9fff]/.test(chinese) && !isTerm(english));
    assert.deepEqual(untranslated, []);
  });

  it('cover every manifest string', () => {
    const english = JSON.parse(fs.readFileSync(path.join(repo, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const chinese = JSON.parse(fs.readFileSync(path.join(repo, 'package.nls.zh-cn.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(english).filter((key) => !(key in chinese)), []);
    const manifest = fs.readFileSync(path.join(repo, 'package.json'), 'utf8');
    const used = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((match) => match[1]);
    assert.deepEqual(used.filter((key) => !(key in english)), []);
  });
});
