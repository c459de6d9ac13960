import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './openapi/buildOpenApiDocument';

/** `npx tsx server/writeOpenApiDocument.ts` refreshes the committed server/openapi.json. */
export const OPENAPI_PATH = fileURLToPath(new URL('./openapi.json', import.meta.url));

export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_PATH, renderOpenApiDocument());
  console.log(`wrote ${OPENAPI_PATH}`);
}
