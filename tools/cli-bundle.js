'use strict';
// The operator CLI as one esbuild bundle (.build/cli/suspense.js), rebuilt whenever a file it was built from
// changes. Loading one bundle costs a fraction of transpiling the CLI's modules one by one through
// tools/register-ts.js, and the test suite starts the CLI hundreds of times. Plain CommonJS, so that
// bin/suspense.js can load it before any TypeScript loader exists; esbuild itself is loaded only to build.
const fs = require('node:fs');
const path = require('node:path');

const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * Where the CLI comes from and where its bundle goes. Tests point these at a temporary project and folder.
 * @typedef {object} CliBundleProps
 * @property {string} [projectRoot] Folder the entry and the metafile's input paths are relative to.
 *   @default the repository root
 * @property {string} [entry] The CLI's entry module, relative to `projectRoot`. @default 'cli/main.ts'
 * @property {string} [outDir] Folder of the bundle, its source map and its metafile. @default '<projectRoot>/.build/cli'
 */

/** @param {CliBundleProps} [props] */
function resolveProps(props = {}) {
  const projectRoot = path.resolve(props.projectRoot ?? PROJECT_ROOT);
  const outDir = path.resolve(projectRoot, props.outDir ?? path.join('.build', 'cli'));
  return {
    projectRoot,
    entry: props.entry ?? path.join('cli', 'main.ts'),
    bundleFile: path.join(outDir, 'suspense.js'),
    mapFile: path.join(outDir, 'suspense.js.map'),
    metafile: path.join(outDir, 'suspense.meta.json'),
  };
}

/** The esbuild options of the bundle; a bundle built with other options is stale. */
function bundleOptions(props) {
  return {
    absWorkingDir: props.projectRoot,
    entryPoints: [props.entry],
    outfile: props.bundleFile,
    bundle: true,
    platform: 'node',
    // package.json engines: the CLI runs on the Node that runs this repository, 20 or later.
    target: 'node20',
    // CommonJS keeps the CLI's lazy require() of each command's module lazy, and aws-xray-sdk-core needs it.
    format: 'cjs',
    // The AWS SDK's ES module builds shake off more unused code than its CommonJS builds.
    mainFields: ['module', 'main'],
    // The SDK's ES builds load node:http with import(), which would start Node's ES module loader for a built-in.
    supported: { 'dynamic-import': false },
    // Each start reads the bundle, and V8 checks and deserializes its code cache, in proportion to its size. Minified
    // (1.8 -> 0.76 MB; the code cache 1.3 -> 1.1 MB), `status` against a local DynamoDB took a median 0.18 instead of
    // 0.21 CPU-s, `--help` 0.13 instead of 0.14 (2026-12-01, 30 runs each, alternated in rounds of 10). The errors the
    // CLI prints keep their names (set explicitly, not taken from classes); SUSPENSE_DEBUG's traces go through the map.
    minify: true,
    // Source paths for stack traces (SUSPENSE_DEBUG); the sources themselves are in the checkout.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'silent',
  };
}

// The bundle's first line records its build: options, esbuild, start time and the inputs of esbuild's metafile.
// One file that describes itself is replaced by one rename: no CLI starting meanwhile can pair a bundle with
// another build's record. The line is a comment, and the source map maps no code to it.
const RECORD_PREFIX = '// suspense CLI build ';

/**
 * Whether the bundle can run as it is: it exists, it was built with the current options and esbuild, and every
 * file it was built from still exists, unchanged since the build started.
 * @param {CliBundleProps} [props]
 * @returns {{ fresh: true, bundleFile: string } | { fresh: false, reason: string }}
 */
