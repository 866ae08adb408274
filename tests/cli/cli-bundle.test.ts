/**
 * How the CLI starts (bin/suspense.js through tools/cli-bundle.js): from an esbuild bundle that is rebuilt whenever
 * a file it was built from changes, and from its TypeScript sources when the bundle cannot be built. A tiny project
 * in a temporary folder stands in for the CLI where the sources must change; every build here is real.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../stacks/project-root';

interface CliBundleProps {
  readonly projectRoot?: string;
  readonly entry?: string;
  readonly outDir?: string;
}
type BundleStatus = { fresh: true; bundleFile: string } | { fresh: false; reason: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleStatus, buildBundle } = require('../../tools/cli-bundle.js') as {
  bundleStatus: (props?: CliBundleProps) => BundleStatus;
  buildBundle: (props?: CliBundleProps) => string;
};

const CLI_BUNDLE_MODULE = path.join(PROJECT_ROOT, 'tools', 'cli-bundle.js');
/** V8's compiled code of the bundle, for the Node that runs these tests (the CLI's children run on it too). */
const CODE_CACHE = `suspense.js.node-${process.version}-${process.arch}.v8cache`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** This environment without SUSPENSE_DEBUG, which changes what the CLI prints and how it loads. */
const QUIET_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'SUSPENSE_DEBUG'));
const DEBUG_ENV = { ...QUIET_ENV, SUSPENSE_DEBUG: '1' };

