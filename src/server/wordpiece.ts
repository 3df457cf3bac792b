// A synchronous BERT WordPiece tokenizer over vocab.txt for hover, length and [UNK] checks. It follows
// the settings the trainer builds for a vocab.txt-only model (src/trainer/tokenizer): BertNormalizer
// with clean_text, handle_chinese_chars and lowercase (which also strips accents), BertPreTokenizer,
// WordPiece with `##` continuations and at most 100 characters a word. The trainer's tokenizer comes
// from transformers.js, which is too slow to load and run over 100,000 rows in the language server;
// test/unit/server/wordpiece.test.ts checks that both give the same ids.

import * as fs from 'node:fs';

/** One word piece and the UTF-16 span of the original text it came from. */
export interface WordPieceToken {
  token: string;
  id: number;
  start: number;
  end: number;
}

/** Longest word, in characters, that WordPiece splits; longer words become one [UNK]. */
const maxInputCharsPerWord = 100;

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
    let word = '';
    let wordStart = 0;
    let wordEnd = 0;
    const flush = () => {
      if (word.length > 0) this.splitWord(word, wordStart, wordEnd, tokens);
      word = '';
    };

    for (let index = 0; index < text.length; ) {
      const codePoint = text.codePointAt(index)!;
      const width = codePoint > 0xffff ? 2 : 1;
      const kind = classify(codePoint);
      if (kind === CharClass.Removed) {
        index += width;
        continue;
      }
      if (kind === CharClass.Whitespace) {
        flush();
      } else if (kind === CharClass.Punctuation || kind === CharClass.Chinese) {
        // BertNormalizer pads Chinese characters with spaces and BertPreTokenizer isolates punctuation,
        // so both become words of their own.
        flush();
        word = this.normalizeChar(codePoint);
        wordStart = index;
        wordEnd = index + width;
        flush();
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
    flush();
    return tokens;
  }

  /** Returns the ids the model sees: [CLS], the pieces, [SEP], cut to `maxLength` as the trainer cuts them. */
  encode(text: string, maxLength: number): { inputIds: number[]; truncated: boolean } {
    const ids = [this.clsTokenId, ...this.tokenize(text).map((token) => token.id), this.sepTokenId];
    if (ids.length <= maxLength) return { inputIds: ids, truncated: false };
    const kept = ids.slice(0, maxLength - 1);
    kept.push(this.sepTokenId);
    return { inputIds: kept, truncated: true };
  }

  private splitWord(word: string, start: number, end: number, into: WordPieceToken[]): void {
    const direct = this.ids.get(word);
    if (direct !== undefined) {
      into.push({ token: word, id: direct, start, end });
      return;
    }
    const chars = Array.from(word);
    if (chars.length > maxInputCharsPerWord) {
      into.push({ token: '[UNK]', id: this.unkTokenId, start, end });
      return;
    }

    // Greedy longest-match-first; a word with any piece missing from the vocabulary is one [UNK].
    const pieces: WordPieceToken[] = [];
    let from = 0;
    while (from < chars.length) {
      let to = chars.length;
      let match: { token: string; id: number } | undefined;
      while (to > from) {
        const candidate = (from > 0 ? '##' : '') + chars.slice(from, to).join('');
        const id = this.ids.get(candidate);
        if (id !== undefined) {
          match = { token: candidate, id };
          break;
        }
        to--;
      }
      if (!match) {
        into.push({ token: '[UNK]', id: this.unkTokenId, start, end });
        return;
      }
      pieces.push({ ...match, start, end });
      from = to;
    }
    into.push(...pieces);
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

const classCache = new Map<number, CharClass>();

function classify(codePoint: number): CharClass {
  if (codePoint < 0x80) return classifyAscii(codePoint);
  let kind = classCache.get(codePoint);
  if (kind === undefined) {
    kind = classifyUnicode(codePoint);
    classCache.set(codePoint, kind);
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
