/**
 * Prints each entrypoint's output size (its own files plus every chunk and stylesheet it
 * loads) for a built extension beside its budget, and fails (so `npm run build` fails) when
 * - an entry is over its gzip budget (BUDGETS_KB_GZIP);
 * - a bundle that must stay small contains InboxSDK: only the Gmail content script (and the
 *   background's tiny injector) may;
 * - a content script or an extension page carries background-only code: Dexie, oauth4webapi, a CRM connector, or
 *   the background's own folders (BACKGROUND_ONLY_MODULES), read from the build's module
 *   record (scripts/bundleModules.ts).
 * The Gmail script's size is printed with InboxSDK's own share of it.
 *
 *   tsx scripts/print-bundle-sizes.ts [.output/chrome-mv3]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BundleModules, bundleModulesPath } from './bundleModules';

/** Strings only InboxSDK's own code carries (class-name and attribute prefixes of its DOM work). */
export const INBOXSDK_MARKERS = ['inboxsdk__', 'data-inboxsdk-'] as const;

/** Entry points that must never pull InboxSDK in, matched on the entry name. */
const MUST_NOT_CONTAIN_INBOXSDK = [/^content-script:outlook/, /^options$/, /^popup$/, /^page:/];

/**
 * Budgets in kB of gzip, one line per entry (name as printed). Set from the sizes measured
 * when they were introduced, with headroom for normal growth; an entry without a line is
 * printed without a budget. A new extension page (`page:<name>`) adds its line here.
 */
export const BUDGETS_KB_GZIP: Record<string, number> = {
  // Measured 92.9 kB when set (it was 211.7 kB while it carried Dexie and OAuth code).
  'content-script:outlook': 150,
  // Measured 387.9 kB, about 309 kB of it InboxSDK.
  'content-script:gmail': 450,
  // Measured 246.4 kB (Dexie, oauth4webapi, the connectors, InboxSDK's injector).
  background: 280,
  // Measured 173.9 kB (React, zod, tldts' public suffix list).
  popup: 200,
  // Measured 191.3 kB.
  options: 220,
  // The panel page shown in the webmail's frame; measured 182.1 kB.
  'page:panel': 210,
  // InboxSDK's own page-world script, copied as shipped; measured 127.6 kB.
  'page-world:pageWorld': 140,
};

