import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDataset } from '../../../src/shared/data/read';
import * as l10n from '@vscode/l10n';

const root = path.resolve(__dirname, '../../..');
const sourceFolders = ['src/shared/data', 'src/shared/metrics'];

function messagesInSource(): string[] {
  const messages = new Set<string>();
  for (const folder of sourceFolders) {
    for (const name of fs.readdirSync(path.join(root, folder))) {
      if (!name.endsWith('.ts')) continue;
      const source = fs.readFileSync(path.join(root, folder, name), 'utf8');
      for (const match of source.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) messages.add(match[1].replace(/\\(.)/g, '$1'));
    }
  }
  return [...messages];
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\d+)\}/g)].map((match) => match[1]).sort();
}

describe('data translations', () => {
  const translations = JSON.parse(fs.readFileSync(path.join(root, 'l10n/zh-cn/data.json'), 'utf8')) as Record<string, string>;
  const messages = messagesInSource();

  it('finds the messages in the source', () => {
    assert.ok(messages.length > 10, `${messages.length} messages`);
  });

  it('translates every message', () => {
    assert.deepEqual(
      messages.filter((message) => !(message in translations)),
      [],
    );
  });

  it('keeps every placeholder', () => {
    for (const message of messages) assert.deepEqual(placeholders(translations[message] ?? ''), placeholders(message), message);
  });

  it('has no unused translations', () => {
    assert.deepEqual(
      Object.keys(translations).filter((key) => !messages.includes(key)),
      [],
    );
  });

  it('shows a Chinese error with the fragment loaded', () => {
    // The fragment is loaded directly: a merged bundle left by an earlier build could be stale.
    l10n.config({ contents: translations });
    try {
      assert.throws(
        () => parseDataset('label,review\n好评,好喝\n差评\n', 'reviews.csv', { file: 'reviews.csv', format: 'auto', encoding: 'auto', textColumn: 'review', labelColumn: 'label' }),
        /reviews\.csv 第 3 行有 1 个单元格，但表头有 2 个。请补上缺少的单元格，用逗号分隔。/,
      );
    } finally {
      l10n.config({ contents: {} });
    }
  });
});
