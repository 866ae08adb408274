import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import * as os from 'node:os';
import { App } from 'cdktf';
import { addStacks } from '../../stacks/app';
import { ALLOW_PLACEHOLDERS_VARIABLE } from '../../stacks/deployment-variables';
import { PROJECT_ROOT } from '../../stacks/project-root';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const planComment = require('../../.github/scripts/plan-comment.js') as {
  maskEnvironmentValues(plan: string): string;
  planSection(environment: string, plan: string | undefined): string;
  MASK: string;
};

const WORKFLOWS = path.join(PROJECT_ROOT, '.github', 'workflows');
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
const workflow = (file: string) => parse(read(file));
type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
const steps = (file: string, job: string): Step[] => workflow(file).jobs[job].steps;

describe('GitHub workflows', () => {
  it.each(fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml')))('%s is a valid workflow', (file) => {
    const result = validateWorkflow(read(file));
    expect(result.errors).toEqual([]);
  });

  it.each(fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml')))('%s pins every action to a full commit SHA, its tag in a comment', (file) => {
    const uses = read(file)
      .split('\n')
      .filter((line) => /^\s*(-\s+)?uses:/.test(line))
      .map((line) => line.replace(/^\s*(-\s+)?uses:\s*/, ''));
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses.filter((u) => !u.startsWith('./'))) {
      expect(use).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.\/-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    }
  });

  it.each(fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml')))('%s turns off the Terraform and cdktf version checkpoint', (file) => {
    expect(workflow(file).env).toMatchObject({ CHECKPOINT_DISABLE: '1' });
  });

  it('uses a validator that rejects a malformed workflow', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n';
    expect(validateWorkflow(broken).errors).not.toEqual([]);
  });

  it.each([
    ['test.yml', 'test'],
    ['pull-request.yml', 'plan'],
    ['deploy-stack.yml', 'deploy'],
  ])('%s job %s installs the Terraform version pinned in .terraform-version', (file, job) => {
    const jobSteps = steps(file, job);
    const versionStep = jobSteps.findIndex((s) => s.run?.includes('< .terraform-version'));
    const setup = jobSteps.findIndex((s) => s.uses?.startsWith('hashicorp/setup-terraform@'));
    expect(versionStep).toBeGreaterThanOrEqual(0);
    expect(setup).toBeGreaterThan(versionStep);
    expect(jobSteps[setup].with).toEqual({
      terraform_version: '${{ steps.terraform-version.outputs.version }}',
      terraform_wrapper: false,
    });
    expect(fs.readFileSync(path.join(PROJECT_ROOT, '.terraform-version'), 'utf8').trim()).toBe('1.11.4');
  });

  it('plans every environment stack without taking the state lock, with an OIDC role from repository variables', () => {
    const plan = workflow('pull-request.yml').jobs.plan;
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(plan.strategy.matrix.include.map((m: { environment: string }) => m.environment)).toEqual(['dev', 'prod']);
    const credentials = plan.steps.find((s: Step) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials.with['role-to-assume']).toBe('${{ vars[matrix.role] }}');
    const planRun = plan.steps.map((s: Step) => s.run ?? '').find((run: string) => /terraform .*plan/.test(run));
    expect(planRun).toContain('-lock=false');
    expect(plan.steps.some((s: Step) => /\bapply\b|cdktf deploy/.test(s.run ?? ''))).toBe(false);
  });

  it('keeps one plan comment per pull request, updated in place, also when a plan failed', () => {
    const comment = workflow('pull-request.yml').jobs.comment;
    expect(comment.permissions).toEqual({ 'pull-requests': 'write' });
    expect(comment.if).toBe('${{ !cancelled() }}');
    const script = comment.steps.find((s: Step) => s.uses?.startsWith('actions/github-script@')).with.script as string;
    expect(script).toContain('updateComment');
    expect(script).toContain('<!-- suspense-plan -->');
  });

  it('runs the tests with CI=true so the offline plan is required, before any plan or deploy', () => {
    const test = steps('test.yml', 'test').find((s) => s.run === 'npm test');
    expect(test?.env).toEqual({ CI: 'true' });
    expect(workflow('pull-request.yml').jobs.test.uses).toBe('./.github/workflows/test.yml');
    expect(workflow('pull-request.yml').jobs.plan.needs).toBe('test');
    expect(workflow('deploy.yml').jobs.test.uses).toBe('./.github/workflows/test.yml');
    expect(workflow('deploy.yml').jobs.dev.needs).toBe('test');
    expect(workflow('deploy.yml').jobs.prod.needs).toEqual(['test', 'dev']);
  });

  it('deploys dev from main, and prod only through its approval-gated environment', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on.push.branches).toEqual(['main']);
    expect(deploy.on.workflow_dispatch.inputs.environment.options).toEqual(['dev', 'prod']);
    expect(deploy.jobs.prod.if).toContain("needs.test.result == 'success'");
    expect(deploy.jobs.prod.if).toContain("github.ref == 'refs/heads/main'");
    const stack = workflow('deploy-stack.yml').jobs.deploy;
    expect(stack.environment).toBe('${{ inputs.environment }}');
    expect(stack.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
    expect(stack.steps.map((s: Step) => s.run ?? '').join('\n')).toContain('npx cdktf deploy "suspense-${{ inputs.environment }}" --auto-approve');
  });

  it.each([
    ['prod', 'refs/heads/main', 0],
    ['prod', 'refs/heads/feature', 1],
    ['prod', 'refs/tags/v1', 1],
    ['dev', 'refs/heads/feature', 0],
  ])('deploy-stack refuses %s from %s before any credentials exist (exit %d)', (environment, ref, expected) => {
    const jobSteps = steps('deploy-stack.yml', 'deploy');
    const guard = jobSteps[0]!;
    expect(guard.env).toEqual({ ENVIRONMENT: '${{ inputs.environment }}', REF: '${{ github.ref }}' });
    const run = spawnSync('bash', ['-e', '-c', guard.run!], { env: { PATH: process.env.PATH, ENVIRONMENT: environment, REF: ref }, encoding: 'utf8' });
    expect(run.status).toBe(expected);
    if (expected) expect(run.stdout).toBe(`::error::prod is deployed from main only, not from ${ref}\n`);
  });

  it('maps every deployment variable the synth reads from a repository variable, in every job that synthesizes', () => {
    // Which variables the synth reads is observed, not listed: addStacks gets an environment that records each read.
    const read = new Set<string>();
    const env = new Proxy<NodeJS.ProcessEnv>({ [ALLOW_PLACEHOLDERS_VARIABLE]: 'test' }, {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-variables-'));
    try {
      addStacks(new App({ outdir }), env);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    read.delete(ALLOW_PLACEHOLDERS_VARIABLE);
    expect([...read].sort()).toEqual(expect.arrayContaining(['SUSPENSE_DEV_REGION', 'SUSPENSE_PROD_REGION', 'SUSPENSE_STATE_BUCKET', 'SUSPENSE_STATE_KEY_PREFIX']));

    for (const [file, job] of [['pull-request.yml', 'plan'], ['deploy-stack.yml', 'deploy']] as const) {
      const jobEnv = workflow(file).jobs[job].env as Record<string, string>;
      for (const name of read) expect([name, jobEnv[name]]).toEqual([name, expect.stringMatching(/^\$\{\{ vars\.[A-Z0-9_]+ \}\}$/)]);
    }
  });

  it('gives every job that synthesizes the accounts and bucket, and never asks for placeholders there', () => {
    for (const [file, job] of [['pull-request.yml', 'plan'], ['deploy-stack.yml', 'deploy']] as const) {
      expect(workflow(file).jobs[job].env).toMatchObject({
        SUSPENSE_DEV_ACCOUNT_ID: '${{ vars.AWS_ACCOUNT_ID_DEV }}',
        SUSPENSE_PROD_ACCOUNT_ID: '${{ vars.AWS_ACCOUNT_ID_PROD }}',
        SUSPENSE_STATE_ACCOUNT_ID: '${{ vars.AWS_ACCOUNT_ID_STATE }}',
        SUSPENSE_STATE_BUCKET: '${{ vars.SUSPENSE_STATE_BUCKET }}',
      });
      expect(read(file)).not.toContain('SUSPENSE_ALLOW_PLACEHOLDERS');
    }
    const mirror = steps('test.yml', 'test').find((s) => s.run?.includes('providers mirror'));
    expect(mirror?.env).toEqual({ SUSPENSE_ALLOW_PLACEHOLDERS: 'test' });
    expect(steps('test.yml', 'test').some((s) => s.run === 'pipx install "moto[server]==5.2.1"')).toBe(true);
  });

  it('masks the function\'s environment values in the plan before the log, the artifact and the comment', () => {
    const planStep = steps('pull-request.yml', 'plan').find((s) => s.name?.startsWith('Plan '));
    expect(planStep?.run).toMatch(/terraform .* plan .*\n?.*\| node \.github\/scripts\/plan-comment\.js mask \| tee/);
    const plan = [
      '  # aws_lambda_function.check will be updated in-place',
      '  ~ resource "aws_lambda_function" "check" {',
      '      ~ environment {',
      '          ~ variables = {',
      '              ~ "SUSPENSE_FAIL_MODE" = "open" -> "closed"',
      '              + "API_TOKEN"          = "not-for-comments"',
      '                # (5 unchanged elements hidden)',
      '            }',
      '        }',
      '      ~ memory_size = 640 -> 1024',
      '    }',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ].join('\n');
    const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, '.github', 'scripts', 'plan-comment.js'), 'mask'], { input: plan, encoding: 'utf8' });

    expect(run.stdout.split('\n')).toEqual([
      '  # aws_lambda_function.check will be updated in-place',
      '  ~ resource "aws_lambda_function" "check" {',
      '      ~ environment {',
      '          ~ variables = {',
      `              ~ "SUSPENSE_FAIL_MODE" = ${planComment.MASK}`,
      `              + "API_TOKEN"          = ${planComment.MASK}`,
      '                # (5 unchanged elements hidden)',
      '            }',
      '        }',
      '      ~ memory_size = 640 -> 1024',
      '    }',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ]);
  });

  it('masks values holding a closing brace, heredoc lines and jsonencode blocks, up to the map\'s own closing brace', () => {
    // Terraform 1.11's renderings of a map(string): a value with `}`, a multi-line value (heredoc), a JSON value
    // (jsonencode block), a changed value, and the map's removal.
    const plan = [
      '  + resource "aws_lambda_function" "check" {',
      '      + environment {',
      '          + variables = {',
      '              + "BRACE"          = "ab}cd"',
      '              + "DOC"            = jsonencode(',
      '                    {',
      '                      + nested = {',
      '                          + k = "v"',
      '                        }',
      '                      + token  = "s3cr3t"',
      '                    }',
      '                )',
      '              + "MULTI"          = <<-EOT',
      '                    first line',
      '                    }',
      '                    secret-two = x',
      '                EOT',
      '              + "SUSPENSE_TABLE" = "switches"',
      '            }',
      '        }',
      '      + memory_size = 640',
      '    }',
      '  ~ resource "aws_lambda_function" "trip" {',
      '      - environment {',
      '          - variables = {',
      '              - "A" = "x}" -> null',
      '            } -> null',
      '        }',
      '      ~ timeout = 5 -> 10',
      '    }',
    ];
    const masked = planComment.maskEnvironmentValues(plan.join('\n')).split('\n');

    expect(masked).toEqual([
      '  + resource "aws_lambda_function" "check" {',
      '      + environment {',
      '          + variables = {',
      `              + "BRACE"          = ${planComment.MASK}`,
      `              + "DOC"            = ${planComment.MASK}`,
      `                    ${planComment.MASK}`,
      `                      ${planComment.MASK}`,
      `                          ${planComment.MASK}`,
      `                        ${planComment.MASK}`,
      `                      ${planComment.MASK}`,
      `                    ${planComment.MASK}`,
      `                ${planComment.MASK}`,
      `              + "MULTI"          = ${planComment.MASK}`,
      `                    ${planComment.MASK}`,
      `                    ${planComment.MASK}`,
      `                    ${planComment.MASK}`,
      `                ${planComment.MASK}`,
      `              + "SUSPENSE_TABLE" = ${planComment.MASK}`,
      '            }',
      '        }',
      '      + memory_size = 640',
      '    }',
      '  ~ resource "aws_lambda_function" "trip" {',
      '      - environment {',
      '          - variables = {',
      `              - "A" = ${planComment.MASK}`,
      '            } -> null',
      '        }',
      '      ~ timeout = 5 -> 10',
      '    }',
    ]);
    for (const secret of ['cd', 's3cr3t', 'secret-two', 'first line', 'nested', 'switches']) {
      expect(masked.join('\n')).not.toContain(secret);
    }
  });

  it('fences each plan in the comment with more backticks than any run in the plan, so no plan text can close it', () => {
    const hostile = 'No changes.\n```\n</details><img src=x>\n`````` end';
    const section = planComment.planSection('dev', hostile);
    expect(section).toBe(`<details><summary><b>suspense-dev</b>: No changes.</summary>\n\n\`\`\`\`\`\`\`\n${hostile}\n\`\`\`\`\`\`\`\n</details>`);
    expect(planComment.planSection('prod', 'Plan: 1 to add.')).toContain('\n```\nPlan: 1 to add.\n```\n');
    expect(planComment.planSection('prod', undefined)).toBe('<b>suspense-prod</b>: no plan (the plan job failed; see its log)');
    const script = workflow('pull-request.yml').jobs.comment.steps.find((s: Step) => s.uses?.startsWith('actions/github-script@')).with.script as string;
    expect(script).toContain("require('./.github/scripts/plan-comment.js')");
  });
});
