'use strict';
// Jest's transformer for the project's TypeScript: the transpiler plain `node` uses (tools/transpile-ts.js). On a
// fresh clone's empty cache, TypeScript's transpileModule (what ts-jest ran) took 4.2 CPU-s for the project's 188
// files and esbuild about 0.3. Types are checked once per `npm test`, by tests/infra/typecheck.test.ts. Nothing
// here hoists `jest.mock` calls as ts-jest did: the suite mocks no module.
const crypto = require('node:crypto');
const { transpileTypeScript, transpileKey } = require('./transpile-ts');

module.exports = {
  process(source, filename) {
    return transpileTypeScript(source, filename);
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(transpileKey).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
