import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { terraformEnv, writeMirrorCliConfig } from './terraform';

export { terraformAvailability, type TerraformAvailability } from './terraform';

/** A planned resource from `terraform show -json`: its address, type and planned values. */
export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
  readonly actions: string[];
}

/** One stack's part of an offline plan. */
export interface OfflinePlan {
  /** Its planned resources, addressed as in the stack's own plan (without the `module.<stack>.` of the shared run). */
  readonly resources: PlannedResource[];
  /** Its outputs, by the stack's own output names. */
  readonly outputs: Record<string, { actions: string[]; after_unknown?: unknown }>;
}

export interface OfflinePlans {
  readonly plans: Record<string, OfflinePlan>;
  /** Removes the folder the plan ran in. */
  cleanup(): void;
}

/** What the provider is told in an offline plan: static credentials, and no call to AWS while configuring. */
const OFFLINE_PROVIDER = {
  access_key: 'offline-plan',
  secret_key: 'offline-plan',
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
  // The account guard needs the caller's real account ID, which only AWS can tell.
  allowed_account_ids: null,
};

/** A stack's outputs, re-declared by the root module of the shared run under `<stack>__<output>`. */
const OUTPUT_SEPARATOR = '__';

/**
 * Plans synthesized stacks with the real Terraform and AWS provider and no AWS, in one Terraform run: each stack's
 * folder is copied in as a module of a generated root (its backend is then ignored: the root keeps a local state),
 * with an override file that keeps its provider from calling AWS while configuring, and the root re-declares each
 * stack's outputs. Each stack keeps its own provider configuration (region, account guard, default tags), so every
 * planned value is what a plan of that stack alone gives; what one run saves is Terraform's start-up, which is most
 * of a plan's cost: every command loads the provider's schema of about 1,500 resource types, and a stack alone
 * takes three commands (init, plan, show). tests/infra/plan.test.ts, alternated with planning stack by stack
 * (2026-12-01, jest -w1): 10.2 and 11.1 CPU-s (8.5 and 9.3 s) against 22.7 and 22.1 (20.2 and 19.7 s).
 * Terraform warns that the stacks' backend blocks are ignored, and takes their provider blocks, written in JSON, for
 * empty ones; neither changes the plan: each stack's region, account and default tags are in its planned values.
 */
export function planOffline(stackDirs: Record<string, string>, mirror: string): OfflinePlans {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-plan-'));
  const root: { module: Record<string, { source: string }>; output: Record<string, { value: string; sensitive?: boolean }> } = { module: {}, output: {} };
  for (const [stack, stackDir] of Object.entries(stackDirs)) {
    const moduleDir = path.join(workDir, stack);
    fs.cpSync(stackDir, moduleDir, { recursive: true });
    fs.writeFileSync(path.join(moduleDir, 'provider_override.tf.json'), JSON.stringify({ provider: { aws: OFFLINE_PROVIDER } }));
    root.module[stack] = { source: `./${stack}` };
    const config = JSON.parse(fs.readFileSync(path.join(moduleDir, 'cdk.tf.json'), 'utf8')) as { output?: Record<string, { sensitive?: boolean }> };
    for (const [name, output] of Object.entries(config.output ?? {})) {
      root.output[`${stack}${OUTPUT_SEPARATOR}${name}`] = { value: `\${module.${stack}.${name}}`, ...(output.sensitive ? { sensitive: true } : {}) };
    }
  }
  fs.writeFileSync(path.join(workDir, 'main.tf.json'), JSON.stringify(root, null, 2));
  const cliConfig = writeMirrorCliConfig(path.join(workDir, 'offline.tfrc'), mirror);
  const env = terraformEnv(cliConfig, { TF_DATA_DIR: path.join(workDir, '.terraform') });
  const terraform = (...args: string[]): string => {
    try {
      return execFileSync('terraform', args, { cwd: workDir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      throw new Error(`terraform ${args.join(' ')} failed in ${workDir}:\n${failure.stderr ?? ''}${failure.stdout ?? ''}`);
    }
  };
  terraform('init', '-input=false', '-no-color');
  // No separate `validate`: plan validates the configuration first, and each command costs a provider start.
  terraform('plan', '-input=false', '-no-color', '-lock=false', '-out=tfplan');
  const raw = JSON.parse(terraform('show', '-json', 'tfplan')) as {
    resource_changes?: Array<{ address: string; module_address?: string; type: string; name: string; change: { actions: string[]; after: Record<string, unknown> } }>;
    output_changes?: Record<string, { actions: string[]; after_unknown?: unknown }>;
  };
  const plans = Object.fromEntries(
    Object.keys(stackDirs).map((stack): [string, OfflinePlan] => {
      const moduleAddress = `module.${stack}`;
      const outputPrefix = `${stack}${OUTPUT_SEPARATOR}`;
      return [
        stack,
        {
          resources: (raw.resource_changes ?? [])
            .filter((change) => change.module_address === moduleAddress)
            .map((change) => ({
              address: change.address.slice(moduleAddress.length + 1),
              type: change.type,
              name: change.name,
              values: change.change.after ?? {},
              actions: change.change.actions,
            })),
          outputs: Object.fromEntries(
            Object.entries(raw.output_changes ?? {})
              .filter(([name]) => name.startsWith(outputPrefix))
              .map(([name, change]) => [name.slice(outputPrefix.length), change]),
          ),
        },
      ];
    }),
  );
  return { plans, cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }) };
}
