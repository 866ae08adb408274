#!/usr/bin/env node
'use strict';
// Finds a Terraform filesystem mirror holding the AWS provider version the stacks pin, so that
// `terraform init` works offline. Honours, in order: SUSPENSE_TF_PROVIDER_MIRROR, the mirror that
// TF_CLI_CONFIG_FILE already names, Terraform's implied local mirror folders, then a bounded search of the
// usual install roots. Prints the mirror root (the folder holding registry.terraform.io) or exits 1.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PROVIDER = ['registry.terraform.io', 'hashicorp', 'aws'];
const VERSION = require('@cdktf/provider-aws/package.json').cdktf.provider.version;
const PLATFORM = `${process.platform}_${{ x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch}`;

function holdsProvider(root) {
  const dir = path.join(root, ...PROVIDER, VERSION, PLATFORM);
  try {
    return fs.readdirSync(dir).some((name) => name.startsWith('terraform-provider-aws'));
  } catch {
    return false;
  }
}

function mirrorsInCliConfig(file) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return [...text.matchAll(/filesystem_mirror\s*\{[^}]*path\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
  } catch {
    return [];
  }
}

function search(root, depth) {
  if (depth < 0) return undefined;
  let children;
  try {
    children = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return undefined;
  }
  if (children.some((c) => c.name === PROVIDER[0]) && holdsProvider(root)) return root;
  for (const child of children) {
    if (!child.isDirectory() || child.name === 'node_modules' || child.name.startsWith('.')) continue;
    const found = search(path.join(root, child.name), depth - 1);
    if (found) return found;
  }
  return undefined;
}

function findMirror(env = process.env) {
  const home = os.homedir();
  const candidates = [
    env.SUSPENSE_TF_PROVIDER_MIRROR,
    ...(env.TF_CLI_CONFIG_FILE ? mirrorsInCliConfig(env.TF_CLI_CONFIG_FILE) : []),
    path.join(home, '.terraform.d', 'plugins'),
    path.join(home, '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter(Boolean);
  for (const candidate of candidates) if (holdsProvider(candidate)) return candidate;
  for (const root of ['/opt', '/usr/local', '/usr/share', home, '/srv']) {
    const found = search(root, 4);
    if (found) return found;
  }
  return undefined;
}

module.exports = { findMirror, PROVIDER_VERSION: VERSION };

if (require.main === module) {
  const mirror = findMirror();
  if (!mirror) {
    console.error(`no Terraform filesystem mirror with hashicorp/aws ${VERSION} (${PLATFORM}) found; set SUSPENSE_TF_PROVIDER_MIRROR`);
    process.exit(1);
  }
  console.log(mirror);
}
