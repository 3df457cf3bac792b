// Finding the parts of a review that cleaning removes or rewrites: @mentions, Weibo #topics#, URLs and
// dictionary typos. The trainer strips them in memory; the language server turns the same matches into
// diagnostics and quick fixes.
import type { CleaningConfig } from '../project/types';

export type TextMatchKind = 'mention' | 'hashtag' | 'url' | 'typo';

/** A span of a text. Offsets are UTF-16 code unit offsets into the text searched; `end` is exclusive. */
export interface TextMatch {
  kind: TextMatchKind;
  start: number;
  end: number;
  /** The matched text. */
  text: string;
  /** For a typo, the text that replaces it. */
  replacement?: string;
}

// An @ after a Latin letter, digit or dot belongs to an e-mail address, not a mention. A Weibo name is
// up to 30 letters (Chinese included), digits, _ and -. A following colon (回复@小王:) and one space
// belong to the mention.
// NOTE: a name written directly before the review text (@小王好吃) is indistinguishable from that
// text, so the whole run of letters, up to 30 characters, is taken as the name.
const mentionPattern = /(?<![A-Za-z0-9_.+-])[@＠][\p{L}\p{N}_-]{1,30}[:：]?[ \u3000]?/gu;

// Weibo topics are enclosed in two hash signs (#话题#), either half- or full-width, on one line. A pair
// around no letter or digit is an emoticon such as #^_^#, not a topic.
const hashtagPattern = /[#＃](?![\s#＃])[^#＃\r\n]{1,64}?[#＃]/gu;
const letterOrDigit = /[\p{L}\p{N}]/u;

// URLs are taken as ASCII only, so a review that continues right after a link (http://t.cn/abc好吃)
// keeps its text. Trailing punctuation is trimmed off afterwards.
const urlPattern = /(?:https?:\/\/|www\.)[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/giu;
const urlTrailingPunctuation = /[.,;:!?'")\]]+$/;

export function findMentions(text: string): TextMatch[] {
  return matchAll(text, mentionPattern, 'mention');
}

export function findHashtags(text: string): TextMatch[] {
  return matchAll(text, hashtagPattern, 'hashtag').filter((match) => letterOrDigit.test(match.text));
}

export function findUrls(text: string): TextMatch[] {
  const matches: TextMatch[] = [];
  for (const match of matchAll(text, urlPattern, 'url')) {
    const trimmed = match.text.replace(urlTrailingPunctuation, '');
    // A bare "www." or "http://" with nothing after it is not a link.
    if (/^(?:https?:\/\/|www\.)$/i.test(trimmed)) continue;
    matches.push({ ...match, text: trimmed, end: match.start + trimmed.length });
  }
  return matches;
}

/**
 * Applies cleaning rules to texts. Construct one per CleaningConfig and reuse it: the dictionary of
 * replacements is compiled into one regular expression, longest key first, so that overlapping keys
 * resolve to the longest match.
 */
export class TextCleaner {
  private readonly typoPattern: RegExp | undefined;

  constructor(readonly cleaning: CleaningConfig) {
    const keys = Object.keys(cleaning.replacements)
      .filter((key) => key !== '')
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.typoPattern = keys.length === 0 ? undefined : new RegExp(keys.map(escapeRegExp).join('|'), 'gu');
  }

  findTypos(text: string): TextMatch[] {
    if (!this.typoPattern) return [];
    return matchAll(text, this.typoPattern, 'typo').map((match) => ({ ...match, replacement: this.cleaning.replacements[match.text] }));
  }

  /**
   * Finds the mentions, topics and URLs that the configuration strips, sorted by offset and without
   * overlaps: where two matches overlap, the earlier one wins, and the longer one at the same offset
   * (so a URL containing #...# or @ stays one match).
   */
  findStripped(text: string): TextMatch[] {
    const matches = [
      ...(this.cleaning.stripUrls ? findUrls(text) : []),
      ...(this.cleaning.stripHashtags ? findHashtags(text) : []),
      ...(this.cleaning.stripMentions ? findMentions(text) : []),
    ].sort((a, b) => a.start - b.start || b.end - a.end);

    const nonOverlapping: TextMatch[] = [];
    for (const match of matches) {
      if (nonOverlapping.length > 0 && match.start < nonOverlapping[nonOverlapping.length - 1].end) continue;
      nonOverlapping.push(match);
    }
    return nonOverlapping;
  }

  /**
   * Cleans a text for the tokenizer: removes the stripped spans, replaces typos, collapses whitespace
   * runs to one space and trims both ends. Chinese BERT tokenizers drop whitespace anyway.
   */
  clean(text: string): string {
    let stripped = '';
    let position = 0;
    for (const match of this.findStripped(text)) {
      stripped += text.slice(position, match.start) + ' ';
      position = match.end;
    }
    stripped += text.slice(position);

    const replaced = this.typoPattern ? stripped.replace(this.typoPattern, (key) => this.cleaning.replacements[key]) : stripped;
    return replaced.replace(/\s+/gu, ' ').trim();
  }
}

function matchAll(text: string, pattern: RegExp, kind: TextMatchKind): TextMatch[] {
  const matches: TextMatch[] = [];
  for (const match of text.matchAll(pattern)) {
    matches.push({ kind, start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return matches;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