/** Source modules a content script must never carry (project paths from the module record). */
export const BACKGROUND_ONLY_MODULES: { what: string; pattern: RegExp }[] = [
  { what: 'Dexie', pattern: /^node_modules\/dexie\// },
  { what: 'oauth4webapi', pattern: /^node_modules\/oauth4webapi\// },
  {
    what: 'a CRM connector',
    pattern: /^lib\/crm\/(.+\/)?[A-Za-z]*CrmConnector\.ts$|^lib\/crm\/crmJsonRequest\.ts$/,
  },
  { what: 'background code', pattern: /^lib\/(background|store|auth)\/|^lib\/errors\/toErrorInfo\.ts$/ },
];

/** Content scripts and extension pages (React views): never background-only code. */
const CONTENT_OR_VIEW = /^(content-script:|page:)|^(popup|options)$/;

const INBOXSDK_MODULE = /^node_modules\/@inboxsdk\//;

interface Entry {
  name: string;
  roots: string[];
}

interface Manifest {
  background?: { service_worker?: string; scripts?: string[]; page?: string };
  content_scripts?: { js?: string[]; css?: string[] }[];
  action?: { default_popup?: string };
  browser_action?: { default_popup?: string };
  options_ui?: { page?: string };
  options_page?: string;
  web_accessible_resources?: ({ resources?: string[] } | string)[];
}

function entriesOf(manifest: Manifest): Entry[] {
  const entries: Entry[] = [];
  const bg = manifest.background;
  const bgRoots = [bg?.service_worker, bg?.page, ...(bg?.scripts ?? [])].filter((f): f is string => !!f);
  if (bgRoots.length > 0) entries.push({ name: 'background', roots: bgRoots });
  for (const script of manifest.content_scripts ?? []) {
    const files = [...(script.js ?? []), ...(script.css ?? [])];
    const main = files[0]?.replace(/^.*\//, '').replace(/\.(js|css)$/, '') ?? 'unknown';
    entries.push({ name: `content-script:${main}`, roots: files });
  }
  const popup = manifest.action?.default_popup ?? manifest.browser_action?.default_popup;
  if (popup) entries.push({ name: 'popup', roots: [popup] });
  const options = manifest.options_ui?.page ?? manifest.options_page;
  if (options) entries.push({ name: 'options', roots: [options] });
  for (const group of manifest.web_accessible_resources ?? []) {
    const resources = typeof group === 'string' ? [group] : (group.resources ?? []);
    for (const resource of resources.filter((r) => !r.includes('*'))) {
      // Injected into pages (InboxSDK's pageWorld.js), so its size counts as much as a bundle's.
      if (resource.endsWith('.js'))
        entries.push({ name: `page-world:${resource.replace(/\.js$/, '')}`, roots: [resource] });
      // An extension page shown inside the webmail (in a frame): `page:<name>`.
      else if (resource.endsWith('.html'))
        entries.push({
          name: `page:${resource.replace(/^.*\//, '').replace(/\.html$/, '')}`,
          roots: [resource],
        });
    }
  }
  return entries;
}

const HTML_REFS = /<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']/gi;
const JS_REFS = /(?:\bimport\s*\(\s*|\bfrom\s*|\bimport\s*)["'`]([^"'`]+\.(?:js|mjs|css))["'`]/g;

/** Every output file an entry loads, following script/link tags and static/dynamic imports. */
function closure(outDir: string, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = roots.map((r) => normalize(join(outDir, r.replace(/^\//, ''))));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const pattern = file.endsWith('.html') ? HTML_REFS : file.endsWith('.js') ? JS_REFS : null;
    if (!pattern) continue;
    for (const match of text.matchAll(pattern)) {
      const ref = match[1]!;
      if (/^[a-z]+:/i.test(ref)) continue;
      queue.push(ref.startsWith('/') ? join(outDir, ref.slice(1)) : resolve(dirname(file), ref));
    }
  }
  return [...seen].sort();
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} kB`;
}

function readBundleModules(outDir: string): BundleModules | null {
  const path = bundleModulesPath(outDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as BundleModules) : null;
}

export interface BundleReport {
  name: string;
  raw: number;
  gzip: number;
  files: number;
  budgetKb: number | null;
  /** InboxSDK's share of the entry's gzip size, by its share of the rendered code. */
  inboxSdkGzip: number | null;
}

export function checkBundles(outDir: string): {
  lines: string[];
  failures: string[];
  reports: BundleReport[];
} {
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
  const record = readBundleModules(outDir);
  const lines: string[] = [];
  const failures: string[] = [];
  const reports: BundleReport[] = [];
  if (!record)
    failures.push(
      `no module record at ${bundleModulesPath(outDir)}: build with \`wxt build\` (wxt.config.ts writes it)`,
    );
  for (const entry of entriesOf(manifest)) {
    const files = closure(outDir, entry.roots);
    let raw = 0;
    let gzip = 0;
    const withSdk: string[] = [];
    const modules = new Map<string, number>();
    for (const file of files) {
      const bytes = readFileSync(file);
      raw += statSync(file).size;
      gzip += gzipSync(bytes).length;
      const text = bytes.toString('utf8');
      if (INBOXSDK_MARKERS.some((m) => text.includes(m))) withSdk.push(relative(outDir, file));
      for (const [id, length] of Object.entries(record?.[relative(outDir, file).replaceAll('\\', '/')] ?? {}))
        modules.set(id, (modules.get(id) ?? 0) + length);
    }
    const rendered = [...modules.values()].reduce((a, b) => a + b, 0);
    const sdkRendered = [...modules]
      .filter(([id]) => INBOXSDK_MODULE.test(id))
      .reduce((a, [, n]) => a + n, 0);
    const inboxSdkGzip = sdkRendered > 0 && rendered > 0 ? Math.round((gzip * sdkRendered) / rendered) : null;
    const budgetKb = BUDGETS_KB_GZIP[entry.name] ?? null;
    reports.push({ name: entry.name, raw, gzip, files: files.length, budgetKb, inboxSdkGzip });
    const over = budgetKb !== null && gzip > budgetKb * 1024;
    lines.push(
      `${entry.name.padEnd(28)} ${formatBytes(raw).padStart(10)} ${`(${formatBytes(gzip)} gzip)`.padStart(17)}` +
        `${(budgetKb === null ? '' : `  budget ${budgetKb} kB gzip${over ? ' EXCEEDED' : ''}`).padEnd(32)}` +
        `  ${files.length} file(s)${withSdk.length ? '  [InboxSDK]' : ''}` +
        (entry.name === 'content-script:gmail' && inboxSdkGzip !== null
          ? `  (InboxSDK ≈ ${formatBytes(inboxSdkGzip)} gzip of it, ${Math.round((100 * sdkRendered) / rendered)}% of its code)`
          : ''),
    );
    if (over) failures.push(`${entry.name} is ${formatBytes(gzip)} gzip, over its budget of ${budgetKb} kB`);
    if (withSdk.length > 0 && MUST_NOT_CONTAIN_INBOXSDK.some((p) => p.test(entry.name))) {
      failures.push(`${entry.name} contains InboxSDK (${withSdk.join(', ')})`);
    }
    if (CONTENT_OR_VIEW.test(entry.name)) {
      for (const { what, pattern } of BACKGROUND_ONLY_MODULES) {
        const found = [...modules.keys()].filter((id) => pattern.test(id));
        if (found.length > 0)
          failures.push(
            `${entry.name} bundles ${what}, which only the background may use: ${found.slice(0, 5).join(', ')}`,
          );
      }
    }
  }
  return { lines, failures, reports };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const outDir = resolve(process.argv[2] ?? '.output/chrome-mv3');
  if (!existsSync(join(outDir, 'manifest.json'))) {
    console.error(`No built extension in ${outDir}: run \`wxt build\` first.`);
    process.exit(1);
  }
  const { lines, failures } = checkBundles(outDir);
  console.log(`Bundle sizes (${relative(process.cwd(), outDir) || outDir}):`);
  for (const line of lines) console.log(`  ${line}`);
  if (failures.length > 0) {
    for (const failure of failures) console.error(`✖ ${failure}`);
    process.exit(1);
  }
}
