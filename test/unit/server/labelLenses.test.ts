import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import type { WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { LabelEditResult, LabelLensesResult, NextUnlabelledResult } from '../../../src/shared/protocol/server';
import { makeWorkspace, projectJson, TestClient } from './lspClient';

async function lenses(client: TestClient, uri: string, firstLine: number, lastLine: number): Promise<LabelLensesResult['lenses']> {
  const result: LabelLensesResult = await client.connection.sendRequest('finetune/labelLenses', { uri, firstLine, lastLine });
  return result.lenses;
}

async function labelEdit(client: TestClient, uri: string, line: number, label: string): Promise<LabelEditResult> {
  return client.connection.sendRequest('finetune/labelEdit', { uri, line, label });
}

describe('label codelenses over LSP', () => {
  let client: TestClient | undefined;

  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  it('lenses mark the current label', async () => {
    const csv = 'review,label\n好喝,好评\n太甜了,\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const found = await lenses(client, document.uri, 0, 10);
    assert.deepEqual(
      found.map((lens) => [lens.line, lens.title]),
      [
        [1, '差评'],
        [1, '好评 ✓'],
        [1, '中性'],
        [2, '差评'],
        [2, '好评'],
        [2, '中性'],
      ],
    );
  });

  it('sample header row gets no lens', async () => {
    // VS Code draws a codelens above the line it belongs to, so the first data row's lenses appear
    // right under the header. They must be on line 1 and tick that row's label.
    const sample = path.resolve(__dirname, '../../../examples/milk-tea');
    const csv = fs.readFileSync(path.join(sample, 'reviews.csv'), 'utf8');
    client = await TestClient.start(makeWorkspace({ 'finetune.json': fs.readFileSync(path.join(sample, 'finetune.json')), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const found = await lenses(client, document.uri, 0, 20);
    const lines = csv.split('\n');
    assert.equal(lines[0], 'review,label');
    assert.deepEqual(found.filter((lens) => lens.line === 0), []);
    assert.deepEqual([...new Set(found.map((lens) => lens.line))], Array.from({ length: 20 }, (_, index) => index + 1));
    for (const lens of found.filter((entry) => entry.title.endsWith(' ✓'))) {
      assert.equal(`${lens.label} ✓`, lens.title);
      assert.ok(lines[lens.line].endsWith(`,${lens.label}`), `line ${lens.line}: "${lines[lens.line]}" has the lens ${lens.title}`);
    }
  });

  it('lenses cover only the requested lines', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `评论${i},好评`).join('\n');
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': `review,label\n${rows}\n` }));
    const document = await client.open('reviews.csv');

    const found = await lenses(client, document.uri, 500, 509);
    assert.equal(found.length, 30);
    assert.equal(found[0].line, 500);
    assert.equal(found[found.length - 1].line, 509);
  });

  it('multi-line record gets one set of lenses', async () => {
    const csv = 'review,label\n"第一行\n第二行\n第三行",好评\n好喝,差评\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const found = await lenses(client, document.uri, 0, 10);
    assert.deepEqual([...new Set(found.map((lens) => lens.line))], [1, 4]);
    assert.equal(found.length, 6);
    const fromMiddle = await lenses(client, document.uri, 2, 3);
    assert.deepEqual([...new Set(fromMiddle.map((lens) => lens.line))], [1]);
  });

  it('label edit keeps CRLF and quoting', async () => {
    const csv = 'review,label\r\n"好喝,不贵",""\r\n"说""不错""",差评\r\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const result = await labelEdit(client, document.uri, 1, '好评');
    const edited = await client.applyEdit(result.edit!);
    assert.equal(edited.getText(), 'review,label\r\n"好喝,不贵","好评"\r\n"说""不错""",差评\r\n');

    const second = await labelEdit(client, document.uri, 2, '中性');
    const again = await client.applyEdit(second.edit!);
    assert.equal(again.getText(), 'review,label\r\n"好喝,不贵","好评"\r\n"说""不错""",中性\r\n');
  });

  it('label edit fills a short record', async () => {
    const csv = 'review,label,source\n好喝\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const result = await labelEdit(client, document.uri, 1, '好评');
    const edited = await client.applyEdit(result.edit!);
    assert.equal(edited.getText(), 'review,label,source\n好喝,好评\n');
  });

  it('label edit on a multi-line record', async () => {
    const csv = 'review,label\n"第一行\n第二行",\n好喝,\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const result = await labelEdit(client, document.uri, 2, '中性');
    assert.equal(result.nextUnlabelledLine, 3);
    const edited = await client.applyEdit(result.edit!);
    assert.equal(edited.getText(), 'review,label\n"第一行\n第二行",中性\n好喝,\n');
  });

  it('GB18030 file keeps every other byte', async () => {
    const text = 'review,label\r\n珍珠奶茶很好喝,\r\n太甜了,差评\r\n';
    const bytes = iconv.encode(text, 'gb18030');
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': bytes }));
    // An editor decodes the file as GB18030 and encodes the edited text the same way when saving.
    const document = await client.open('reviews.csv', iconv.decode(bytes, 'gb18030'));

    const result = await labelEdit(client, document.uri, 1, '好评');
    const edited = await client.applyEdit(result.edit!);
    const saved = iconv.encode(edited.getText(), 'gb18030');
    const expected = Buffer.concat([iconv.encode('review,label\r\n珍珠奶茶很好喝,', 'gb18030'), iconv.encode('好评', 'gb18030'), iconv.encode('\r\n太甜了,差评\r\n', 'gb18030')]);
    assert.deepEqual(saved, expected);
    assert.deepEqual(saved.subarray(0, bytes.indexOf(0x2c, 20) + 1), bytes.subarray(0, bytes.indexOf(0x2c, 20) + 1));
  });

  it('label edit on JSON Lines', async () => {
    const jsonl = '{"review": "好喝", "label": "差评"}\n{"review": "一般"}\n';
    const project = projectJson({ data: { file: 'reviews.jsonl', textColumn: 'review', labelColumn: 'label' } });
    client = await TestClient.start(makeWorkspace({ 'finetune.json': project, 'reviews.jsonl': jsonl }));
    const document = await client.open('reviews.jsonl');

    const first = await labelEdit(client, document.uri, 0, '好评');
    let edited = await client.applyEdit(first.edit!);
    const second = await labelEdit(client, document.uri, 1, '中性');
    edited = await client.applyEdit(second.edit!);
    assert.equal(edited.getText(), '{"review": "好喝", "label": "好评"}\n{"review": "一般", "label": "中性"}\n');
  });

  it('next unlabelled row wraps around', async () => {
    const csv = 'review,label\n好喝,\n不错,好评\n太甜,\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const fromFirst: NextUnlabelledResult = await client.connection.sendRequest('finetune/nextUnlabelled', { uri: document.uri, line: 1 });
    assert.equal(fromFirst.line, 3);
    const fromLast: NextUnlabelledResult = await client.connection.sendRequest('finetune/nextUnlabelled', { uri: document.uri, line: 3 });
    assert.equal(fromLast.line, 1);
  });

  it('label edit writes ids in an id file', async () => {
    const csv = 'label,review\n1,好喝\n0,太甜\n,一般\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson({ labels: { 差评: 0, 好评: 1 } }), 'reviews.csv': csv }));
    const document = await client.open('reviews.csv');

    const result = await labelEdit(client, document.uri, 3, '好评');
    const edited = await client.applyEdit(result.edit!);
    assert.equal(edited.getText(), 'label,review\n1,好喝\n0,太甜\n1,一般\n');
    const found = await lenses(client, document.uri, 1, 1);
    assert.deepEqual(found.map((lens) => lens.title), ['差评', '好评 ✓']);
  });

  it('label edit rejects a name outside the map', async () => {
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': 'review,label\n好喝,\n' }));
    const document = await client.open('reviews.csv');

    const result = await labelEdit(client, document.uri, 1, '很好');
    assert.equal(result.edit as WorkspaceEdit | undefined, undefined);
    const header = await labelEdit(client, document.uri, 0, '好评');
    assert.equal(header.edit, undefined);
  });
});
