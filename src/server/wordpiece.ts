// A synchronous BERT WordPiece tokenizer over vocab.txt for hover, length and [UNK] checks. It follows
// the settings the trainer builds for a vocab.txt-only model (src/trainer/tokenizer): BertNormalizer
// with clean_text, handle_chinese_chars and lowercase (which also strips accents), BertPreTokenizer,
// WordPiece with `##` continuations and at most 100 characters a word. The trainer's tokenizer comes
// from transformers.js, which is too slow to load and run over 100,000 rows in the language server.
// test/unit/server/wordpiece.test.ts checks that both give the same ids.

import * as fs from 'node:fs';

/** One word piece and the UTF-16 span of the original text it came from. */
export interface WordPieceToken {
  token: string;
  id: number;
  start: number;
  end: number;
}

/** Maximum word length in characters that WordPiece splits. A longer word becomes one [UNK]. */
const maxInputCharsPerWord = 100;

/** Markers in WordPieceTokenizer.isolatedCharIds: not looked up yet, or not a single token. */
const notComputedId = -1;
const uncachedId = -2;

const enum CharClass {
  Removed,
  Whitespace,
  Punctuation,
  Chinese,
  Other,
}

export class WordPieceTokenizer {
  readonly unkTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  private readonly ids = new Map<string, number>();
  private readonly normalizedChars = new Map<number, string>();
  /**
   * Token id of each BMP character that forms a word of its own (Chinese characters, punctuation), filled
   * on first use. Most characters of a Chinese review take this path, which avoids a string lookup.
   */
  private readonly isolatedCharIds = new Int32Array(0x10000).fill(notComputedId);

  constructor(readonly vocab: readonly string[]) {
    // A token listed twice (bert-base-chinese has 53 such lines, `##n` among them) takes its last id,
    // as Hugging Face's BertTokenizer and transformers.js do.
    vocab.forEach((token, id) => this.ids.set(token, id));
    this.unkTokenId = this.requireId('[UNK]');
    this.clsTokenId = this.requireId('[CLS]');
    this.sepTokenId = this.requireId('[SEP]');
  }

  static fromFile(vocabFile: string): WordPieceTokenizer {
    const lines = fs.readFileSync(vocabFile, 'utf8').split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return new WordPieceTokenizer(lines);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Splits `text` into word pieces without [CLS] and [SEP]. */
  tokenize(text: string): WordPieceToken[] {
    const tokens: WordPieceToken[] = [];
    this.walk(text, (id, start, end) => tokens.push({ token: this.vocab[id], id, start, end }));
    return tokens;
  }

  /**
   * Calls `visit` for each word piece of `text` with its id and source span, without building token
   * objects: the diagnostics of a large file only need counts and the [UNK] spans.
   */
  walk(text: string, visit: (id: number, start: number, end: number) => void): void {
    let word = '';
    let wordStart = 0;
    let wordEnd = 0;

    for (let index = 0; index < text.length; ) {
      const codePoint = text.codePointAt(index)!;
      const width = codePoint > 0xffff ? 2 : 1;
      const kind = classify(codePoint);
      if (kind === CharClass.Removed) {
        index += width;
        continue;
      }
      if (kind === CharClass.Whitespace) {
        if (word.length > 0) this.splitWord(word, wordStart, wordEnd, visit);
        word = '';
      } else if (kind === CharClass.Punctuation || kind === CharClass.Chinese) {
        // BertNormalizer pads Chinese characters with spaces and BertPreTokenizer isolates punctuation,
        // so both become words of their own.
        if (word.length > 0) this.splitWord(word, wordStart, wordEnd, visit);
        word = '';
        const cached = codePoint <= 0xffff ? this.isolatedCharIds[codePoint] : uncachedId;
        if (cached >= 0) {
          visit(cached, index, index + width);
        } else {
          const ids: number[] = [];
          this.splitWord(this.normalizeChar(codePoint), index, index + width, (id) => ids.push(id));
          if (cached === notComputedId) this.isolatedCharIds[codePoint] = ids.length === 1 ? ids[0] : uncachedId;
          for (const id of ids) visit(id, index, index + width);
        }
      } else {
        const normalized = this.normalizeChar(codePoint);
        if (normalized.length > 0) {
          if (word.length === 0) wordStart = index;
          word += normalized;
          wordEnd = index + width;
        }
      }
      index += width;
    }
    if (word.length > 0) this.splitWord(word, wordStart, wordEnd, visit);
  }

  /** Returns the ids the model receives: [CLS], the pieces, [SEP], cut to `maxLength` as the trainer cuts them. */
  encode(text: string, maxLength: number): { inputIds: number[]; truncated: boolean } {
    const ids = [this.clsTokenId];
    this.walk(text, (id) => ids.push(id));
    ids.push(this.sepTokenId);
    if (ids.length <= maxLength) return { inputIds: ids, truncated: false };
    const kept = ids.slice(0, maxLength - 1);
    kept.push(this.sepTokenId);
    return { inputIds: kept, truncated: true };
  }

  private splitWord(word: string, start: number, end: number, visit: (id: number, start: number, end: number) => void): void {
    const direct = this.ids.get(word);
    if (direct !== undefined) {
      visit(direct, start, end);
      return;
    }
    const chars = Array.from(word);
    if (chars.length > maxInputCharsPerWord) {
      visit(this.unkTokenId, start, end);
      return;
    }

    // Greedy longest-match-first; a word with any piece missing from the vocabulary is one [UNK].
    const pieces: number[] = [];
    let from = 0;
    while (from < chars.length) {
      let to = chars.length;
      let match: number | undefined;
      while (to > from) {
        match = this.ids.get((from > 0 ? '##' : '') + chars.slice(from, to).join(''));
        if (match !== undefined) break;
        to--;
      }
      if (match === undefined) {
        visit(this.unkTokenId, start, end);
        return;
      }
      pieces.push(match);
      from = to;
    }
    for (const id of pieces) visit(id, start, end);
  }

  /** Lowercases and strips accents (NFD without combining marks), as BertNormalizer does when lowercasing. */
  private normalizeChar(codePoint: number): string {
    if (codePoint < 0x80) {
      return codePoint >= 0x41 && codePoint <= 0x5a ? String.fromCharCode(codePoint + 32) : String.fromCharCode(codePoint);
    }
    let normalized = this.normalizedChars.get(codePoint);
    if (normalized === undefined) {
      normalized = String.fromCodePoint(codePoint).toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
      this.normalizedChars.set(codePoint, normalized);
    }
    return normalized;
  }

  private requireId(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`vocab.txt lacks the special token ${token}`);
    return id;
  }
}

