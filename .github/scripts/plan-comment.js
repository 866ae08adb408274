'use strict';
// Turns `terraform plan` output into the pull request's plan comment, safely:
// - the values of the function's environment variables are masked: a plan shows them in clear unless marked
//   sensitive, and a comment is readable by everyone who can read the pull request;
// - the code fence is longer than any run of backticks in the plan, so no plan text can close it and inject markup.
// Used by .github/workflows/pull-request.yml (`node .github/scripts/plan-comment.js mask < plan > masked`, and
// require() from actions/github-script), tested by tests/infra/workflows.test.ts.

const MASK = '(masked in this comment)';

/**
 * Replaces every value inside the `variables = { ... }` map of an `environment` block of a planned
 * aws_lambda_function, in all of Terraform's renderings (`"A" = "x"`, `+ "A" = "x"`, `~ "A" = "x" -> "y"`,
 * `<<-EOT` heredocs, `jsonencode(` blocks). The map ends at the line that is only `}` (or `} -> null`) at the
 * column of the word `variables`; braces inside values are never counted, since a value may hold any text.
 * Until then every line is replaced: an entry's line (its key at the entries' column) keeps its `KEY =` prefix,
 * Terraform's `# (N unchanged elements hidden)` stays, and any other line (inside a heredoc or a jsonencode) becomes
 * the bare mask.
 */
function maskEnvironmentValues(plan) {
  let closing; // while inside a variables map: the pattern of its closing line
  let entry; // ... and of an entry's `KEY =` prefix
  return plan
    .split('\n')
    .map((line) => {
      if (closing === undefined) {
        const open = /^(\s*(?:[-+~]\s+)?)variables\s*=\s*\{\s*$/.exec(line);
        if (open) {
          const column = open[1].length;
          closing = new RegExp(`^ {${column}}\\}( -> null)?\\s*$`);
          entry = new RegExp(`^( {${Math.max(0, column + 2)}}[-+~ ] (?:"[^"]*"|[A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*)`);
        }
        return line;
      }
      if (closing.test(line)) {
        closing = undefined;
        return line;
      }
      if (/^\s*# \(\d+ unchanged (elements|attributes) hidden\)\s*$/.test(line)) return line;
      const key = entry.exec(line);
      if (key) return `${key[1]}${MASK}`;
      return `${/^\s*/.exec(line)[0]}${MASK}`;
    })
    .join('\n');
}

/** A Markdown code fence that `text` cannot close: one backtick longer than its longest run, at least three. */
function fenceFor(text) {
  const longest = Math.max(0, ...(text.match(/`+/g) || []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

const MAX_PLAN_CHARS = 30000;

/** One environment's section of the comment: a collapsed summary with the plan fenced inside. */
function planSection(environment, plan) {
  if (plan === undefined) return `<b>suspense-${environment}</b>: no plan (the plan job failed; see its log)`;
  const summary = (plan.match(/^(Plan:.*|No changes\..*)$/m) || ['(no summary)'])[0];
  const text = plan.length > MAX_PLAN_CHARS ? `${plan.slice(0, MAX_PLAN_CHARS)}\n... (truncated; see the job log)` : plan;
  const fence = fenceFor(text);
  return `<details><summary><b>suspense-${environment}</b>: ${escapeHtml(summary)}</summary>\n\n${fence}\n${text}\n${fence}\n</details>`;
}

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

module.exports = { maskEnvironmentValues, fenceFor, planSection, MASK };

if (require.main === module && process.argv[2] === 'mask') {
  const input = require('node:fs').readFileSync(0, 'utf8');
  process.stdout.write(maskEnvironmentValues(input));
}
