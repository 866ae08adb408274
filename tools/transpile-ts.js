'use strict';
// One way to turn the project's TypeScript into CommonJS, used by plain `node` (register-ts.js: the CLI, the
// sandbox, the benchmark, cdktf's main.ts) and by jest (jest-transform.js), so that tests run the code exactly
// as it is run. It never type-checks: tests/infra/typecheck.test.ts runs tsc once per `npm test`; per file it would
// cost seconds.
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

/** The compiler options esbuild honours (class-field semantics, among them) come from the project's tsconfig. */
const tsconfigRaw = { compilerOptions: JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'tsconfig.json'), 'utf8')).compilerOptions };
const target = `node${process.versions.node.split('.')[0]}`;

/** Everything that decides the output besides the source itself, for caches keyed on it. */
const transpileKey = JSON.stringify({ esbuild: esbuild.version, target, tsconfigRaw });

/** @returns {{ code: string, map: string }} CommonJS with an external source map (inline as well when `inlineMap`). */
function transpileTypeScript(source, filename, { inlineMap = false } = {}) {
  const { code, map } = esbuild.transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target,
    tsconfigRaw,
    sourcefile: filename,
    sourcemap: inlineMap ? 'both' : 'external',
  });
  return { code, map };
}

module.exports = { transpileTypeScript, transpileKey };