/** Class of each BMP code point, filled on first use; -1 while unknown. */
const bmpClasses = new Int8Array(0x10000).fill(-1);
const supplementaryClasses = new Map<number, CharClass>();

function classify(codePoint: number): CharClass {
  if (codePoint < 0x80) return classifyAscii(codePoint);
  if (codePoint <= 0xffff) {
    let kind = bmpClasses[codePoint];
    if (kind === -1) {
      kind = classifyUnicode(codePoint);
      bmpClasses[codePoint] = kind;
    }
    return kind as CharClass;
  }
  let kind = supplementaryClasses.get(codePoint);
  if (kind === undefined) {
    kind = classifyUnicode(codePoint);
    supplementaryClasses.set(codePoint, kind);
  }
  return kind;
}

function classifyAscii(codePoint: number): CharClass {
  if (codePoint === 0x20 || codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d) return CharClass.Whitespace;
  if (codePoint === 0 || codePoint < 0x20 || codePoint === 0x7f) return CharClass.Removed;
  const isPunctuation =
    (codePoint >= 33 && codePoint <= 47) || (codePoint >= 58 && codePoint <= 64) || (codePoint >= 91 && codePoint <= 96) || (codePoint >= 123 && codePoint <= 126);
  return isPunctuation ? CharClass.Punctuation : CharClass.Other;
}

function classifyUnicode(codePoint: number): CharClass {
  const char = String.fromCodePoint(codePoint);
  // The order follows BertNormalizer's clean_text: control, format, private-use and surrogate characters
  // go first, then every JavaScript whitespace character becomes a space.
  if (codePoint === 0xfffd || /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u.test(char)) return CharClass.Removed;
  if (/\s/.test(char)) return CharClass.Whitespace;
  if (isChineseChar(codePoint)) return CharClass.Chinese;
  if (/\p{P}/u.test(char)) return CharClass.Punctuation;
  return CharClass.Other;
}

/**
 * CJK ideograph blocks of BERT's BasicTokenizer, limited to the Basic Multilingual Plane: transformers.js
 * tests UTF-16 code units, so ideographs beyond U+FFFF stay inside words there and here alike.
 */
function isChineseChar(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff)
  );
}