function bundleStatus(props) {
  const resolved = resolveProps(props);
  const record = readRecord(resolved.bundleFile);
  if (!record) return { fresh: false, reason: 'no bundle' };
  if (JSON.stringify(record.options) !== JSON.stringify(bundleOptions(resolved))) return { fresh: false, reason: 'built with other options' };
  if (installedEsbuild(record.esbuild.packageJson) !== record.esbuild.version) return { fresh: false, reason: 'built by another esbuild' };
  for (const input of record.inputs) {
    // Joined, not path.resolve()d: a thousand resolves cost more than the thousand stats (metafile paths are relative).
    const stat = fs.statSync(`${resolved.projectRoot}/${input}`, { throwIfNoEntry: false });
    if (!stat) return { fresh: false, reason: `${input} is gone` };
    // npm writes packages with the time of the install, so an upgraded dependency counts as changed too.
    if (stat.mtimeMs >= record.startedMs) return { fresh: false, reason: `${input} changed` };
  }
  return { fresh: true, bundleFile: resolved.bundleFile };
}

function readRecord(bundleFile) {
  let fd;
  try {
    fd = fs.openSync(bundleFile, 'r');
    const chunks = [];
    for (let position = 0; ; ) {
      const chunk = Buffer.allocUnsafe(1 << 17);
      const length = fs.readSync(fd, chunk, 0, chunk.length, position);
      const newline = chunk.subarray(0, length).indexOf(10);
      chunks.push(chunk.subarray(0, newline === -1 ? length : newline));
      if (newline !== -1 || length === 0) break;
      position += length;
    }
    const line = Buffer.concat(chunks).toString('utf8');
    const record = line.startsWith(RECORD_PREFIX) ? JSON.parse(line.slice(RECORD_PREFIX.length)) : undefined;
    // A bundle some other code wrote (or a hand-edited one) is no bundle of ours: it gets rebuilt.
    const wellFormed = Array.isArray(record?.inputs) && typeof record.startedMs === 'number' && typeof record.esbuild?.packageJson === 'string';
    return wellFormed ? record : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function installedEsbuild(packageJson) {
  try {
    return JSON.parse(fs.readFileSync(packageJson, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Builds the bundle, its source map and esbuild's metafile (suspense.meta.json, for `esbuild --analyze`-style
 * reading). Each file is written under a temporary name and renamed into place, the bundle last.
 * @param {CliBundleProps} [props]
 * @returns {string} the bundle's path
 */
function buildBundle(props) {
  const resolved = resolveProps(props);
  fs.mkdirSync(path.dirname(resolved.bundleFile), { recursive: true });
  const esbuild = require('esbuild');
  const options = bundleOptions(resolved);
  const startedMs = fileSystemNow(resolved.bundleFile);
  // A placeholder first line, replaced by the record once the inputs are known, so the source map's lines stay true.
  const result = esbuild.buildSync({ ...options, banner: { js: '//' }, metafile: true, write: false });
  const output = (file) => result.outputFiles.find((outputFile) => outputFile.path === file);
  const packageJson = require.resolve('esbuild/package.json');
  // esbuild also reads tsconfig.json (class-field semantics among others) without listing it among the inputs.
  const inputs = [...Object.keys(result.metafile.inputs), ...(fs.existsSync(path.join(resolved.projectRoot, 'tsconfig.json')) ? ['tsconfig.json'] : [])];
  const record = { options, esbuild: { version: installedEsbuild(packageJson), packageJson }, startedMs, inputs };
  writeAtomically(resolved.metafile, JSON.stringify(result.metafile));
  writeAtomically(resolved.mapFile, output(resolved.mapFile).contents);
  writeAtomically(resolved.bundleFile, output(resolved.bundleFile).text.replace(/^\/\/\n/, `${RECORD_PREFIX}${JSON.stringify(record)}\n`));
  return resolved.bundleFile;
}

/**
 * Now by the file system's clock, the one that stamps source edits (Date.now() runs ahead of its coarse ticks): a
 * source saved while esbuild reads the others is then newer than the build, and the bundle is stale.
 */
function fileSystemNow(besideFile) {
  const probe = temporaryName(besideFile);
  try {
    fs.writeFileSync(probe, '');
    return fs.statSync(probe).mtimeMs;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/** Many CLI processes may start at once: each sees the old file or the new one, never a part of one. */
function writeAtomically(file, contents) {
  const temporary = temporaryName(file);
  try {
    fs.writeFileSync(temporary, contents);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

let temporaryFiles = 0;
/** Unique among the processes writing at once (their pids differ) and within each. */
function temporaryName(file) {
  temporaryFiles += 1;
  return `${file}.${process.pid}-${temporaryFiles}.tmp`;
}

/**
 * The path of a bundle that is up to date, built first when it is missing or stale. Throws when it cannot be built.
 * @param {CliBundleProps} [props]
 */
function freshBundle(props) {
  const status = bundleStatus(props);
  return status.fresh ? status.bundleFile : buildBundle(props);
}

/**
 * Runs the CLI (bin/suspense.js): from its bundle, rebuilt first when stale; from its TypeScript sources through
 * tools/register-ts.js when the bundle cannot be built (its folder cannot be written, a failing build), so the CLI
 * always runs, and never runs code older than its sources.
 * @param {CliBundleProps} [props]
 */
function startCli(props) {
  let bundleFile;
  try {
    bundleFile = freshBundle(props);
  } catch (error) {
    if (process.env.SUSPENSE_DEBUG) process.stderr.write(`suspense: running from sources, the bundle failed to build: ${error.stack}\n`);
  }
  if (process.env.SUSPENSE_DEBUG) {
    // Stack traces in TypeScript lines. Only here, where the CLI prints stacks: reading the source map would cost
    // every start about 0.02 CPU-s.
    process.setSourceMapsEnabled(true);
    require(bundleFile ?? sourceEntry(props));
  } else if (bundleFile) {
    runWithCodeCache(bundleFile);
  } else {
    require(sourceEntry(props));
  }
}

/** The CLI's TypeScript entry, once node can require TypeScript (tools/register-ts.js). */
function sourceEntry(props) {
  require('./register-ts');
  const resolved = resolveProps(props);
  return path.resolve(resolved.projectRoot, resolved.entry);
}

/**
 * Runs the bundle as require() would, with V8's code cache: compiled code saved by the first run beside the bundle,
 * which spares each later start most of its compiling (Node 20 has no module.enableCompileCache()). The cache is
 * keyed to the bundle file (inode, size, modification time) and to this Node: V8 itself checks little more than
 * the source's length.
 */
function runWithCodeCache(bundleFile) {
  const Module = require('node:module');
  const vm = require('node:vm');
  const fd = fs.openSync(bundleFile, 'r');
  let source;
  let key;
  try {
    const stat = fs.fstatSync(fd);
    key = Buffer.from(`${stat.ino} ${stat.size} ${stat.mtimeMs}\n`);
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const cacheFile = `${bundleFile}.node-${process.version}-${process.arch}.v8cache`;
  let cachedData;
  try {
    const cache = fs.readFileSync(cacheFile);
    if (cache.subarray(0, key.length).equals(key)) cachedData = cache.subarray(key.length);
  } catch {
    // No cache yet: this run writes it.
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundleFile, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // At exit, so that the cache holds every function this run compiled, not only the top level. The first run's
    // cache stays: one written by an AWS command saves the next such command 0.02-0.04 CPU-s over one written by
    // --help, and costs a --help 0.01-0.02 s to load; telling the runs apart at exit would cost every run more.
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, Buffer.concat([key, script.createCachedData()]));
      } catch {
        // A cache that cannot be written costs the next start its compiling, nothing else.
      }
    });
  }
  const module = { exports: {}, filename: bundleFile, id: bundleFile, loaded: false };
  script.runInThisContext()(module.exports, Module.createRequire(bundleFile), module, bundleFile, path.dirname(bundleFile));
}

module.exports = { bundleStatus, buildBundle, freshBundle, startCli };
