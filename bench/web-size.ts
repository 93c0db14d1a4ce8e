/**
 * The web app's first load per route (issue 11, item 7): the gzipped JavaScript a browser fetches to
 * show a page opened by its address — the entry chunk and its static imports, plus the lazy chunks
 * the route renders (the sign-in page; or the signed-in shell, the signed-in app's strings and the page) with
 * their static imports, each file counted once. Read from Vite's manifest (dist/web/.vite/manifest.json), so the figure is
 * the build's own; gzip at zlib's default level (what a reverse proxy typically sends).
 *
 *   npx tsx bench/web-size.ts            builds first (npm run build:web), then measures
 *   npx tsx bench/web-size.ts --no-build measures the existing dist/web
 *   npx tsx bench/web-size.ts --dir <d>  measures another build (with a manifest)
 *
 * Prints the named routes with their goals, then every page of the registry (one line per lazy
 * page chunk), then the chunks themselves. Exits 1 when a goal is missed. WEB_SIZE_ROUTE=<route name>
 * (e.g. sign-in) also lists the files that route loads, largest first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

type ManifestChunk = {
  file: string;
  name?: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
};
type Manifest = Record<string, ManifestChunk>;

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const dirArg = args.indexOf('--dir');
const DIR = path.resolve(ROOT, dirArg >= 0 ? args[dirArg + 1] : 'dist/web');

/** The lazy modules (manifest keys, relative to web/) each route renders besides the entry. */
const SHELL = 'app/AppLayout.tsx';
/** The signed-in app's strings in the default language: loaded with the shell (the entry has the sign-in page's). */
const APP_STRINGS = '../virtual:web-messages/app/zh-CN';
const SIGNED_IN = [SHELL, APP_STRINGS];
/** Every page but the start page also loads the other pages' strings (web/app/pages.tsx, pagePart). */
const PAGE = [...SIGNED_IN, '../virtual:web-messages/pages/zh-CN'];
const ROUTES: { name: string; path: string; renders: string[]; goalKb?: number }[] = [
  { name: 'sign-in', path: '/login', renders: ['features/auth/LoginPage.tsx'], goalKb: 250 },
  // The start page: the reader's dashboard with Today inside it (web/app/pages.tsx, StartPage).
  {
    name: 'Today',
    path: '/',
    renders: [...SIGNED_IN, 'features/dashboard/DashboardPage.tsx', 'features/today/TodayPage.tsx'],
    goalKb: 450,
  },
  { name: 'customers list', path: '/customers', renders: [...PAGE, 'features/customers/CustomersPage.tsx'] },
  { name: 'customer page', path: '/customers/:id', renders: [...PAGE, 'features/customers/CustomerPage.tsx'] },
  {
    name: 'opportunity board',
    path: '/opportunities',
    renders: [...PAGE, 'features/opportunities/OpportunitiesPage.tsx'],
  },
  { name: 'calendar', path: '/calendar', renders: [...PAGE, 'features/calendar/CalendarPage.tsx'] },
];

if (!args.includes('--no-build') && dirArg < 0) {
  execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
}
const manifestPath = path.join(DIR, '.vite/manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`${manifestPath} is missing: build with build.manifest (vite.config.ts) first.`);
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;

const sizes = new Map<string, { raw: number; gzip: number }>();
function sizeOf(file: string) {
  let size = sizes.get(file);
  if (!size) {
    const bytes = readFileSync(path.join(DIR, file));
    size = { raw: bytes.length, gzip: gzipSync(bytes).length };
    sizes.set(file, size);
  }
  return size;
}

/** A chunk and everything it imports statically (what the browser must fetch before running it). */
const bundled = new Set<string>();
function closure(key: string, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  // Not a chunk of its own: bundled into the entry (a build before code splitting, measured with --dir).
  if (!chunk) return (bundled.add(key), into);
  if (into.has(key)) return into;
  into.add(key);
  for (const dep of chunk.imports ?? []) closure(dep, into);
  return into;
}

const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
if (!entryKey) throw new Error('no entry in the manifest');

function measure(renders: string[]) {
  const keys = closure(entryKey!);
  for (const key of renders) closure(key, keys);
  const files = [...keys].map((key) => manifest[key].file).filter((file) => file.endsWith('.js'));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const size = sizeOf(file);
    raw += size.raw;
    gzip += size.gzip;
  }
  return { files, raw, gzip };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const pad = (text: string, width: number) => text.padEnd(width);
const num = (text: string, width: number) => text.padStart(width);

console.log(`web app first load, JavaScript per route (${path.relative(ROOT, DIR) || DIR})\n`);
console.log(
  `${pad('route', 20)}${pad('address', 18)}${num('files', 6)}${num('raw KB', 10)}${num('gzip KB', 10)}  goal`,
);
let missed = false;
for (const route of ROUTES) {
  const { files, raw, gzip } = measure(route.renders);
  const goal =
    route.goalKb === undefined ? '' : `< ${route.goalKb} KB ${gzip / 1024 < route.goalKb ? 'met' : 'MISSED'}`;
  if (route.goalKb !== undefined && gzip / 1024 >= route.goalKb) missed = true;
  console.log(
    `${pad(route.name, 20)}${pad(route.path, 18)}${num(String(files.length), 6)}${num(kb(raw), 10)}${num(kb(gzip), 10)}  ${goal}`,
  );
}

if (bundled.size > 0) console.log(`\n(not chunks of their own, in the entry: ${[...bundled].join(', ')})`);

// Every page chunk the shell can load (the registry's lazy pages), with the shell and its strings.
console.log(
  `\nevery page (entry + shell + strings + page; the start page's without the other pages' strings), gzip KB:`,
);
const pages = Object.keys(manifest)
  .filter((key) => manifest[key].isDynamicEntry && /^features\/.*Page\.tsx$/.test(key) && key !== ROUTES[0].renders[0])
  .sort();
const START = new Set([
  'features/dashboard/DashboardPage.tsx',
  'features/today/TodayPage.tsx',
  'features/home/HomePage.tsx',
]);
for (const key of pages)
  console.log(`  ${pad(key, 56)}${num(kb(measure([...(START.has(key) ? SIGNED_IN : PAGE), key]).gzip), 8)}`);

console.log(`\nchunks (gzip KB), the entry's first:`);
const entryFiles = new Set(measure([]).files);
const chunks = [...new Set(Object.values(manifest).map((chunk) => chunk.file))]
  .filter((file) => file.endsWith('.js'))
  .sort((a, b) => Number(entryFiles.has(b)) - Number(entryFiles.has(a)) || sizeOf(b).gzip - sizeOf(a).gzip);
for (const file of chunks)
  console.log(`  ${entryFiles.has(file) ? '*' : ' '} ${pad(file, 56)}${num(kb(sizeOf(file).gzip), 8)}`);
console.log(`  (* = loaded by every route)`);
process.exitCode = missed ? 1 : 0;
const listed = ROUTES.find((route) => route.name === process.env.WEB_SIZE_ROUTE);
if (listed) {
  console.log(`\nfiles of ${listed.name} (gzip KB):`);
  for (const file of measure(listed.renders).files.sort((a, b) => sizeOf(b).gzip - sizeOf(a).gzip))
    console.log(`  ${pad(file.slice(0, 70), 72)}${num(kb(sizeOf(file).gzip), 8)}`);
}
