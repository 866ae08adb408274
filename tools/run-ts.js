#!/usr/bin/env node
'use strict';
// Usage: node tools/run-ts.js <entry.ts> [args...]  (runs a TypeScript entry point without a build step)
const path = require('node:path');
require('./register-ts');

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run-ts.js <entry.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
require(path.resolve(entry));
