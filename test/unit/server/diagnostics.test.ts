import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import type { ConvertToUtf8Result, DatasetStats } from '../../../src/shared/protocol/server';
import { makeWorkspace, messageOf, projectJson, TestClient } from './lspClient';

interface FixCase {
  code: string;
  /** Data rows after the `review,label` header. */
  rows: string;
  project?: Record<string, unknown>;
  /** Title of the quick fix to apply; omitted for issues without one. */
  fix?: string;
  /** Text of the file after the fix. */
  fixed?: string;
}

const cleaning = { replacements: { 珍猪: '珍珠' }, maxCopies: 1 };

const cases: FixCase[] = [
  { code: 'missing-label', rows: '好喝,\n', fix: 'Set the label to "好评"', fixed: '好喝,好评\n' },
  { code: 'unknown-label', rows: '好喝,很好\n', fix: 'Set the label to "好评"', fixed: '好喝,好评\n' },
  { code: 'empty-text', rows: ',好评\n好喝,好评\n', fix: 'Delete this row', fixed: '好喝,好评\n' },
  { code: 'mention', rows: '@小王 好喝,好评\n', fix: 'Strip the @mention', fixed: '好喝,好评\n' },
  { code: 'hashtag', rows: '#奶茶节#好喝,好评\n', fix: 'Strip the #topic#', fixed: '好喝,好评\n' },
  { code: 'url', rows: '好喝 http://t.cn/abc,好评\n', fix: 'Strip the URL', fixed: '好喝,好评\n' },
  { code: 'typo', rows: '"珍猪奶茶,好喝",好评\n', project: { cleaning }, fix: 'Replace the typo', fixed: '"珍珠奶茶,好喝",好评\n' },
  { code: 'too-many-copies', rows: '好喝,好评\n好喝 ,好评\n不错,好评\n', project: { cleaning }, fix: 'Delete this row', fixed: '好喝,好评\n不错,好评\n' },
  { code: 'conflicting-labels', rows: '好喝,好评\n好喝,差评\n' },
  { code: 'too-long', rows: '珍珠奶茶非常好喝下次还会再来,好评\n', project: { model: { base: 'builtin:tiny-chinese-bert', maxLength: 8 } } },
  { code: 'unknown-token', rows: '好喝😀,好评\n' },
  { code: 'same-tokens-different-labels', rows: '好喝😀,好评\n好喝😡,差评\n' },
  { code: 'cell-count', rows: '好喝,好评,多余\n' },
];

async function openCase(rows: string, project: Record<string, unknown> = {}): Promise<{ client: TestClient; uri: string }> {
  const client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(project), 'reviews.csv': `review,label\n${rows}` }));
  const document = await client.open('reviews.csv');
  return { client, uri: document.uri };
}

function ofCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.code === code);
}

function findAction(actions: CodeAction[], title: string): CodeAction {
  const action = actions.find((candidate) => candidate.title === title);
  assert.ok(action, `no action "${title}" among ${actions.map((candidate) => `"${candidate.title}"`).join(', ')}`);
  return action;
}

