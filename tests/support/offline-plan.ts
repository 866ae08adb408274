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

export interface OfflinePlan {
  readonly resources: PlannedResource[];
  readonly outputs: Record<string, { actions: string[]; after_unknown?: unknown }>;
  readonly raw: Record<string, unknown>;
  /** Folder the plan ran in; removed by cleanup(). */
  readonly workDir: string;
  cleanup(): void;
}

/**
 * Plans a synthesized stack with the real Terraform and AWS provider and no AWS: copies the stack folder,
 * adds override files that swap the backend for a local one and tell the provider not to call AWS while
 * configuring, installs the provider from the machine's filesystem mirror, then plan and show.
 */
export function planOffline(stackDir: string, mirror: string): OfflinePlan {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-plan-'));
  fs.cpSync(stackDir, workDir, { recursive: true });
  fs.writeFileSync(
    path.join(workDir, 'backend_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: 'terraform.tfstate' } } } }),
  );
  fs.writeFileSync(
    path.join(workDir, 'provider_override.tf.json'),
    JSON.stringify({
      provider: {
        aws: {
          access_key: 'offline-plan',
          secret_key: 'offline-plan',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
          // The account guard needs the caller's real account ID, which only AWS can tell.
          allowed_account_ids: null,
        },
      },
    }),
  );
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
    resource_changes?: Array<{ address: string; type: string; name: string; change: { actions: string[]; after: Record<string, unknown> } }>;
    output_changes?: Record<string, { actions: string[]; after_unknown?: unknown }>;
  };
  return {
    resources: (raw.resource_changes ?? []).map((change) => ({
      address: change.address,
      type: change.type,
      name: change.name,
      values: change.change.after ?? {},
      actions: change.change.actions,
    })),
    outputs: raw.output_changes ?? {},
    raw: raw as Record<string, unknown>,
    workDir,
    cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }),
  };
}
