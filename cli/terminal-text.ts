/**
 * Text on its way to an operator's terminal: the one place the CLI makes it safe. Whatever is printed may come
 * from the command line, the table (items written by any tool), AWS or the function's log, and a control or
 * bidirectional character in it could move the cursor, rewrite the screen or reorder what the operator reads.
 *
 * Human output replaces such characters with U+FFFD; `--json` escapes them as \uXXXX, so it parses back to the
 * very same data.
 */

/**
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional marks,
 * embeddings, overrides and isolates (ALM, LRM, RLM, LRE..RLO, LRI..PDI).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, minus line feed and tab: for multi-line text such as a log tail. */
const UNSAFE_KEEPING_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Unpaired surrogates cannot be encoded as UTF-8; a terminal would show garbage or nothing. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** What JSON.stringify leaves unescaped of the above: it escapes C0 and lone surrogates itself. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const REPLACEMENT = '\ufffd';

export interface TerminalTextOptions {
  /** Longest result in characters (code points), the last one then `…`. @default no limit */
  readonly maxLength?: number;
  /** Keep line feeds and tabs (a log tail, a payload); else they are replaced too. @default false */
  readonly multiline?: boolean;
}

/** `text` with every unsafe character replaced by U+FFFD, cut to `maxLength`. */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  const safe = text.replace(options.multiline ? UNSAFE_KEEPING_LINES : UNSAFE, REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
  return options.maxLength === undefined ? safe : cutText(safe, options.maxLength);
}

/** One line for stderr: line breaks (and the space around them) become one space, the rest as terminalText. */
export function oneLine(text: string, maxLength = 600): string {
  return terminalText(text.replace(/\s*[\r\n]+\s*/g, ' '), { maxLength });
}

/**
 * `value` as indented JSON, newline-terminated, in which no character can drive a terminal: the characters
 * JSON.stringify leaves as they are (C1 controls, DEL, separators, bidi) are written as \uXXXX escapes. They can
 * only occur inside strings, so the result parses back to exactly `value`.
 */
export function terminalJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}

/** At most `maxLength` code points: longer text keeps `maxLength - 1` and ends with `…`. */
export function cutText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const chars = [...text];
  return chars.length > maxLength ? `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…` : text;
}
