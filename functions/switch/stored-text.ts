/**
 * Rules for the text a switch stores (reason, updatedBy, history), which is shown in 503 bodies, log lines, X-Ray
 * annotations and operators' terminals: one list of the characters that may never be stored or shown as they are,
 * and one way to cut text to a limit. Writers refuse unsafe text; readers cut what another tool may have stored.
 */

/**
 * Character-class ranges of what could drive a terminal or reorder what a person reads: C0 controls, DEL, C1
 * controls, the Unicode line and paragraph separators, and the bidirectional marks, embeddings, overrides and
 * isolates (ALM U+061C, LRM U+200E, RLM U+200F, LRE..RLO U+202A-U+202E, LRI..PDI U+2066-U+2069).
 */
export const UNSAFE_CHARACTER_RANGES = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

/** A regular expression matching one unsafe character (`+` after it when `run`), with `flags`. */
export function unsafeCharacters(flags = '', run = false): RegExp {
  return new RegExp(`[${UNSAFE_CHARACTER_RANGES}]${run ? '+' : ''}`, flags);
}

/** Unpaired surrogates: not valid UTF-8 on the wire, garbage or nothing on a terminal. */
export const LONE_SURROGATE_SOURCE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';

export function loneSurrogates(flags = ''): RegExp {
  return new RegExp(LONE_SURROGATE_SOURCE, flags);
}

/**
 * At most `maxLength` code points: longer text keeps `maxLength - 1` and ends with `…`. Counted in code points, as
 * writes count them, so that a surrogate pair is never split.
 */
export function cutText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const chars = [...text];
  return chars.length > maxLength ? `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…` : text;
}
