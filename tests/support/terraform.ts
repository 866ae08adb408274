import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findMirror } = require('../../tools/terraform-mirror.js') as { findMirror: () => string | undefined };

/** What the Terraform tests (offline plan, deploy against moto) share: the binary, the provider mirror, a hermetic environment. */
export interface TerraformAvailability {
  readonly available: boolean;
  /** Why the Terraform tests cannot run here, when they cannot. */
  readonly reason?: string;
  readonly mirror?: string;
}

export function terraformAvailability(): TerraformAvailability {
  const version = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return { available: false, reason: 'terraform is not installed (not on PATH)' };
  const mirror = findMirror();
  if (!mirror) return { available: false, reason: 'no filesystem mirror holds the pinned AWS provider' };
  return { available: true, mirror };
}

/**
 * Writes a Terraform CLI config that installs the AWS provider from `mirror` and nothing from the network, built
 * at test time so that no machine's paths reach the repository.
 */
export function writeMirrorCliConfig(file: string, mirror: string): string {
  fs.writeFileSync(
    file,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`,
  );
  return file;
}

/**
 * The environment Terraform runs with in tests: the mirror's CLI config, no prompts, no checkpoint lookup (there is
 * no network), no instance metadata, none of the caller's AWS credentials unless `extra` sets them, and a garbage
 * collector target that saves CPU.
 */
export function terraformEnv(cliConfig: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Terraform and the AWS provider (which inherits this) spend much of each command building the provider's schema
    // (about 1,500 resource types) and collect garbage all along at Go's default target (GOGC=100). The deploy test
    // alone, back to back on a quiet machine (2026-12-01): 91 CPU-s at 200, 83 at 400, 83 at 800, with the largest
    // process peaking at 680, 805 and 1,040 MB; GOGC=off with GOMEMLIMIT=1GiB took 80 CPU-s but 1.5 GB a process,
    // with up to five commands running at once. 400 keeps nearly all of the saving for 120 MB more a process.
    GOGC: '400',
  };
  for (const variable of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'TF_DATA_DIR']) delete env[variable];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface TerraformRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface TerraformRunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Called with each line of stdout as it arrives (for `-json` event streams). */
  readonly onLine?: (line: string) => void;
  /** Kill it after this long: a hung Terraform fails the test instead of the suite. @default 300000 */
  readonly killAfterMs?: number;
}

/** Runs terraform without blocking the event loop, so that independent stacks are applied and planned in parallel. */
export function runTerraform(args: readonly string[], options: TerraformRunOptions): Promise<TerraformRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!options.onLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Like runTerraform, but a non-zero exit is an error carrying Terraform's output. */
export async function terraformOk(args: readonly string[], options: TerraformRunOptions): Promise<TerraformRun> {
  const run = await runTerraform(args, options);
  if (run.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${run.code} in ${options.cwd}:\n${run.stderr}${run.stdout.slice(-4000)}`);
  return run;
}