describe('dataset diagnostics over LSP', () => {
  let client: TestClient | undefined;

  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  for (const testCase of cases) {
    it(`${testCase.code} is reported${testCase.fix ? ' and fixed' : ''}`, async () => {
      const opened = await openCase(testCase.rows, testCase.project);
      client = opened.client;
      const found = ofCode(await client.diagnosticsFor(opened.uri), testCase.code);
      assert.ok(found.length > 0, `no ${testCase.code} diagnostic`);
      if (!testCase.fix) return;

      const actions = await client.codeActions(opened.uri, found[0]);
      const edited = await client.applyEdit(findAction(actions, testCase.fix).edit!);
      assert.equal(edited.getText(), `review,label\n${testCase.fixed}`);
      assert.deepEqual(ofCode(await client.diagnosticsFor(opened.uri), testCase.code), []);
    });
  }

  it('fix all strips every URL', async () => {
    const opened = await openCase('好喝 http://t.cn/a,好评\n"不错 www.example.com/x, 下次再来",好评\n一般,中性\n');
    client = opened.client;
    const urls = ofCode(await client.diagnosticsFor(opened.uri), 'url');
    assert.equal(urls.length, 2);

    const actions = await client.codeActions(opened.uri, urls[1]);
    const edited = await client.applyEdit(findAction(actions, 'Strip all 2 URLs in this file').edit!);
    assert.equal(edited.getText(), 'review,label\n好喝,好评\n"不错 , 下次再来",好评\n一般,中性\n');
    assert.deepEqual(ofCode(await client.diagnosticsFor(opened.uri), 'url'), []);
  });

  it('fix all replaces one unknown label', async () => {
    const opened = await openCase('好喝,好 评\n不错,好 评\n一般,普通\n');
    client = opened.client;
    const unknown = ofCode(await client.diagnosticsFor(opened.uri), 'unknown-label');
    assert.equal(unknown.length, 3);

    const actions = await client.codeActions(opened.uri, unknown[0]);
    const edited = await client.applyEdit(findAction(actions, 'Replace label "好 评" with "好评" on all 2 rows').edit!);
    assert.equal(edited.getText(), 'review,label\n好喝,好评\n不错,好评\n一般,普通\n');
    assert.equal(ofCode(await client.diagnosticsFor(opened.uri), 'unknown-label').length, 1);
  });

  it('fix all deletes every extra copy', async () => {
    const opened = await openCase('好喝,好评\r\n好喝,好评\r\n不错,好评\r\n好喝！,好评\r\n不错,好评\r\n', { cleaning });
    client = opened.client;
    const copies = ofCode(await client.diagnosticsFor(opened.uri), 'too-many-copies');
    assert.equal(copies.length, 2);

    const actions = await client.codeActions(opened.uri, copies[0]);
    const edited = await client.applyEdit(findAction(actions, 'Delete all 2 extra copies').edit!);
    assert.equal(edited.getText(), 'review,label\n好喝,好评\r\n不错,好评\r\n好喝！,好评\r\n');
    assert.deepEqual(ofCode(await client.diagnosticsFor(opened.uri), 'too-many-copies'), []);
  });

  it('GB18030 file is converted to UTF-8 with a backup', async () => {
    const original = iconv.encode('review,label\n珍珠奶茶很好喝,好评\n', 'gb18030');
    const folder = makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': original });
    client = await TestClient.start(folder);
    const document = await client.open('reviews.csv', iconv.decode(original, 'gb18030'));
    const notUtf8 = ofCode(await client.diagnosticsFor(document.uri), 'not-utf8');
    assert.equal(notUtf8.length, 1);

    const actions = await client.codeActions(document.uri, notUtf8[0]);
    const convert = findAction(actions, 'Convert this file to UTF-8 (keeps a backup)');
    assert.equal(convert.command?.command, 'finetune.convertToUtf8');
    const result: ConvertToUtf8Result = await client.connection.sendRequest('finetune/convertToUtf8', { uri: document.uri });

    assert.equal(result.encoding, 'gb18030');
    assert.deepEqual(fs.readFileSync(result.backupFile), original);
    assert.equal(fs.readFileSync(path.join(folder, 'reviews.csv'), 'utf8'), 'review,label\n珍珠奶茶很好喝,好评\n');
    await client.change(document.uri, document.getText());
    assert.deepEqual(ofCode(await client.diagnosticsFor(document.uri), 'not-utf8'), []);
  });

  it('invalid JSON line is reported', async () => {
    const project = projectJson({ data: { file: 'reviews.jsonl', textColumn: 'review', labelColumn: 'label' } });
    client = await TestClient.start(makeWorkspace({ 'finetune.json': project, 'reviews.jsonl': '{"review": "好喝", "label": "好评"}\n{"review": "不错",\n' }));
    const document = await client.open('reviews.jsonl');
    const invalid = ofCode(await client.diagnosticsFor(document.uri), 'invalid-json');
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].range.start.line, 1);
  });

  it('missing column is reported', async () => {
    const opened = await openCase('好喝,好评\n', { data: { file: 'reviews.csv', textColumn: 'text', labelColumn: 'label' } });
    client = opened.client;
    const missing = ofCode(await client.diagnosticsFor(opened.uri), 'missing-column');
    assert.equal(missing.length, 1);
    assert.match(messageOf(missing[0]), /"text"/);
  });

  it('clean file has no diagnostics', async () => {
    const opened = await openCase('好喝,好评\n太甜了,差评\n还行,中性\n');
    client = opened.client;
    assert.deepEqual(await client.diagnosticsFor(opened.uri), []);
  });

  it('status counts labels and warns', async () => {
    const opened = await openCase('好喝,好评\n不错,好评\n太甜了,差评\n还行,\n');
    client = opened.client;
    await client.diagnosticsFor(opened.uri);
    const stats: DatasetStats = client.stats.get(opened.uri)!;
    assert.equal(stats.total, 4);
    assert.equal(stats.labelled, 3);
    assert.deepEqual(stats.perLabel, { 差评: 1, 好评: 2, 中性: 0 });
    assert.equal(stats.warnings.length, 2);
    assert.match(stats.warnings[0], /Only 3 rows are labelled/);
    assert.match(stats.warnings[1], /"中性" has 0 rows/);
  });

  it('messages follow the locale', async () => {
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': 'review,label\n好喝,\n' }), 'zh-cn');
    const document = await client.open('reviews.csv');
    const [missing] = ofCode(await client.diagnosticsFor(document.uri), 'missing-label');
    assert.match(messageOf(missing), /标签/);
  });

  it('hover shows tokens and the latest prediction', async () => {
    const folder = makeWorkspace({
      'finetune.json': projectJson(),
      'reviews.csv': 'review,label\n好喝,好评\n太甜了,差评\n',
      'runs/20260101-000000-a/predictions.csv': 'row,split,label,predicted,confidence\n3,test,好评,好评,0.6\n',
      'runs/20260102-000000-b/predictions.csv': 'row,split,label,predicted,confidence\n3,test,差评,好评,0.75\n',
    });
    client = await TestClient.start(folder);
    const document = await client.open('reviews.csv');

    const hover = await client.hover(document.uri, 2);
    const value = (hover!.contents as { value: string }).value;
    assert.match(value, /`\[CLS\]` 101 · `太` 1922 · `甜` 4494 · `了` 749 · `\[SEP\]` 102/);
    assert.match(value, /20260102-000000-b: predicted "好评" \(75\.0%\), labelled "差评" ✗/);
    const plain = await client.hover(document.uri, 1);
    assert.doesNotMatch((plain!.contents as { value: string }).value, /Latest run/);
  });

  it('hover reads evaluation.json misclassified rows', async () => {
    const evaluation = { split: 'test', misclassified: [{ row: 2, text: '好喝', label: '好评', predicted: '中性', probabilities: { 好评: 0.2, 中性: 0.7, 差评: 0.1 } }] };
    const folder = makeWorkspace({
      'finetune.json': projectJson(),
      'reviews.csv': 'review,label\n好喝,好评\n',
      'runs/20260103-000000-c/evaluation.json': JSON.stringify(evaluation),
    });
    client = await TestClient.start(folder);
    const document = await client.open('reviews.csv');

    const hover = await client.hover(document.uri, 1);
    assert.match((hover!.contents as { value: string }).value, /20260103-000000-c: predicted "中性" \(70\.0%\), labelled "好评" ✗/);
  });
});
