import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quote } from '../functions/switch/switch-input';
import { CliFailure, UsageError } from './errors';

/** Outputs of the suspense stack the CLI reads (see stacks/suspense-stack.ts). */
export type StackOutputName = 'table_name' | 'function_name';

/** A resource named by a stack's outputs, and the region its ARN output says it lives in. */
export interface StackResource {
  readonly name: string;
  /** From the `*_arn` output: without it, an operator whose AWS_REGION differs would look in the wrong region. */
  readonly region?: string;
}

const STACK_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const TERRAFORM_TIMEOUT_MS = 30_000;

/** Where `cdktf synth` wrote the project's stacks, found from a folder inside the project. */
export interface SynthOutput {
  /** The folder holding cdktf.json. */
  readonly projectRoot: string;
  /** `<output>/stacks`, where `output` is cdktf.json's (cdktf's default: cdktf.out). */
  readonly stacksDir: string;
}

/** The nearest cdktf.json at or above `cwd`, and the stacks folder it names; undefined outside any project. */
export function findSynthOutput(cwd: string): SynthOutput | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const cdktfJson = path.join(dir, 'cdktf.json');
    if (fs.existsSync(cdktfJson)) {
      let output: unknown;
      try {
        output = (JSON.parse(fs.readFileSync(cdktfJson, 'utf8')) as { output?: unknown }).output;
      } catch {
        throw new CliFailure(`${cdktfJson} is not valid JSON`);
      }
      return { projectRoot: dir, stacksDir: path.resolve(dir, typeof output === 'string' && output ? output : 'cdktf.out', 'stacks') };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Synthesized stacks in `stacksDir`, each with the outputs its cdk.tf.json declares. */
function synthesizedStacks(stacksDir: string): Map<string, string[]> {
  const stacks = new Map<string, string[]>();
  const entries = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir, { withFileTypes: true }) : [];
  for (const entry of entries) {
    const file = path.join(stacksDir, entry.name, 'cdk.tf.json');
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    try {
      stacks.set(entry.name, Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { output?: object }).output ?? {}));
    } catch {
      stacks.set(entry.name, []);
    }
  }
  return stacks;
}

/**
 * One output of a deployed stack, read with `terraform -chdir=<output>/stacks/<stack> output -json`: Terraform
 * already knows where the stack's state lives and how to reach it. Works from any folder of the project. Stacks
 * that declare the output are environment stacks; an unknown stack, or one that is not an environment stack, is a
 * usage error naming the environment stacks there are.
 */
export async function readStackResource(stack: string, output: StackOutputName, command: string, cwd = process.cwd()): Promise<StackResource> {
  if (!STACK_NAME.test(stack)) throw new UsageError(`invalid stack name ${quote(stack)}: use letters, digits, _ and -`, command);
  const synth = findSynthOutput(cwd);
  if (!synth) throw new UsageError(`--stack needs the project: no cdktf.json in ${cwd} or any folder above it (or pass the name directly)`, command);
  const stacks = synthesizedStacks(synth.stacksDir);
  if (stacks.size === 0) {
    throw new UsageError(`no synthesized stacks in ${synth.stacksDir} (run "npm run synth" in ${synth.projectRoot}, or pass the name directly)`, command);
  }
  const environmentStacks = [...stacks].filter(([, outputs]) => outputs.includes(output)).map(([name]) => name).sort();
  const choices = environmentStacks.length > 0 ? `environment stacks: ${environmentStacks.join(', ')}` : `no stack declares ${output}`;
  const declared = stacks.get(stack);
  if (!declared) throw new UsageError(`unknown stack "${stack}" in ${synth.stacksDir}; ${choices}`, command);
  if (!declared.includes(output)) throw new UsageError(`stack "${stack}" is not an environment stack (it has no ${output} output); ${choices}`, command);

  const directory = path.join(synth.stacksDir, stack);
  const stdout = await runTerraform([`-chdir=${directory}`, 'output', '-json', '-no-color'], stack);
  let outputs: unknown;
  try {
    outputs = JSON.parse(stdout);
  } catch {
    throw new CliFailure(`terraform output for stack "${stack}" is not JSON`);
  }
  const valueOf = (name: string): unknown => (outputs as Record<string, { value?: unknown } | undefined> | null)?.[name]?.value;
  const value = valueOf(output);
  if (typeof value !== 'string' || value === '') {
    throw new CliFailure(`stack "${stack}" has no value for ${output}: is it deployed ("cdktf deploy ${stack}")?`);
  }
  const region = regionOfArn(valueOf(output.replace(/_name$/, '_arn')));
  return region === undefined ? { name: value } : { name: value, region };
}

/** The region field of an ARN (`arn:aws:dynamodb:eu-west-1:123456789012:table/x`), when it is one. */
export function regionOfArn(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const region = arn.split(':')[3];
  return region && /^[a-z]{2}(-[a-z0-9]+){1,4}$/.test(region) ? region : undefined;
}

function runTerraform(args: string[], stack: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('terraform', args, { timeout: TERRAFORM_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new CliFailure('terraform is not installed (not on PATH); it reads --stack outputs: pass the name directly instead'));
      if (error.killed) return reject(new CliFailure(`terraform output for stack "${stack}" did not finish within ${TERRAFORM_TIMEOUT_MS / 1000}s`));
      const lines = stderr.split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').replace(/[│╷╵]/g, '').trim()).filter(Boolean);
      // Terraform boxes its diagnostics; the "Error:" line and the one after it say what went wrong.
      const errorAt = lines.findIndex((line) => line.startsWith('Error:'));
      const detail = (errorAt >= 0 ? lines.slice(errorAt, errorAt + 2) : lines.slice(0, 3)).join(' ');
      reject(new CliFailure(`terraform output for stack "${stack}" failed${detail ? `: ${detail}` : ''}`));
    });
  });
}
