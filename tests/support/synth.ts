import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { addStacks } from '../../stacks/app';

/** The Terraform JSON cdktf wrote for one stack. */
export type StackJson = {
  terraform: Record<string, any>;
  provider: Record<string, any[]>;
  resource: Record<string, Record<string, any>>;
  output: Record<string, { value: string; description?: string }>;
} & Record<string, any>;

export interface Synthesized {
  readonly outdir: string;
  stack(name: string): StackJson;
  stackDir(name: string): string;
  cleanup(): void;
}

/**
 * Synthesizes every stack into a fresh folder, as `cdktf synth` would, with the environment variables given
 * (not the caller's: tests must not depend on the machine's SUSPENSE_* settings). Variables the test leaves unset
 * are placeholders, explicitly (SUSPENSE_ALLOW_PLACEHOLDERS=test), unless `env` sets that variable itself.
 * `outdir` (a new temporary folder by default) is removed by cleanup().
 */
export function synthesize(env: NodeJS.ProcessEnv = {}, outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-synth-'))): Synthesized {
  try {
    const app = new App({ outdir });
    addStacks(app, { SUSPENSE_ALLOW_PLACEHOLDERS: 'test', ...env });
    app.synth();
  } catch (error) {
    fs.rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const stackDir = (name: string) => path.join(outdir, 'stacks', name);
  return {
    outdir,
    stackDir,
    stack: (name) => JSON.parse(fs.readFileSync(path.join(stackDir(name), 'cdk.tf.json'), 'utf8')) as StackJson,
    cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * The Terraform JSON of one stack built by `build`, through cdktf's Testing helpers (no assets are written), in an
 * output folder that is removed afterwards.
 */
export function synthTestStack(build: (stack: TerraformStack) => void): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-test-stack-'));
  try {
    const stack = new TerraformStack(Testing.app({ outdir }), 'test');
    build(stack);
    return JSON.parse(Testing.synth(stack));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The only resource of `type` in a stack (fails when there are none or several). */
export function onlyResource(stack: StackJson, type: string): Record<string, any> {
  const resources = Object.values(stack.resource[type] ?? {});
  if (resources.length !== 1) throw new Error(`expected exactly one ${type}, found ${resources.length}`);
  return resources[0];
}

/** Every resource of `type`, keyed by logical id. */
export function resources(stack: StackJson, type: string): Record<string, Record<string, any>> {
  return stack.resource[type] ?? {};
}

/** Policy documents are JSON strings inside the Terraform JSON. */
export function policyStatements(policy: string): Array<Record<string, any>> {
  return JSON.parse(policy).Statement;
}
