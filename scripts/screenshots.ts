import { resolve } from 'node:path';
import { buildExtension } from './demo/buildExtension';
import { startDemo } from './demo/startDemo';
import { writeScreenshots } from './demo/writeScreenshots';

/**
 * `npm run screenshots`: builds the extension, runs the demo headless and writes the
 * pictures the README shows to docs/images (or the folder given as the first argument).
 */
const outDir = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../docs/images'));
await buildExtension();
// Measured from this process's start, so the build is included.
const demo = await startDemo({ headless: true, startedAt: Date.now() - Math.round(process.uptime() * 1000) });
console.log(
  `First contact card painted ${(demo.firstCardMs / 1000).toFixed(1)} s after start (build included).`,
);
try {
  const written = await writeScreenshots(demo, outDir);
  for (const shot of written) console.log(`${resolve(outDir, shot.file)}  ${shot.caption}`);
  console.log(`${written.length} screenshots written to ${outDir}`);
} finally {
  await demo.close();
}
