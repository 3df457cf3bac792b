import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bertTokenizerJson, loadTokenizer, readVocab } from '../../../../src/trainer/tokenizer';

const vocabFile = path.resolve(__dirname, '../../../../../shared/data/bert-base-chinese/vocab.txt');

describe('tokenizer', () => {
  let vocabOnly: string;
  let withJson: string;

  before(() => {
    vocabOnly = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenizer-vocab-'));
    fs.copyFileSync(vocabFile, path.join(vocabOnly, 'vocab.txt'));
    withJson = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenizer-json-'));
    fs.writeFileSync(path.join(withJson, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(readVocab(vocabFile), true)));
    fs.writeFileSync(path.join(withJson, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true }));
  });

  after(() => {
    fs.rmSync(vocabOnly, { recursive: true, force: true });
    fs.rmSync(withJson, { recursive: true, force: true });
  });

  it('loads a folder holding only vocab.txt', async () => {
    const tokenizer = await loadTokenizer(vocabOnly);
    assert.equal(tokenizer.vocabSize, 21128);
    assert.equal(tokenizer.padTokenId, 0);
    assert.equal(tokenizer.unkTokenId, 100);
  });

  it('splits Chinese into characters with the real ids', async () => {
    const tokenizer = await loadTokenizer(vocabOnly);
    const vocab = readVocab(vocabFile);
    const { inputIds } = tokenizer.encode('珍珠奶茶', 16);
    assert.deepEqual(inputIds, [101, vocab.indexOf('珍'), vocab.indexOf('珠'), vocab.indexOf('奶'), vocab.indexOf('茶'), 102]);
  });

  it('lowercases Latin text and marks emoji as [UNK]', async () => {
    const tokenizer = await loadTokenizer(vocabOnly);
    assert.deepEqual(tokenizer.tokenize('Hello 😀'), ['hello', '[UNK]']);
  });

  it('gives the same ids from vocab.txt and tokenizer.json', async () => {
    const fromVocab = await loadTokenizer(vocabOnly);
    const fromJson = await loadTokenizer(withJson);
    for (const text of ['少糖去冰，谢谢！', 'WiFi密码是多少', '外卖送到了，味道一般般~']) {
      assert.deepEqual(fromJson.encode(text, 64), fromVocab.encode(text, 64));
    }
  });

  it('truncates to maxLength and keeps [SEP] last', async () => {
    const tokenizer = await loadTokenizer(vocabOnly);
    const encoding = tokenizer.encode('奶茶很好喝下次还来', 6);
    assert.equal(encoding.truncated, true);
    assert.equal(encoding.inputIds.length, 6);
    assert.equal(encoding.inputIds[0], 101);
    assert.equal(encoding.inputIds[5], 102);
    assert.equal(tokenizer.encode('好喝', 6).truncated, false);
  });

  it('rejects a folder without tokenizer files', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenizer-empty-'));
    try {
      await assert.rejects(loadTokenizer(empty), /neither tokenizer\.json nor vocab\.txt/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
