import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../stacks/project-root';

/** The repository's files (tracked, plus new ones not ignored), as a fresh clone of this commit would have them. */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return listed.split('\0').filter((file) => file && fs.existsSync(path.join(PROJECT_ROOT, file)));
}

/** A second checkout at another path, with other file times and another umask, sharing node_modules. */
function copyCheckout(umask: number, mtime: Date): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-clone-'));
  const previous = process.umask(umask);
  try {
    for (const file of repositoryFiles()) {
      const target = path.join(root, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, fs.readFileSync(path.join(PROJECT_ROOT, file)));
      fs.utimesSync(target, mtime, mtime);
    }
  } finally {
    process.umask(previous);
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

/** Runs the cdktf app the way `cdktf synth` does (cdktf.json's app command, CDKTF_OUTDIR set). */
function synthIn(checkout: string, umask: number): string {
  const outdir = path.join(checkout, 'cdktf.out');
  execFileSync('sh', ['-c', `umask ${umask.toString(8)} && node tools/run-ts.js main.ts`], {
    cwd: checkout,
    env: {
      PATH: process.env.PATH,
      HOME: os.homedir(),
      CDKTF_OUTDIR: outdir,
      // A deployable synth: real-shaped values, no placeholders.
      SUSPENSE_STATE_BUCKET: 'acme-suspense-tfstate',
      SUSPENSE_STATE_ACCOUNT_ID: '345678901234',
      SUSPENSE_DEV_ACCOUNT_ID: '123456789012',
      SUSPENSE_PROD_ACCOUNT_ID: '210987654321',
    },
    stdio: 'pipe',
  });
  return outdir;
}

/** Every file below `dir`, by relative path, with its bytes. */
function filesBelow(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else files.set(child, fs.readFileSync(path.join(dir, child)));
    }
  };
  walk('');
  return files;
}

describe('synthesis', () => {
  const checkouts: string[] = [];
  afterAll(() => checkouts.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('is byte-identical from two checkouts at different paths, with different file times and umasks', () => {
    const first = copyCheckout(0o022, new Date('2020-01-01T00:00:00Z'));
    const second = copyCheckout(0o077, new Date('2031-06-15T12:34:56Z'));
    checkouts.push(first, second);

    const a = filesBelow(synthIn(first, 0o022));
    const b = filesBelow(synthIn(second, 0o077));

    const stackFiles = [...a.keys()].filter((file) => file.startsWith('stacks')).sort();
    expect(stackFiles).toEqual(expect.arrayContaining(['stacks/suspense-dev/cdk.tf.json', 'stacks/suspense-prod/cdk.tf.json', 'stacks/suspense-state/cdk.tf.json']));
    // The check function in both environments, and dev's trip function.
    expect(stackFiles.filter((file) => file.endsWith('function.zip'))).toHaveLength(3);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [file, bytes] of a) expect({ file, same: bytes.equals(b.get(file)!) }).toEqual({ file, same: true });
    // Neither checkout's location may leak into what Terraform reads.
    for (const [file, bytes] of a) expect({ file, leaks: bytes.includes(first) || bytes.includes(os.tmpdir()) }).toEqual({ file, leaks: false });
  }, 120_000);
});
