#!/usr/bin/env node
'use strict';
// Fetches the Node.js binaries of the Lambda runtimes the function ships for (nodejs22.x, and nodejs24.x next)
// from the npm registry, where the official builds are published as node-linux-<arch>@<version>, into a
// git-ignored cache: .build/node/<major>/bin/node. Idempotent: a cached binary is kept and nothing is fetched.
// Usage: node tools/fetch-node.js [<major>...]   (default: 22 24)
// The runner (sandbox/execution-environment.ts) runs a function on SUSPENSE_LAMBDA_NODE when it is set.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE_DIR = path.join(__dirname, '..', '.build', 'node');
/** The Node.js majors of the Lambda runtimes: the one the stack deploys, and the next. */
const LAMBDA_NODE_MAJORS = ['22', '24'];

/** The registry package holding this machine's build of Node (Lambda's builds are Linux only). */
function packageName() {
  if (process.platform !== 'linux') throw new Error(`Lambda runs Linux builds of Node.js; this machine is ${process.platform}`);
  if (process.arch !== 'x64' && process.arch !== 'arm64') throw new Error(`no Linux build of Node.js for ${process.arch}`);
  return `node-linux-${process.arch}`;
}

/** Where the binary of Node `major` sits once fetched. */
function cachedNodePath(major) {
  return path.join(CACHE_DIR, String(major), 'bin', 'node');
}

/** The cached binary of Node `major`, or undefined when it has not been fetched. */
function cachedNode(major) {
  const file = cachedNodePath(major);
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

function versionOf(binary) {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}

/** Fetches Node `major` unless cached; returns the binary's path. Throws with what to do when it cannot. */
function fetchNode(major) {
  const cached = cachedNode(major);
  if (cached) return { binary: cached, fetched: false };
  const spec = `${packageName()}@${major}`;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-node-'));
  try {
    let tarball;
    try {
      const output = execFileSync('npm', ['pack', spec, '--pack-destination', scratch, '--ignore-scripts', '--loglevel=error'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      tarball = path.join(scratch, output.trim().split('\n').pop());
    } catch (error) {
      const lines = String(error.stderr || error.message).trim().split('\n');
      const reason = (lines.some((line) => line.startsWith('npm error')) ? lines.filter((line) => line.startsWith('npm error')).slice(0, 2) : lines.slice(-2)).join(' ');
      throw new Error(`cannot fetch Node ${major} (npm pack ${spec}): ${reason}. Offline? Put a Node ${major} binary at ${cachedNodePath(major)}, or set SUSPENSE_LAMBDA_NODE.`);
    }
    execFileSync('tar', ['-xzf', tarball, '-C', scratch, 'package/bin/node']);
    const target = cachedNodePath(major);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written beside the target and renamed: an interrupted fetch never leaves half a binary in the cache.
    const partial = `${target}.partial`;
    fs.copyFileSync(path.join(scratch, 'package', 'bin', 'node'), partial);
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
    return { binary: target, fetched: true };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { LAMBDA_NODE_MAJORS, cachedNode, cachedNodePath, fetchNode, versionOf };

if (require.main === module) {
  const majors = process.argv.slice(2);
  const bad = majors.find((major) => !/^\d+$/.test(major));
  if (bad !== undefined) {
    process.stderr.write(`usage: node tools/fetch-node.js [<major>...] (default: ${LAMBDA_NODE_MAJORS.join(' ')}); got "${bad}"\n`);
    process.exit(2);
  }
  let failed = false;
  for (const major of majors.length > 0 ? majors : LAMBDA_NODE_MAJORS) {
    try {
      const { binary, fetched } = fetchNode(major);
      process.stdout.write(`node ${major}: ${versionOf(binary)} ${fetched ? 'fetched into' : 'cached at'} ${path.relative(process.cwd(), binary)}\n`);
    } catch (error) {
      failed = true;
      process.stderr.write(`fetch-node: ${error.message}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}
