import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { buildProjectJson, detectDataFile, proposeLabels } from '../../../src/extension/language/wizard';
import { parseProject } from '../../../src/shared/project/load';

const sharedData = path.resolve(__dirname, '../../../../shared/data');

describe('New Project detection', () => {
  it('real reviews: header, columns and 0/1 labels', () => {
    const detected = detectDataFile(fs.readFileSync(path.join(sharedData, 'waimai_10k.csv')), 'waimai_10k.csv');
    assert.equal(detected.encoding, 'utf-8');
    assert.equal(detected.format, 'csv');
    assert.equal(detected.hasHeader, true);
    assert.deepEqual(detected.columns, ['label', 'review']);
    assert.equal(detected.columns[detected.textColumn], 'review');
    assert.equal(detected.columns[detected.labelColumn], 'label');
    assert.deepEqual(proposeLabels(detected.values[detected.labelColumn]), { '0': 0, '1': 1 });
  });

  it('GB18030 TSV with Chinese header', () => {
    const text = '评论\t标签\r\n珍珠奶茶很好喝\t好评\r\n太甜了\t差评\r\n还行吧\t中性\r\n下次还来\t好评\r\n';
    const detected = detectDataFile(iconv.encode(text, 'gb18030'), 'reviews.txt');
    assert.equal(detected.encoding, 'gb18030');
    assert.equal(detected.format, 'tsv');
    assert.equal(detected.delimiter, '\t');
    assert.deepEqual(detected.columns, ['评论', '标签']);
    assert.equal(detected.textColumn, 0);
    assert.equal(detected.labelColumn, 1);
    assert.deepEqual(proposeLabels(detected.values[1]), { 好评: 0, 差评: 1, 中性: 2 });
    assert.deepEqual(proposeLabels(['中性', '差评', '差评', '好评']), { 差评: 0, 中性: 1, 好评: 2 });
  });

  it('UTF-8 with BOM and no header', () => {
    const text = '\ufeff珍珠奶茶很好喝,好评\n太甜了一点也不好喝,差评\n还行吧没什么特别,中性\n下次还会再来,好评\n';
    const detected = detectDataFile(Buffer.from(text, 'utf8'), 'reviews.csv');
    assert.equal(detected.bom, true);
    assert.equal(detected.hasHeader, false);
    assert.deepEqual(detected.columns, ['column 1', 'column 2']);
    assert.equal(detected.values[0][0], '珍珠奶茶很好喝');
    assert.equal(detected.textColumn, 0);
    assert.equal(detected.labelColumn, 1);
  });

  it('UTF-16 JSON Lines', () => {
    const text = '{"text": "好喝", "label": "好评"}\n{"text": "太甜", "label": "差评"}\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const detected = detectDataFile(bytes, 'reviews.jsonl');
    assert.equal(detected.encoding, 'utf-16le');
    assert.equal(detected.format, 'jsonl');
    assert.deepEqual(detected.columns, ['text', 'label']);
    assert.equal(detected.labelColumn, 1);
  });

  it('written project loads without problems', () => {
    const json = buildProjectJson({
      name: 'milk-tea',
      dataFile: '/work/project/data/reviews.csv',
      projectFolder: '/work/project',
      textColumn: '评论',
      labelColumn: '标签',
      labels: { 好评: 0, 差评: 1 },
    });
    const { loaded, problems } = parseProject(json, '/work/project/finetune.json');
    assert.deepEqual(problems, []);
    assert.equal(loaded!.project.data.file, 'data/reviews.csv');
    assert.equal(loaded!.project.model.base, 'builtin:tiny-chinese-bert');
    assert.deepEqual(loaded!.project.labels, { 好评: 0, 差评: 1 });
  });
});
