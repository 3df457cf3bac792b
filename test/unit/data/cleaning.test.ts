import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cleanExamples } from '../../../src/shared/data/cleaning';
import { findHashtags, findMentions, findUrls, TextCleaner } from '../../../src/shared/data/detectors';
import { characterCount, normalizeForDuplicates } from '../../../src/shared/data/normalize';
import { readDataset } from '../../../src/shared/data/read';
import type { CleaningConfig } from '../../../src/shared/project/types';

const cleaning: CleaningConfig = {
  stripMentions: true,
  stripHashtags: true,
  stripUrls: true,
  replacements: { 珍猪: '珍珠', 奶茶店: '奶茶铺' },
  maxCopies: 2,
  minLength: 2,
};

function spans(matches: { start: number; end: number; text: string }[]): [number, number, string][] {
  return matches.map((match) => [match.start, match.end, match.text]);
}

describe('detectors', () => {
  it('finds half- and full-width mentions', () => {
    assert.deepEqual(spans(findMentions('@小王 好喝＠Lily_2 赞')), [
      [0, 4, '@小王 '],
      [6, 14, '＠Lily_2 '],
    ]);
  });

  it('takes a reply colon into the mention', () => {
    assert.deepEqual(spans(findMentions('回复@小王:好喝')), [[2, 6, '@小王:']]);
  });

  it('ignores e-mail addresses', () => {
    assert.deepEqual(findMentions('发到 shop@example.com 了'), []);
  });

  it('finds Weibo topics', () => {
    assert.deepEqual(spans(findHashtags('#奶茶测评#真好喝＃夏天＃')), [
      [0, 6, '#奶茶测评#'],
      [9, 13, '＃夏天＃'],
    ]);
  });

  it('ignores a lone hash sign', () => {
    assert.deepEqual(findHashtags('第 # 1 名'), []);
  });

  it('ignores an emoticon between hash signs', () => {
    assert.deepEqual(findHashtags('很好吃！#^_^#'), []);
  });

  it('finds URLs and stops at Chinese text', () => {
    assert.deepEqual(spans(findUrls('看 http://t.cn/A6x好喝，www.example.com/a?b=1.')), [
      [2, 17, 'http://t.cn/A6x'],
      [20, 41, 'www.example.com/a?b=1'],
    ]);
  });

  it('finds typos with their replacement', () => {
    const cleaner = new TextCleaner(cleaning);
    assert.deepEqual(cleaner.findTypos('珍猪奶茶店'), [
      { kind: 'typo', start: 0, end: 2, text: '珍猪', replacement: '珍珠' },
      { kind: 'typo', start: 2, end: 5, text: '奶茶店', replacement: '奶茶铺' },
    ]);
  });

  it('keeps a URL containing @ as one match', () => {
    const cleaner = new TextCleaner(cleaning);
    assert.deepEqual(
      cleaner.findStripped('见 https://x.com/@shop#a#').map((match) => match.kind),
      ['url'],
    );
  });

  it('strips only the enabled kinds', () => {
    const cleaner = new TextCleaner({ ...cleaning, stripMentions: false });
    assert.equal(cleaner.clean('@小王 #话题# 好喝 http://t.cn/x'), '@小王 好喝');
  });

  it('cleans a whole review', () => {
    const cleaner = new TextCleaner(cleaning);
    assert.equal(cleaner.clean('＠小王 #奶茶# 珍猪很Q\u3000\u3000推荐 https://t.cn/abc'), '珍珠很Q 推荐');
  });
});

describe('normalizeForDuplicates', () => {
  it('folds width, case and spaces', () => {
    assert.equal(normalizeForDuplicates('  ＯＫ\u3000好喝！ '), 'ok 好喝!');
    assert.equal(normalizeForDuplicates('Ok  好喝!'), 'ok 好喝!');
  });

  it('counts characters as code points', () => {
    assert.equal(characterCount('好😀'), 2);
  });
});

describe('cleanExamples', () => {
  const labels = { 差评: 0, 好评: 1 };

  it('keeps cleaned labelled examples', () => {
    const result = cleanExamples([{ row: 2, text: '@小王 珍猪好喝', rawLabel: '好评' }], labels, cleaning);
    assert.deepEqual(result.kept, [{ row: 2, text: '珍珠好喝', originalText: '@小王 珍猪好喝', label: 1 }]);
    assert.deepEqual(result.dropped, []);
  });

  it('drops rows with the reason', () => {
    const examples = [
      { row: 2, text: '好喝', rawLabel: '好评' },
      { row: 3, text: '难喝', rawLabel: '一般' },
      { row: 4, text: '@小王', rawLabel: '好评' },
      { row: 5, text: '好', rawLabel: '好评' },
      { row: 6, text: ' 好喝 ', rawLabel: '好评' },
      { row: 7, text: '好喝', rawLabel: '差评' },
      { row: 8, text: '没标' },
    ];
    const result = cleanExamples(examples, labels, cleaning);
    assert.deepEqual(
      result.kept.map((example) => example.row),
      [2, 6],
    );
    assert.deepEqual(result.dropped, [
      { row: 3, reason: 'unknown-label', text: '难喝', rawLabel: '一般' },
      { row: 4, reason: 'empty-text', text: '@小王', rawLabel: '好评' },
      { row: 5, reason: 'too-short', text: '好', rawLabel: '好评' },
      { row: 7, reason: 'duplicate', text: '好喝', rawLabel: '差评', firstCopyRow: 2 },
      { row: 8, reason: 'unlabelled', text: '没标' },
    ]);
  });

  it('keeps every copy when maxCopies is 0', () => {
    const examples = [1, 2, 3].map((row) => ({ row, text: '好喝', rawLabel: '好评' }));
    assert.equal(cleanExamples(examples, labels, { ...cleaning, maxCopies: 0 }).kept.length, 3);
  });
});

describe('cleaning real reviews', () => {
  it('accounts for every waimai_10k row', () => {
    const dataset = readDataset(path.resolve(__dirname, '../../../../shared/data/waimai_10k.csv'), {
      file: 'waimai_10k.csv',
      format: 'auto',
      encoding: 'auto',
      textColumn: 'review',
      labelColumn: 'label',
    });
    const result = cleanExamples(dataset.examples, { '0': 0, '1': 1 }, { ...cleaning, replacements: {}, maxCopies: 1, minLength: 1 });
    assert.equal(result.kept.length + result.dropped.length, 11_987);
    // The file has 7 exact duplicates; normalisation can only find more.
    assert.ok(result.dropped.filter((row) => row.reason === 'duplicate').length >= 7);
    assert.deepEqual(
      result.dropped.filter((row) => row.reason === 'unknown-label'),
      [],
    );
    assert.deepEqual(new Set(result.kept.map((example) => example.label)), new Set([0, 1]));
  });
});
