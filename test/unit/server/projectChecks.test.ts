import * as assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { makeWorkspace, messageOf, projectJson, TestClient } from './lspClient';

function messages(diagnostics: Diagnostic[]): string {
  return diagnostics.map(messageOf).join('\n');
}

describe('finetune.json checks over LSP', () => {
  let client: TestClient | undefined;

  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  it('missing data file is an error on data.file', async () => {
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson() }));
    const diagnostics = await client.publishedFor(client.uri('finetune.json'));
    assert.equal(diagnostics.length, 1);
    assert.match(messageOf(diagnostics[0]), /reviews\.csv not found/);
    assert.equal(diagnostics[0].range.start.line, 3);
  });

  it('missing column is an error on the column field', async () => {
    const project = projectJson({ data: { file: 'reviews.csv', textColumn: 'text', labelColumn: 'label' } });
    client = await TestClient.start(makeWorkspace({ 'finetune.json': project, 'reviews.csv': 'review,label\n好喝,好评\n' }));
    const diagnostics = await client.publishedFor(client.uri('finetune.json'));
    assert.match(messages(diagnostics), /Column "text" not found in reviews\.csv\. The file has the columns "review", "label"/);
  });

  it('labels outside the map and unused labels are warnings', async () => {
    const csv = 'review,label\n好喝,好评\n太甜,差评\n一般,普通\n还行,普通\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const document = await client.open('finetune.json');
    const diagnostics = await client.publishedFor(document.uri, (found) => found.length > 0);
    assert.match(messages(diagnostics), /reviews\.csv has labels that are not in this map: "普通" \(2 rows\)/);
    assert.match(messages(diagnostics), /No row of reviews\.csv has the label "中性"/);
    const unused = diagnostics.find((diagnostic) => messageOf(diagnostic).includes('"中性"'))!;
    assert.equal(document.getText().split('\n')[unused.range.start.line].includes('"中性"'), true);
  });

  it('edits to the open data file re-check the project', async () => {
    const csv = 'review,label\n好喝,好评\n太甜,差评\n一般,普通\n';
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': csv }));
    const data = await client.open('reviews.csv');
    await client.publishedFor(client.uri('finetune.json'), (found) => messages(found).includes('"普通"'));

    await client.change(data.uri, 'review,label\n好喝,好评\n太甜,差评\n一般,中性\n');
    const after = await client.publishedFor(client.uri('finetune.json'), (found) => !messages(found).includes('"普通"'));
    assert.deepEqual(after, []);
  });

  it('loader problems are reported with their position', async () => {
    const project = projectJson({ labels: { 差评: 0, 好评: 5 } });
    client = await TestClient.start(makeWorkspace({ 'finetune.json': project, 'reviews.csv': 'review,label\n好喝,好评\n' }));
    const document = await client.open('finetune.json');
    const diagnostics = await client.publishedFor(document.uri, (found) => found.length > 0);
    assert.ok(diagnostics.some((diagnostic) => diagnostic.severity === 1 && messageOf(diagnostic).includes('labels.好评')), messages(diagnostics));
  });

  it('editing the open project re-checks its data file', async () => {
    client = await TestClient.start(makeWorkspace({ 'finetune.json': projectJson(), 'reviews.csv': 'review,label\n好喝,很好\n' }));
    const data = await client.open('reviews.csv');
    assert.equal((await client.diagnosticsFor(data.uri)).filter((diagnostic) => diagnostic.code === 'unknown-label').length, 1);

    const project = await client.open('finetune.json');
    await client.change(project.uri, projectJson({ labels: { 差评: 0, 很好: 1 } }));
    await client.publishedFor(data.uri, (found) => !found.some((diagnostic) => diagnostic.code === 'unknown-label'));
  });
});
