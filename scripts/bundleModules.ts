/**
 * Which source modules went into which output file of a build, with their rendered size, so
 * scripts/print-bundle-sizes.ts can tell exactly what a bundle carries (Dexie, oauth4webapi,
 * a CRM connector, InboxSDK) instead of guessing from strings in minified code. Written by
 * WXT's `build:done` hook (wxt.config.ts) beside the output folder, never inside it, so it is
 * not shipped: `.output/chrome-mv3` gets `.output/chrome-mv3.modules.json`.
 */
import { writeFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/** Output file (relative to the output folder) -> source module (relative to the project) -> rendered bytes. */
export type BundleModules = Record<string, Record<string, number>>;

interface ChunkLike {
  type: string;
  fileName: string;
  moduleIds?: string[];
  /** Rollup's RenderedModule per id (WXT passes Rollup's output chunks through). */
  modules?: Record<string, { renderedLength?: number }>;
}

export function bundleModulesPath(outDir: string): string {
  return `${outDir.replace(/[\\/]+$/, '')}.modules.json`;
}

/** A module id as a project path: `lib/store/db.ts`, `node_modules/dexie/dist/dexie.mjs`, `\0virtual`. */
export function projectPath(root: string, id: string): string {
  const path = id.split('?')[0]!;
  return isAbsolute(path) ? relative(root, path).replaceAll('\\', '/') : path;
}

export function collectBundleModules(root: string, chunks: readonly ChunkLike[]): BundleModules {
  const out: BundleModules = {};
  for (const chunk of chunks) {
    if (chunk.type !== 'chunk') continue;
    const modules: Record<string, number> = {};
    for (const id of chunk.moduleIds ?? Object.keys(chunk.modules ?? {})) {
      modules[projectPath(root, id)] = chunk.modules?.[id]?.renderedLength ?? 0;
    }
    out[chunk.fileName] = modules;
  }
  return out;
}

export function writeBundleModules(
  outDir: string,
  root: string,
  steps: readonly { chunks: readonly ChunkLike[] }[],
): void {
  const modules = collectBundleModules(
    root,
    steps.flatMap((step) => step.chunks),
  );
  writeFileSync(bundleModulesPath(outDir), `${JSON.stringify(modules, null, 1)}\n`);
}
