import react from '@vitejs/plugin-react';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { keysNamedIn, startModules } from './web/i18n/shell-keys';
import { defineConfig, runnerImport, type Plugin } from 'vite';

/**
 * `virtual:web-messages/<part>/<locale>`: one language's UI strings, in three parts — `first-load` (the sign-in page,
 * the loading and error screens: messages.ts's FIRST_LOAD_PARTS), `app` (the keys the signed-in shell and the start
 * page name, the menu's labels among them: web/i18n/shell-keys.ts) and `pages` (every other string, with the first
 * other page). web/i18n/messages.ts keeps both languages of every feature (typed, tested); the app loads only the
 * language it shows. In the dev server every part re-exports all of messages.ts (edits apply); a build writes the
 * strings of that language and part alone.
 */
function webMessages(): Plugin {
  const PATTERN = /^virtual:web-messages\/(first-load|app|pages)\/(zh-CN|en-US)$/;
  const web = path.resolve(import.meta.dirname, 'web');
  const source = path.join(web, 'i18n/messages.ts');
  const names = { 'zh-CN': 'zhCN', 'en-US': 'enUS' } as const;
  type Messages = typeof import('./web/i18n/messages');
  let dev = false;
  return {
    name: 'gongdan-web-messages',
    configResolved(config) {
      dev = config.command === 'serve';
    },
    resolveId(id) {
      if (PATTERN.test(id)) return `\0${id}`;
    },
    async load(id) {
      const match = id.startsWith('\0') && PATTERN.exec(id.slice(1));
      if (!match) return;
      const [, part, locale] = match;
      const name = names[locale as keyof typeof names];
      if (dev) return `export { ${name} as default } from '/i18n/messages.ts';`;
      this.addWatchFile(source);
      const { module } = await runnerImport<Messages>(source, { configFile: false, logLevel: 'error' });
      const first = new Set<string>(module.FIRST_LOAD_PARTS);
      const modules = startModules(web);
      for (const file of modules) this.addWatchFile(file);
      const shell = keysNamedIn(modules, Object.keys(module.zhCN));
      const strings: Record<string, string> = {};
      for (const [feature, messages] of Object.entries(module.messageParts))
        for (const [key, text] of Object.entries(messages[name] as Record<string, string>)) {
          const keyPart = first.has(feature) ? 'first-load' : shell.has(key) ? 'app' : 'pages';
          if (keyPart === part) strings[key] = text;
        }
      return `export default ${JSON.stringify(strings)};`;
    },
  };
}

/**
 * A .br and a .gz copy beside every script, style sheet and SVG of the build, compressed once at their best
 * levels: the server sends them to browsers that accept them (server/app.ts, preCompressed), without a
 * reverse proxy and without compressing on every request.
 */
function precompress(): Plugin {
  return {
    name: 'gongdan-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const outDir = options.dir!;
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|svg|html)$/.test(fileName)) continue;
        const file = path.resolve(outDir, fileName);
        const content = readFileSync(file);
        if (content.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

/**
 * Vendor chunks by library, named after it, so that a release that changes only the app's code leaves
 * them cached (the file name is the library group and a hash of the content). Each page's chunk
 * (web/app/pages.tsx) loads only the groups it uses: FullCalendar, zod and dayjs are chunks of their own,
 * and antd and the icons are split by the set of pages that use each part ("entries aware"), so the
 * sign-in page does not load the tables, trees and date pickers of the lists. What the entry itself uses
 * of antd and of the icons (every route loads it) is one chunk of each, apart from the pages' parts.
 */
const ANTD =
  /node_modules[\\/](antd|@rc-component|rc-[\w-]+|@ant-design[\\/](cssinjs|cssinjs-utils|colors|fast-color|react-slick)|@babel[\\/]runtime|classnames|clsx|dayjs|stylis|@emotion|compute-scroll-into-view|scroll-into-view-if-needed|throttle-debounce|json2mq|string-convert|toggle-selection|copy-to-clipboard|resize-observer-polyfill)[\\/]/;
const ICONS = /node_modules[\\/]@ant-design[\\/](icons|icons-svg)[\\/]/;
/**
 * Parts of a split group smaller than this (bytes before minifying) join their closest neighbour: fewer files.
 * Kept small: whatever needs the small part loads the neighbour too (at 10,000 the sign-in page loaded the
 * header's menus for one of antd's hooks).
 */
const MERGE_BELOW = 5_000;
const byPages = { entriesAware: true, entriesAwareMergeThreshold: MERGE_BELOW };
const VENDOR_GROUPS = [
  { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack)[\\/]/, priority: 40 },
  { name: 'fullcalendar', test: /node_modules[\\/](@fullcalendar|preact)[\\/]/, priority: 30 },
  { name: 'zod', test: /node_modules[\\/]zod[\\/]/, priority: 30 },
  // dayjs and its languages, with the signed-in shell (web/i18n/dayjs.ts); its plugins stay with antd's date pickers.
  { name: 'dayjs', test: /node_modules[\\/]dayjs[\\/](dayjs\.min\.js|locale[\\/])/, priority: 30 },
  { name: 'icons', test: ICONS, tags: ['$initial' as const], priority: 26 },
  { name: 'icons', test: ICONS, priority: 25, ...byPages },
  { name: 'antd', test: ANTD, tags: ['$initial' as const], priority: 21 },
  { name: 'antd', test: ANTD, priority: 20, ...byPages },
  { name: 'vendor', test: /node_modules[\\/]/, priority: 0 },
];

/** A split group's parts are named by the pages that share them (antd~LoginPage~AppLayout~…); the file keeps the group's name. */
function chunkFileName({ name }: { name: string }) {
  const group = name.split('~')[0];
  return `assets/${name.includes('~') ? group : '[name]'}-[hash].js`;
}

export default defineConfig({
  root: 'web',
  plugins: [react(), webMessages(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    // dist/web/.vite/manifest.json: which chunks each page loads (bench/web-size.ts reads it).
    manifest: true,
    rolldownOptions: {
      // antd's Input reads the Form's context from @rc-component/form, whose package does not say that it is free
      // of side effects: without this, every page with an input (the sign-in page too) loads the whole Form
      // and its validator, used or not.
      treeshake: { moduleSideEffects: [{ test: /node_modules[\\/]@rc-component[\\/]form[\\/]/, sideEffects: false }] },
      output: {
        codeSplitting: { groups: VENDOR_GROUPS },
        chunkFileNames: chunkFileName,
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.GONGDAN_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
});
