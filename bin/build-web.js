#!/usr/bin/env node
// Builds the web app into dist/web unless the build there is newer than every input (web/, common/, the
// Vite config and the lockfile): `npm start` then starts in seconds the second time. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist/web/index.html');

function newest(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry.endsWith('.test.ts')) continue;
    latest = Math.max(latest, newest(path.join(target, entry)));
  }
  return latest;
}

const inputs = ['web', 'common', 'vite.config.ts', 'package-lock.json'].map((p) => path.join(root, p));
const force = process.argv.includes('--force');
if (!force && existsSync(stamp) && statSync(stamp).mtimeMs > Math.max(...inputs.filter(existsSync).map(newest))) {
  console.log('web app: dist/web is current, not rebuilt (npm run build:web rebuilds it)');
  process.exit(0);
}
console.log('web app: building dist/web …');
const vite = path.join(root, 'node_modules/vite/bin/vite.js');
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
