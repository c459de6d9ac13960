/**
 * Prints each entrypoint's output size (its own files plus every chunk and stylesheet it
 * loads) for a built extension, and fails when a bundle that must stay small contains
 * InboxSDK: only the Gmail content script (and the background's tiny injector) may.
 *
 *   tsx scripts/print-bundle-sizes.ts [.output/chrome-mv3]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Strings only InboxSDK's own code carries (class-name and attribute prefixes of its DOM work). */
export const INBOXSDK_MARKERS = ['inboxsdk__', 'data-inboxsdk-'] as const;

/** Entry points that must never pull InboxSDK in, matched on the entry name. */
const MUST_NOT_CONTAIN_INBOXSDK = [/^content-script:outlook/, /^options$/, /^popup$/];

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
  // Injected into pages (InboxSDK's pageWorld.js), so its size counts as much as a bundle's.
  for (const group of manifest.web_accessible_resources ?? []) {
    const resources = typeof group === 'string' ? [group] : (group.resources ?? []);
    for (const resource of resources.filter((r) => r.endsWith('.js') && !r.includes('*'))) {
      entries.push({ name: `page-world:${resource.replace(/\.js$/, '')}`, roots: [resource] });
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

export function checkBundles(outDir: string): { lines: string[]; failures: string[] } {
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
  const lines: string[] = [];
  const failures: string[] = [];
  for (const entry of entriesOf(manifest)) {
    const files = closure(outDir, entry.roots);
    let raw = 0;
    let gzip = 0;
    const withSdk: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(file);
      raw += statSync(file).size;
      gzip += gzipSync(bytes).length;
      const text = bytes.toString('utf8');
      if (INBOXSDK_MARKERS.some((m) => text.includes(m))) withSdk.push(relative(outDir, file));
    }
    lines.push(
      `${entry.name.padEnd(28)} ${formatBytes(raw).padStart(10)} ${`(${formatBytes(gzip)} gzip)`.padStart(17)}  ${files.length} file(s)${withSdk.length ? '  [InboxSDK]' : ''}`,
    );
    if (withSdk.length > 0 && MUST_NOT_CONTAIN_INBOXSDK.some((p) => p.test(entry.name))) {
      failures.push(`${entry.name} contains InboxSDK (${withSdk.join(', ')})`);
    }
  }
  return { lines, failures };
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
