// Text encodings of data files: detection, decoding, and encoding back to the same bytes layout so that
// an edited file keeps the encoding and byte order mark it had.
import { isUtf8 } from 'node:buffer';
import * as iconv from 'iconv-lite';
import { UserInputError } from '../errors';
import { t } from '../l10n';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** True when the bytes start with the byte order mark of `encoding`. */
  bom: boolean;
}

export interface DecodedText extends DetectedEncoding {
  /** The decoded text without the byte order mark. */
  text: string;
}

const utf8Bom = [0xef, 0xbb, 0xbf];
const utf16LeBom = [0xff, 0xfe];
const utf16BeBom = [0xfe, 0xff];

/**
 * Detects the encoding of a data file. A UTF-8 or UTF-16 byte order mark wins. Otherwise bytes that are
 * valid UTF-8 are UTF-8, and anything else is taken as GB18030, which Excel and WPS write on Chinese
 * Windows. GB18030 is a superset of GBK and GB2312, so those files decode too.
 */
export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
  if (startsWith(bytes, utf8Bom)) return { encoding: 'utf-8', bom: true };
  // NOTE: a UTF-32 LE byte order mark (FF FE 00 00) also starts with FF FE and is read as UTF-16 LE.
  if (startsWith(bytes, utf16LeBom)) return { encoding: 'utf-16le', bom: true };
  if (startsWith(bytes, utf16BeBom)) return { encoding: 'utf-16be', bom: true };
  // NOTE: UTF-16 without a byte order mark is not detected: its bytes are often valid UTF-8 (with NUL
  // characters) and decode as such. Excel writes UTF-16 with a byte order mark.
  if (isUtf8(bytes)) return { encoding: 'utf-8', bom: false };
  return { encoding: 'gb18030', bom: false };
}

/**
 * Decodes a data file's bytes. With `encoding` set to `auto` the encoding is detected; with a named
 * encoding only that encoding's byte order mark is looked for. Throws UserInputError when UTF-8 is named
 * but the bytes are not valid UTF-8, because decoding them anyway would silently corrupt the text.
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding | 'auto' = 'auto', file?: string): DecodedText {
  const detected: DetectedEncoding = encoding === 'auto' ? detectEncoding(bytes) : { encoding, bom: hasBom(bytes, encoding) };
  const body = detected.bom ? bytes.subarray(bomBytes(detected.encoding).length) : bytes;
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);

  if (detected.encoding === 'utf-8') {
    if (encoding === 'utf-8' && !isUtf8(buffer)) {
      throw new UserInputError(
        t('{0} is not valid UTF-8. Set data.encoding to "auto" or "gb18030" in finetune.json, or save the file as UTF-8.', file ?? ''),
        { file, field: 'data.encoding' },
      );
    }
    return { ...detected, text: buffer.toString('utf8') };
  }
  if (detected.encoding === 'utf-16le') return { ...detected, text: buffer.toString('utf16le') };
  return { ...detected, text: iconv.decode(buffer, detected.encoding, { stripBOM: false }) };
}

/** Encodes text in `encoding`, with that encoding's byte order mark first when `bom` is true. */
export function encodeText(text: string, encoding: TextEncoding, bom: boolean): Buffer {
  let body: Buffer;
  if (encoding === 'utf-8') body = Buffer.from(text, 'utf8');
  else if (encoding === 'utf-16le') body = Buffer.from(text, 'utf16le');
  else body = iconv.encode(text, encoding, { addBOM: false });

  // GB18030 has a byte order mark (84 31 95 33) that no spreadsheet writes, so `bom` is ignored for it.
  if (!bom || encoding === 'gb18030') return body;
  return Buffer.concat([Buffer.from(bomBytes(encoding)), body]);
}

function hasBom(bytes: Uint8Array, encoding: TextEncoding): boolean {
  return encoding !== 'gb18030' && startsWith(bytes, bomBytes(encoding));
}

function bomBytes(encoding: TextEncoding): number[] {
  if (encoding === 'utf-8') return utf8Bom;
  if (encoding === 'utf-16le') return utf16LeBom;
  if (encoding === 'utf-16be') return utf16BeBom;
  return [];
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, i) => bytes[i] === byte);
}
