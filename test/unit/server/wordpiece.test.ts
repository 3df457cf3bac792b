import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTokenizer, type TextTokenizer } from '../../../src/trainer/tokenizer';
import { WordPieceTokenizer } from '../../../src/server/wordpiece';

const sharedData = path.resolve(__dirname, '../../../../shared/data');
const vocabFolder = path.join(sharedData, 'bert-base-chinese');

describe('WordPieceTokenizer', () => {
  let reference: TextTokenizer;
  let wordPiece: WordPieceTokenizer;

  before(async () => {
    reference = await loadTokenizer(vocabFolder);
    wordPiece = WordPieceTokenizer.fromFile(path.join(vocabFolder, 'vocab.txt'));
  });

  it('matches the trainer on real reviews', () => {
    const lines = fs.readFileSync(path.join(sharedData, 'waimai_10k.csv'), 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const text = line.slice(line.indexOf(',') + 1);
      assert.deepEqual(wordPiece.encode(text, 512).inputIds, reference.encode(text, 512).inputIds, text);
    }
  });

  it('matches the trainer on emoji, Latin and control characters', () => {
    const texts = [
      '奶茶😀好喝👍🏻',
      'Café RÉSUMÉ naïve ÅNGSTRÖM',
      'tab\there\u0000zero\u200bwidth\u00a0nbsp',
      'unbelievably-extraordinary@example.com http://t.cn/abc?x=1',
      '\ufffd替换字符，全角！？「引号」',
      'ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３',
      'x'.repeat(120),
      '한국어 カタカナ ひらがな',
      '𠀀𠀁漢字 ext-B',
    ];
    for (const text of texts) {
      assert.deepEqual(wordPiece.encode(text, 512).inputIds, reference.encode(text, 512).inputIds, text);
    }
  });

  it('truncates like the trainer', () => {
    const text = '好吃'.repeat(40);
    assert.deepEqual(wordPiece.encode(text, 16), reference.encode(text, 16));
  });

  it('maps each piece back to its source characters', () => {
    const tokens = wordPiece.tokenize('外卖😀 unbelievable');
    const emoji = tokens.find((token) => token.token === '[UNK]');
    assert.ok(emoji);
    assert.equal('外卖😀 unbelievable'.slice(emoji.start, emoji.end), '😀');
    assert.equal(tokens[0].token, '外');
  });
});
