import { isAwsRegion } from './aws-regions';
import { DEFAULT_REGION } from './defaults';

/**
 * Where the stacks deploy to comes from environment variables only, so that the repository names no account
 * and no bucket. A synth that would reach a plan or a deploy needs every one of them: a missing one is an error
 * that names it, never a silent placeholder (a placeholder bucket someone else owns could serve or receive state,
 * and the backend reads state before the provider's account guard runs).
 */

/** The variable through which tools that never plan or deploy ask for placeholders in place of missing values. */
export const ALLOW_PLACEHOLDERS_VARIABLE = 'SUSPENSE_ALLOW_PLACEHOLDERS';
/** The only tools that may synthesize with placeholders: their output is run locally, never planned against AWS. */
export const PLACEHOLDER_USES = ['local-sandbox', 'benchmark', 'test'] as const;
export type PlaceholderUse = (typeof PLACEHOLDER_USES)[number];

/** What a required variable holds, for the message that names it, and the value a placeholder synth uses. */
interface RequiredVariable {
  readonly name: string;
  readonly what: string;
  readonly placeholder: string;
}

export const STATE_BUCKET_VARIABLE = 'SUSPENSE_STATE_BUCKET';
export const STATE_KEY_PREFIX_VARIABLE = 'SUSPENSE_STATE_KEY_PREFIX';
/** The variable holding the account ID of `scope` (`STATE`, or an environment such as `dev`). */
export const accountVariable = (scope: string): string => `SUSPENSE_${scope.toUpperCase()}_ACCOUNT_ID`;
/** The variable holding the region of `scope`; unset means DEFAULT_REGION. */
export const regionVariable = (scope: string): string => `SUSPENSE_${scope.toUpperCase()}_REGION`;

/** Placeholder accounts, one per scope, so that a placeholder stack can never pass another one's account guard. */
const PLACEHOLDER_ACCOUNTS: Readonly<Record<string, string>> = { dev: '111111111111', prod: '222222222222', state: '333333333333' };

const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCOUNT_ID = /^\d{12}$/;

export interface AccountAndRegion {
  readonly accountId: string;
  readonly region: string;
}

/** Reads variables for one part of the app (the state settings, the environments), checking them as it goes. */
export class DeploymentVariables {
  private readonly missing: RequiredVariable[] = [];
  private readonly problems: string[] = [];
  /** Set when missing variables are filled with placeholders: the tool that asked for them. */
  readonly placeholdersFor?: PlaceholderUse;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    const allowed = env[ALLOW_PLACEHOLDERS_VARIABLE];
    if (allowed) {
      if (!(PLACEHOLDER_USES as readonly string[]).includes(allowed)) {
        this.problems.push(`${ALLOW_PLACEHOLDERS_VARIABLE} "${allowed}" is not one of ${PLACEHOLDER_USES.join(', ')}`);
      } else {
        this.placeholdersFor = allowed as PlaceholderUse;
      }
    }
  }

  required(variable: RequiredVariable, check: (value: string) => string | undefined): string {
    const value = this.env[variable.name];
    if (!value) {
      if (!this.placeholdersFor) this.missing.push(variable);
      return variable.placeholder;
    }
    const problem = check(value);
    if (problem) this.problems.push(`${variable.name} "${value}" ${problem}`);
    return value;
  }

  optional(name: string, fallback: string, check: (value: string) => string | undefined): string {
    const value = this.env[name] || fallback;
    const problem = check(value);
    if (problem) this.problems.push(`${name} "${value}" ${problem}`);
    return value;
  }

  /** Account and region of `scope` (`state`, `dev`, `prod`, ...). */
  accountAndRegion(scope: string, what: string): AccountAndRegion {
    return {
      accountId: this.required(
        { name: accountVariable(scope), what, placeholder: PLACEHOLDER_ACCOUNTS[scope] ?? '000000000000' },
        (value) => (ACCOUNT_ID.test(value) ? undefined : 'is not an AWS account ID (12 digits)'),
      ),
      region: this.optional(regionVariable(scope), DEFAULT_REGION, checkRegion),
    };
  }

  stateBucket(): string {
    return this.required(
      { name: STATE_BUCKET_VARIABLE, what: 'the S3 bucket for Terraform state, created by the suspense-state stack', placeholder: 'suspense-placeholder-state' },
      (value) => (S3_BUCKET_NAME.test(value) ? undefined : 'is not a valid S3 bucket name'),
    );
  }

  /** Throws one error naming every missing or invalid variable read so far, and where to set them. */
  check(): void {
    if (this.missing.length === 0 && this.problems.length === 0) return;
    const lines = ['cannot synthesize the stacks:'];
    if (this.missing.length > 0) {
      lines.push(`  missing ${this.missing.map((variable) => variable.name).join(', ')}:`);
      for (const variable of this.missing) lines.push(`    ${variable.name}: ${variable.what}`);
    }
    for (const problem of this.problems) lines.push(`  ${problem}`);
    lines.push(
      'Set them in the environment (export them, or in GitHub Actions the repository variables the workflows map',
      'to them; README "Deploying"). Only tools that never plan or deploy (the local sandbox, the benchmark, tests)',
      `may synthesize with placeholders, by setting ${ALLOW_PLACEHOLDERS_VARIABLE} to ${PLACEHOLDER_USES.join(', ')}.`,
    );
    throw new Error(lines.join('\n'));
  }
}

function checkRegion(value: string): string | undefined {
  return isAwsRegion(value) ? undefined : 'is not an AWS region (stacks/aws-regions.ts lists them)';
}
