'use strict';
// Lets plain `node` load the project's TypeScript (main.ts for cdktf, the CLI, the sandbox, the benchmark)
// by transpiling each file with esbuild as it is required. It never type-checks: `npm test` runs tsc, and a
// full type-check of @cdktf/provider-aws on every synth would cost seconds.
const fs = require('node:fs');
const esbuild = require('esbuild');

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcefile: filename,
      sourcemap: 'inline',
    });
    module._compile(code, filename);
  };
  process.setSourceMapsEnabled?.(true);
}