/** Starts a CLI the way bin/suspense.js does, with `props` in place of the defaults. */
function startCli(props: CliBundleProps, args: readonly string[] = [], env: NodeJS.ProcessEnv = QUIET_ENV): Promise<Run> {
  const launcher = path.join(scratch, `launcher-${Math.random().toString(16).slice(2)}.js`);
  fs.writeFileSync(launcher, `require(${JSON.stringify(CLI_BUNDLE_MODULE)}).startCli(${JSON.stringify(props)});\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A hung CLI fails its test, not the whole file at jest's timeout.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-cli-bundle-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A two-module CLI that says which build of it runs: its greeting, and whether from the bundle or from sources. */
function tinyCli(greeting: string): Required<CliBundleProps> {
  const projectRoot = fs.mkdtempSync(path.join(scratch, 'project-'));
  fs.writeFileSync(path.join(projectRoot, 'greeting.ts'), `export const greeting: string = ${JSON.stringify(greeting)};\n`);
  fs.writeFileSync(
    path.join(projectRoot, 'main.ts'),
    [
      "import * as path from 'node:path';",
      "import { greeting } from './greeting';",
      'process.stdout.write(`${greeting} ${process.argv.slice(2).join(" ")} from ${path.basename(__filename)}\\n`);',
      '',
    ].join('\n'),
  );
  // Saved a while ago, as a checkout's files are: a file saved in the file system clock's tick (milliseconds) in
  // which a build starts counts as changed after it, so that an edit during a build is never missed.
  for (const file of ['greeting.ts', 'main.ts']) setModified(path.join(projectRoot, file), -60_000);
  return { projectRoot, entry: 'main.ts', outDir: path.join(projectRoot, 'out') };
}

function setModified(file: string, fromNowMs: number): void {
  const time = new Date(Date.now() + fromNowMs);
  fs.utimesSync(file, time, time);
}

describe('the CLI bundle', () => {
  it('is built when missing, and the CLI runs from it with its arguments', async () => {
    const cli = tinyCli('hello');
    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'no bundle' });

    const run = await startCli(cli, ['status', 'global']);

    expect(run).toEqual({ code: 0, stdout: 'hello status global from suspense.js\n', stderr: '' });
    expect(bundleStatus(cli)).toEqual({ fresh: true, bundleFile: path.join(cli.outDir, 'suspense.js') });
    expect(fs.readdirSync(cli.outDir).sort()).toEqual(['suspense.js', 'suspense.js.map', CODE_CACHE, 'suspense.meta.json']);
  });

  it('is rebuilt when a source changed since the build, and the CLI runs the new code', async () => {
    const cli = tinyCli('hello');
    buildBundle(cli);
    fs.writeFileSync(path.join(cli.projectRoot, 'greeting.ts'), "export const greeting: string = 'bonjour';\n");
    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'greeting.ts changed' });

    const run = await startCli(cli);

    expect(run.stdout).toBe('bonjour  from suspense.js\n');
    expect(bundleStatus(cli).fresh).toBe(true);
  });

  it('is stale when a source is touched without a change', () => {
    const cli = tinyCli('hello');
    buildBundle(cli);

    setModified(path.join(cli.projectRoot, 'main.ts'), 0);

    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'main.ts changed' });
  });

  it('is stale when a source it was built from is gone', () => {
    const cli = tinyCli('hello');
    buildBundle(cli);

    fs.rmSync(path.join(cli.projectRoot, 'greeting.ts'));

    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'greeting.ts is gone' });
  });

  it('is stale when built with other options, by another esbuild, or without a build record', () => {
    const cli = tinyCli('hello');
    const bundleFile = buildBundle(cli);
    const built = fs.readFileSync(bundleFile, 'utf8');
    const [recordLine, ...code] = built.split('\n');
    const record = JSON.parse(recordLine!.slice(recordLine!.indexOf('{'))) as { options: Record<string, unknown>; esbuild: { version: string } };
    const rewrite = (changed: object): void => {
      const prefix = recordLine!.slice(0, recordLine!.indexOf('{'));
      fs.writeFileSync(bundleFile, [`${prefix}${JSON.stringify({ ...record, ...changed })}`, ...code].join('\n'));
    };

    rewrite({ options: { ...record.options, minify: !record.options.minify } });
    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'built with other options' });

    rewrite({ esbuild: { ...record.esbuild, version: '0.0.1' } });
    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'built by another esbuild' });

    rewrite({ inputs: undefined });
    expect(bundleStatus(cli)).toEqual({ fresh: false, reason: 'no bundle' });

    rewrite({});
    expect(bundleStatus(cli).fresh).toBe(true);
  });

  it('gives stack traces in the TypeScript sources\' lines under SUSPENSE_DEBUG', async () => {
    const cli = tinyCli('hello');
    const main = path.join(cli.projectRoot, 'main.ts');
    fs.writeFileSync(main, "import { greeting } from './greeting';\n\nprocess.stdout.write(`${greeting} ${new Error().stack}`);\n");
    setModified(main, -60_000);

    const plain = await startCli(cli);
    const debug = await startCli(cli, [], DEBUG_ENV);

    const firstFrame = (run: Run): string => run.stdout.split('\n')[1]!;
    expect(firstFrame(plain)).toContain(`${path.join(cli.outDir, 'suspense.js')}:`);
    expect(firstFrame(debug)).toContain(`${main}:3:`);
  });

  it('serves several CLIs starting together on a missing bundle: each runs it, one whole build is left', async () => {
    const cli = tinyCli('hello');

    const runs = await Promise.all([1, 2, 3, 4].map((n) => startCli(cli, [String(n)])));

    expect(runs.map((run) => run.stdout)).toEqual([1, 2, 3, 4].map((n) => `hello ${n} from suspense.js\n`));
    expect(bundleStatus(cli).fresh).toBe(true);
    // Every build wrote under a temporary name and renamed it: nothing half-written is left behind.
    expect(fs.readdirSync(cli.outDir).sort()).toEqual(['suspense.js', 'suspense.js.map', CODE_CACHE, 'suspense.meta.json']);
  });
});

describe('the compiled code cache beside the bundle', () => {
  const identity = (file: string): string => {
    const stat = fs.statSync(file);
    return `${stat.ino} ${stat.mtimeMs}`;
  };

  it('is written by the first run and used, not rewritten, by the next', async () => {
    const cli = tinyCli('hello');
    await startCli(cli, ['first']);
    const cache = path.join(cli.outDir, CODE_CACHE);
    const written = identity(cache);

    const run = await startCli(cli, ['second']);

    expect(run).toEqual({ code: 0, stdout: 'hello second from suspense.js\n', stderr: '' });
    expect(identity(cache)).toBe(written);
  });

  it('is not used for a rebuilt bundle: the CLI runs the new code and caches that', async () => {
    const cli = tinyCli('hello');
    await startCli(cli);
    const cache = path.join(cli.outDir, CODE_CACHE);
    const oldCache = fs.readFileSync(cache);
    // A source of the same length, bar the build record: V8 checks little more than the length before using a cache.
    fs.writeFileSync(path.join(cli.projectRoot, 'greeting.ts'), "export const greeting: string = 'hallo';\n");

    const run = await startCli(cli);

    expect(run).toEqual({ code: 0, stdout: 'hallo  from suspense.js\n', stderr: '' });
    expect(fs.readFileSync(cache).equals(oldCache)).toBe(false);
  });

  it('is replaced when V8 refuses it, and the CLI runs all the same', async () => {
    const cli = tinyCli('hello');
    await startCli(cli);
    const cache = path.join(cli.outDir, CODE_CACHE);
    const key = fs.readFileSync(cache, 'utf8').split('\n', 1)[0]!;
    fs.writeFileSync(cache, `${key}\nnot compiled code`);

    const run = await startCli(cli, ['again']);

    expect(run).toEqual({ code: 0, stdout: 'hello again from suspense.js\n', stderr: '' });
    expect(fs.statSync(cache).size).toBeGreaterThan(1000);
  });
});

describe('the CLI without a bundle', () => {
  it('runs from its TypeScript sources when the bundle does not build', async () => {
    const cli = tinyCli('hello');
    // Bundling resolves every require() up front; the transpiled CLI only when the line runs.
    fs.appendFileSync(path.join(cli.projectRoot, 'main.ts'), "export const later = (): unknown => require('./not-written-yet');\n");

    const run = await startCli(cli, ['list']);

    expect(run).toEqual({ code: 0, stdout: 'hello list from main.ts\n', stderr: '' });
    expect(fs.existsSync(path.join(cli.outDir, 'suspense.js'))).toBe(false);
  });

  it('runs the real CLI from its sources when the bundle cannot be written, and says why under SUSPENSE_DEBUG', async () => {
    const blocked = path.join(scratch, 'a-file-not-a-folder');
    fs.writeFileSync(blocked, '');

    const run = await startCli({ outDir: path.join(blocked, 'cli') }, ['--help'], DEBUG_ENV);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: suspense <command> \[options\]\n/);
    expect(run.stderr).toMatch(/^suspense: running from sources, the bundle failed to build: Error: ENOTDIR/);
  });
});

describe('the real CLI\'s bundle', () => {
  let outDir: string;
  let inputs: string[];
  beforeAll(() => {
    outDir = path.join(scratch, 'real-cli');
    buildBundle({ outDir });
    inputs = Object.keys((JSON.parse(fs.readFileSync(path.join(outDir, 'suspense.meta.json'), 'utf8')) as { inputs: object }).inputs);
  });

  it('holds every module of cli/, and besides them only the switch library it shares with the function', () => {
    const own = inputs.filter((input) => !input.startsWith('node_modules/'));
    const cliModules = fs.readdirSync(path.join(PROJECT_ROOT, 'cli')).map((file) => `cli/${file}`);

    expect(own.filter((input) => input.startsWith('cli/')).sort()).toEqual(cliModules.sort());
    expect(own.filter((input) => !input.startsWith('cli/') && !/^functions\/(switch|check)\/[\w-]+\.ts$/.test(input))).toEqual([]);
  });

  it('holds no cdktf, no stacks/, no tests and no tool of the build or the tests', () => {
    const packages = new Set(inputs.filter((input) => input.startsWith('node_modules/')).map((input) => input.split('/').slice(1, input.startsWith('node_modules/@') ? 3 : 2).join('/')));

    expect([...packages].filter((name) => /^(cdktf|@cdktf\/|constructs$|esbuild$|jest|ts-jest$|typescript$|dynalite$|fast-check$)/.test(name))).toEqual([]);
    expect(inputs.filter((input) => /^(stacks|tests|sandbox|bench|tools)\/|^main\.ts$/.test(input))).toEqual([]);
    expect([...packages]).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-lambda']));
  });

  it('answers --help and is fresh for the checkout it was built from', async () => {
    expect(bundleStatus({ outDir })).toEqual({ fresh: true, bundleFile: path.join(outDir, 'suspense.js') });

    const run = await startCli({ outDir }, ['--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: suspense <command> \[options\]\n/);
  });
});
