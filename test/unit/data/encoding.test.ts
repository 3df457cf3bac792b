import * as assert from 'node:assert/strict';
import * as iconv from 'iconv-lite';
import { decodeText, detectEncoding, encodeText } from '../../../src/shared/data/encoding';
import { isUserInputError } from '../../../src/shared/errors';

const sample = 'label,review\n好评,"珍珠很Q，甜度刚好"\n';

describe('encoding detection', () => {
  it('reads UTF-8 without a BOM', () => {
    const decoded = decodeText(Buffer.from(sample, 'utf8'));
    assert.deepEqual(decoded, { encoding: 'utf-8', bom: false, text: sample });
  });

  it('reads UTF-8 with a BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample, 'utf8')]);
    assert.deepEqual(decodeText(bytes), { encoding: 'utf-8', bom: true, text: sample });
  });

  it('reads UTF-16 LE with a BOM', () => {
    const bytes = iconv.encode(sample, 'utf-16le', { addBOM: true });
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
    assert.deepEqual(decodeText(bytes), { encoding: 'utf-16le', bom: true, text: sample });
  });

  it('reads UTF-16 BE with a BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(sample, 'utf-16be')]);
    assert.deepEqual(decodeText(bytes), { encoding: 'utf-16be', bom: true, text: sample });
  });

  it('reads GB18030 when bytes are not UTF-8', () => {
    const bytes = iconv.encode(sample, 'gb18030');
    assert.deepEqual(detectEncoding(bytes), { encoding: 'gb18030', bom: false });
    assert.equal(decodeText(bytes).text, sample);
  });

  it('reads GB18030 four-byte characters', () => {
    // 𠀀 (U+20000) and € need GB18030's four-byte sequences; GBK cannot encode the first.
    const text = 'review\n𠀀€好\n';
    assert.equal(decodeText(iconv.encode(text, 'gb18030')).text, text);
  });

  it('treats pure ASCII as UTF-8', () => {
    assert.deepEqual(detectEncoding(Buffer.from('label,review\n1,ok\n')), { encoding: 'utf-8', bom: false });
  });

  it('strips the BOM of a named encoding', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample, 'utf8')]);
    assert.deepEqual(decodeText(bytes, 'utf-8'), { encoding: 'utf-8', bom: true, text: sample });
  });

  it('decodes a named GB18030 file', () => {
    assert.equal(decodeText(iconv.encode(sample, 'gb18030'), 'gb18030').text, sample);
  });

  it('rejects invalid bytes named as UTF-8', () => {
    assert.throws(
      () => decodeText(iconv.encode(sample, 'gb18030'), 'utf-8', 'reviews.csv'),
      (error: unknown) => isUserInputError(error) && error.message.includes('reviews.csv') && error.location.field === 'data.encoding',
    );
  });
});

describe('encodeText', () => {
  const cases = [
    { encoding: 'utf-8', bom: false },
    { encoding: 'utf-8', bom: true },
    { encoding: 'utf-16le', bom: true },
    { encoding: 'utf-16be', bom: true },
    { encoding: 'gb18030', bom: false },
  ] as const;

  for (const { encoding, bom } of cases) {
    it(`round-trips ${encoding}${bom ? ' with BOM' : ''}`, () => {
      const bytes = encodeText(sample, encoding, bom);
      assert.deepEqual(decodeText(bytes), { encoding, bom, text: sample });
    });
  }

  it('writes the UTF-8 BOM bytes', () => {
    assert.deepEqual([...encodeText('a', 'utf-8', true)], [0xef, 0xbb, 0xbf, 0x61]);
  });

  it('writes UTF-16 BE bytes big-endian', () => {
    assert.deepEqual([...encodeText('好', 'utf-16be', true)], [0xfe, 0xff, 0x59, 0x7d]);
  });

  it('matches iconv-lite GB18030 bytes', () => {
    assert.deepEqual(encodeText(sample, 'gb18030', false), iconv.encode(sample, 'gb18030'));
  });
});
