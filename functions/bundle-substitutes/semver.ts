/**
 * Stands in for `semver` in the Lambda bundle only (stacks/bundling/esbuild-bundle.ts aliases it).
 *
 * Why: aws-xray-sdk-core's AWS SDK v2 patcher requires `semver` at load time for one comparison
 * (`semver.gte(AWS.VERSION, minimum)`, made only when an SDK v2 client is captured, which this project never does).
 * The real package compiles dozens of regular expressions when it loads: about 3 ms of every cold start, for
 * nothing. This module offers the one function the bundle calls, with semver's ordering for plain versions.
 */

const VERSION = /^\s*v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$/;

/** Whether `version` is at least `minimum` (`major.minor.patch[-prerelease]`); throws on anything else. */
export function gte(version: string, minimum: string): boolean {
  return compare(parse(version), parse(minimum)) >= 0;
}

interface ParsedVersion {
  readonly numbers: readonly [number, number, number];
  readonly prerelease?: string;
}

function parse(text: string): ParsedVersion {
  const match = VERSION.exec(String(text));
  if (!match) throw new TypeError(`Invalid Version: ${text}`);
  return { numbers: [Number(match[1]), Number(match[2]), Number(match[3])], ...(match[4] !== undefined ? { prerelease: match[4] } : {}) };
}

function compare(a: ParsedVersion, b: ParsedVersion): number {
  for (let index = 0; index < 3; index++) {
    const difference = a.numbers[index]! - b.numbers[index]!;
    if (difference !== 0) return Math.sign(difference);
  }
  // A prerelease sorts before its release; two prereleases compare field by field, numbers below words.
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  const left = a.prerelease.split('.');
  const right = b.prerelease.split('.');
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const x = left[index];
    const y = right[index];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) return Math.sign(Number(x) - Number(y));
    if (xNumeric) return -1;
    if (yNumeric) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
