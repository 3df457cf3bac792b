// Text normalisations shared by header matching, label mapping and duplicate detection.

/** Removes ASCII whitespace and the ideographic (full-width) space U+3000 from both ends. */
export function trimSpaces(text: string): string {
  return text.replace(/^[ \t\r\n\f\v\u3000]+|[ \t\r\n\f\v\u3000]+$/g, '');
}

/**
 * Normalises a text for duplicate detection: NFKC (full-width letters, digits and punctuation become
 * half-width), lowercase, whitespace runs (U+3000 included) collapsed to one space, and both ends trimmed.
 * Two reviews with the same normalised text count as copies of one another.
 */
export function normalizeForDuplicates(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Counts characters as code points, so an emoji or a rare CJK character outside the BMP counts once. */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
