import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../stacks/project-root';

const WORKFLOWS = path.join(PROJECT_ROOT, '.github', 'workflows');
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
const workflow = (file: string) => parse(read(file));
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
const steps = (file: string, job: string): Step[] => workflow(file).jobs[job].steps;

describe('GitHub workflows', () => {
  it.each(fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml')))('%s is a valid workflow', (file) => {
    const result = validateWorkflow(read(file));
    expect(result.errors).toEqual([]);
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
    const stack = workflow('deploy-stack.yml').jobs.deploy;
    expect(stack.environment).toBe('${{ inputs.environment }}');
    expect(stack.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
    expect(stack.steps.map((s: Step) => s.run ?? '').join('\n')).toContain('npx cdktf deploy "suspense-${{ inputs.environment }}" --auto-approve');
  });
});
