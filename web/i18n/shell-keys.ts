import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The UI strings the signed-in shell and the start page use, found in their source (run by the build, vite.config.ts,
 * and by the tests — never by the browser): the modules reachable from the shell (AppLayout), the dashboard, Today and
 * the profile overview by static imports and by the relative `import()`s of what they open (dialogs), but not the route
 * registry's pages (web/app/*: the other pages are what the `pages` part serves); in them, every string literal that is
 * a key, and every key a template literal's fixed start (`crossSell.status.${status}`) begins. What a module names in a
 * way this does not see (a key put together from pieces) is still shown: a missing string loads the other pages' part
 * (web/i18n/index.tsx), after a moment without it — so keep keys whole or as a literal prefix.
 */
export const START_MODULES = [
  'app/AppLayout.tsx',
  'features/dashboard/DashboardPage.tsx',
  'features/today/TodayPage.tsx',
  'features/home/HomePage.tsx',
];

/**
 * The web app's source files reachable from `entries` (relative to `web`, the web app's folder) by static imports (not
 * `import type`), and by relative `import()`s in the files `lazyFrom` accepts. The dictionaries (web/i18n, messages.ts)
 * are left out: they name every key.
 */
export function reachableModules(web: string, entries: string[], lazyFrom: (file: string) => boolean): string[] {
  const root = path.resolve(web);
  const found = new Set<string>();
  const resolve = (from: string, specifier: string) => {
    const base = path.resolve(path.dirname(from), specifier);
    return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`, base].find(
      (candidate) => /\.tsx?$/.test(candidate) && existsSync(candidate),
    );
  };
  const visit = (file: string) => {
    if (found.has(file) || file.startsWith(path.join(root, 'i18n/')) || file.endsWith('messages.ts')) return;
    found.add(file);
    const source = readFileSync(file, 'utf8');
    const imported = [...source.matchAll(/^(?:import|export) (?!type )[^;]*?from '(\.[^']+)';/gms)].map((m) => m[1]);
    if (lazyFrom(file)) imported.push(...[...source.matchAll(/import\('(\.[^']+)'\)/g)].map((m) => m[1]));
    for (const specifier of imported) {
      const resolved = resolve(file, specifier);
      if (resolved) visit(resolved);
    }
  };
  for (const entry of entries) visit(path.join(root, entry));
  return [...found];
}

/** The source files the shell and the start page are made of (see above); `web` is the web app's folder. */
export function startModules(web: string): string[] {
  const registry = path.join(path.resolve(web), 'app/');
  return reachableModules(web, START_MODULES, (file) => !file.startsWith(registry));
}

/** The keys of `keys` named in `files` (see above: literals, and the keys a template literal's fixed start begins). */
export function keysNamedIn(files: string[], keys: Iterable<string>): Set<string> {
  const all = [...keys];
  const known = new Set(all);
  const used = new Set<string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const [, literal] of source.matchAll(/['`]([a-z][\w-]*\.[\w.-]+)['`]/g))
      if (known.has(literal)) used.add(literal);
    for (const [, start] of source.matchAll(/`([a-z][\w-]*\.[\w.-]*)\$\{/g))
      for (const key of all) if (key.startsWith(start)) used.add(key);
  }
  return used;
}
