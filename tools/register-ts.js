'use strict';
// Lets plain `node` load the project's TypeScript (main.ts for cdktf, the CLI, the sandbox, the benchmark)
// by transpiling each file as it is required (tools/transpile-ts.js, the same transpiler jest uses).
const fs = require('node:fs');
const { transpileTypeScript } = require('./transpile-ts');

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    module._compile(transpileTypeScript(fs.readFileSync(filename, 'utf8'), filename, { inlineMap: true }).code, filename);
  };
  process.setSourceMapsEnabled?.(true);
}
