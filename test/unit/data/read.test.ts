import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { findColumn, normalizeColumnName } from '../../../src/shared/data/columns';
import { jsonlColumns, parseJsonl } from '../../../src/shared/data/jsonl';
import { parseDataset, readDataset } from '../../../src/shared/data/read';
import { isUserInputError, type UserInputError } from '../../../src/shared/errors';
import type { DataConfig } from '../../../src/shared/project/types';

const sharedData = path.resolve(__dirname, '../../../../shared/data');
const config: DataConfig = { file: 'reviews.csv', format: 'auto', encoding: 'auto', textColumn: 'review', labelColumn: 'label' };

function userError(check: (error: UserInputError) => boolean) {
  return (error: unknown) => isUserInputError(error) && check(error);
}

describe('readDataset', () => {
  let folder: string;
  before(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-data-'))));
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  function write(name: string, content: string | Buffer): string {
    const file = path.join(folder, name);
    fs.writeFileSync(file, content);
    return file;
  }

  it('reads a GB18030 CSV file', () => {
    const file = write('gbk.csv', iconv.encode('label,review\n好评,珍珠很Q\n差评,太甜\n', 'gb18030'));
    const dataset = readDataset(file, config);
    assert.equal(dataset.encoding, 'gb18030');
    assert.equal(dataset.bom, false);
    assert.deepEqual(dataset.examples, [
      { row: 2, text: '珍珠很Q', rawLabel: '好评' },
      { row: 3, text: '太甜', rawLabel: '差评' },
    ]);
  });

  it('reads a UTF-16 LE TSV file with BOM', () => {
    const file = write('excel.tsv', iconv.encode('label\treview\r\n好评\t好喝\r\n', 'utf-16le', { addBOM: true }));
    const dataset = readDataset(file, config);
    assert.equal(dataset.encoding, 'utf-16le');
    assert.equal(dataset.bom, true);
    assert.equal(dataset.format, 'tsv');
    assert.equal(dataset.delimiter, '\t');
    assert.deepEqual(dataset.examples, [{ row: 2, text: '好喝', rawLabel: '好评' }]);
  });

  it('reads a BOM before a quoted header', () => {
    const file = write('bom.csv', '\uFEFF"label","review"\r\n好评,"好喝,不贵"\r\n');
    const dataset = readDataset(file, config);
    assert.equal(dataset.bom, true);
    assert.deepEqual(dataset.columns, ['label', 'review']);
    assert.deepEqual(dataset.examples, [{ row: 2, text: '好喝,不贵', rawLabel: '好评' }]);
  });

  it('reports a missing file', () => {
    assert.throws(
      () => readDataset(path.join(folder, 'missing.csv'), config),
      userError((error) => error.location.field === 'data.file' && error.message.includes('missing.csv')),
    );
  });
});

describe('parseDataset', () => {
  it('keeps row numbers after quoted line breaks', () => {
    const dataset = parseDataset('label,review\n好评,"第一行\n第二行"\n差评,"三\r\n四\r\n五"\n中性,六\n', 'a.csv', config);
    assert.deepEqual(
      dataset.examples.map((example) => example.row),
      [2, 4, 7],
    );
    assert.equal(dataset.examples[1].text, '三\r\n四\r\n五');
  });

  it('matches a header with trailing spaces', () => {
    const dataset = parseDataset('label ,review\u3000\n好评,好喝\n', 'a.csv', config);
    assert.deepEqual(dataset.columns, ['label ', 'review\u3000']);
    assert.deepEqual(dataset.examples, [{ row: 2, text: '好喝', rawLabel: '好评' }]);
  });

  it('keeps unlabelled rows apart', () => {
    const dataset = parseDataset('label,review\n好评,好喝\n,还没标\n\u3000,也没标\n', 'a.csv', config);
    assert.deepEqual(dataset.examples, [{ row: 2, text: '好喝', rawLabel: '好评' }]);
    assert.deepEqual(dataset.unlabelled, [
      { row: 3, text: '还没标' },
      { row: 4, text: '也没标' },
    ]);
  });

  it('skips and counts empty rows', () => {
    const dataset = parseDataset('\nlabel,review\n好评,好喝\n\n,\n  ,\t\n差评,难喝', 'a.csv', config);
    assert.deepEqual(dataset.emptyRows, [1, 4, 5, 6]);
    assert.deepEqual(
      dataset.examples.map((example) => example.row),
      [3, 7],
    );
  });

  it('trims the raw label', () => {
    const dataset = parseDataset('label,review\n 1 ,好喝\n', 'a.csv', config);
    assert.equal(dataset.examples[0].rawLabel, '1');
  });

  it('rejects a row with too few cells', () => {
    assert.throws(
      () => parseDataset('label,review\n好评,好喝\n差评\n', 'reviews.csv', config),
      userError((error) => error.location.row === 3 && error.location.file === 'reviews.csv' && /Row 3 of reviews\.csv/.test(error.message)),
    );
  });

  it('rejects a review cut by a comma', () => {
    assert.throws(
      () => parseDataset('label,review\n好评,好喝,不贵\n', 'reviews.csv', config),
      userError((error) => error.location.row === 2 && error.message.includes('double quotes')),
    );
  });

  it('accepts empty cells past the header', () => {
    const dataset = parseDataset('label,review\n好评,好喝,,\n', 'a.csv', config);
    assert.deepEqual(dataset.examples, [{ row: 2, text: '好喝', rawLabel: '好评' }]);
  });

  it('lists the columns when one is missing', () => {
    assert.throws(
      () => parseDataset('标签,评论\n好评,好喝\n', 'reviews.csv', config),
      userError((error) => error.location.column === 'review' && error.message.includes('"标签", "评论"')),
    );
  });

  it('rejects an unterminated quote', () => {
    assert.throws(
      () => parseDataset('label,review\n好评,"好喝\n差评,难喝\n', 'reviews.csv', config),
      userError((error) => error.location.row === 2),
    );
  });

  it('rejects an empty file', () => {
    assert.throws(
      () => parseDataset('\n\n', 'reviews.csv', config),
      userError((error) => error.message.includes('reviews.csv')),
    );
  });

  it('reads JSON Lines', () => {
    const text = '{"text": "好喝", "label": "好评"}\n\n{"text": "难喝", "label": 0}\r\n{"text": "未标"}\n{"text": "空", "label": null}\n';
    const dataset = parseDataset(text, 'faq.jsonl', { ...config, textColumn: 'text' });
    assert.equal(dataset.format, 'jsonl');
    assert.deepEqual(dataset.columns, ['text', 'label']);
    assert.deepEqual(dataset.examples, [
      { row: 1, text: '好喝', rawLabel: '好评' },
      { row: 3, text: '难喝', rawLabel: '0' },
    ]);
    assert.deepEqual(
      dataset.unlabelled.map((example) => example.row),
      [4, 5],
    );
  });

  it('rejects a JSON Lines row without text', () => {
    assert.throws(
      () => parseDataset('{"text": "好", "label": 1}\n{"label": 1}\n', 'a.jsonl', { ...config, textColumn: 'text' }),
      userError((error) => error.location.row === 2),
    );
  });
});

describe('real reviews', () => {
  it('reads all 11,987 rows of waimai_10k.csv', () => {
    const dataset = readDataset(path.join(sharedData, 'waimai_10k.csv'), config);
    assert.equal(dataset.encoding, 'utf-8');
    assert.equal(dataset.examples.length, 11_987);
    assert.equal(dataset.unlabelled.length, 0);
    assert.deepEqual(dataset.emptyRows, []);
    assert.equal(dataset.examples.filter((example) => example.rawLabel === '1').length, 4000);
    assert.equal(dataset.examples.filter((example) => example.rawLabel === '0').length, 7987);
    assert.deepEqual(dataset.examples[0], { row: 2, text: '很快，好吃，味道足，量大', rawLabel: '1' });
    assert.equal(dataset.examples[11_986].row, 11_988);
  });
});

describe('parseJsonl', () => {
  it('names the malformed line', () => {
    assert.throws(
      () => parseJsonl('{"a": 1}\n\n{"a": \n', 'faq.jsonl'),
      userError((error) => error.location.row === 3 && error.message.includes('Line 3 of faq.jsonl')),
    );
  });

  it('rejects a line that is not an object', () => {
    assert.throws(
      () => parseJsonl('[1, 2]\n', 'faq.jsonl'),
      userError((error) => error.location.row === 1),
    );
  });

  it('records line offsets', () => {
    const text = '{"a": 1}\r\n\r\n{"b": 2}';
    const records = parseJsonl(text, 'a.jsonl');
    assert.deepEqual(
      records.map((record) => [record.line, text.slice(record.start, record.end)]),
      [
        [1, '{"a": 1}'],
        [3, '{"b": 2}'],
      ],
    );
    assert.deepEqual(jsonlColumns(records), ['a', 'b']);
  });
});

describe('header matching', () => {
  it('normalises spaces and full-width letters', () => {
    assert.equal(normalizeColumnName('\u3000ｒｅｖｉｅｗ '), 'review');
  });

  it('finds a column despite spaces', () => {
    assert.equal(findColumn(['label', ' review\u3000'], 'review'), 1);
  });

  it('falls back to a unique caseless match', () => {
    assert.equal(findColumn(['Label', 'Review'], 'review'), 1);
    assert.equal(findColumn(['review', 'Review'], 'REVIEW'), -1);
  });
});

describe('unclosed quote', () => {
  it('names the row that opens it', () => {
    // The quote opened on row 3 closes at the start of the quoted review on row 5.
    const text = 'review,label\n好喝,好评\n"没关好的引号,差评\n一般,中性\n"第一次点这家\n味道不错",好评\n';
    assert.throws(
      () => parseDataset(text, 'reviews.csv', config),
      userError((error) => error.location.row === 3 && /row 3 of reviews\.csv opens a double quote that closes only on line 5/i.test(error.message)),
    );
  });
});
