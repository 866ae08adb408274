import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findMirror } = require('../../tools/terraform-mirror.js') as { findMirror: () => string | undefined };

export interface TerraformAvailability {
  readonly available: boolean;
  /** Why the plan tests cannot run here, when they cannot. */
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
 * configuring, installs the provider from the machine's filesystem mirror, then validate, plan and show.
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
  const cliConfig = path.join(workDir, 'offline.tfrc');
  fs.writeFileSync(
    cliConfig,
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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_DATA_DIR: path.join(workDir, '.terraform'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const variable of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[variable];
  const terraform = (...args: string[]): string => {
    try {
      return execFileSync('terraform', args, { cwd: workDir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      throw new Error(`terraform ${args.join(' ')} failed in ${workDir}:\n${failure.stderr ?? ''}${failure.stdout ?? ''}`);
    }
  };
  terraform('init', '-input=false', '-no-color');
  terraform('validate', '-no-color');
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
