import { spawn } from 'node:child_process';
import { startCrmServer } from '../server/startCrmServer';

/**
 * The newcomer's whole loop: the reference CRM on embedded PGlite with demo data, and
 * the extension's dev build pre-configured to talk to it (WXT_DEV_CRM_* are read by the
 * background on first run only; the options page can change them afterwards).
 */
const port = Number(process.env.PORT ?? 8787);
const crm = await startCrmServer({
  port,
  dataDir: process.env.CRM_DATA_DIR,
  databaseUrl: process.env.DATABASE_URL,
  seedToken: process.env.CRM_SEED_TOKEN,
});
console.log(`\nReference CRM: ${crm.url}  (token: ${crm.token})`);
console.log(`OpenAPI:       ${crm.url}/api/v1/openapi.json`);
console.log(
  process.env.DISPLAY
    ? 'Starting the extension dev build in Chromium...'
    : 'No display: the dev build goes to .output/chrome-mv3-dev; load it unpacked (see README).',
);

const wxt = spawn('npx', ['wxt'], {
  stdio: 'inherit',
  env: { ...process.env, WXT_DEV_CRM_BASE_URL: crm.url, WXT_DEV_CRM_TOKEN: crm.token },
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  wxt.kill('SIGTERM');
  await crm.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
wxt.on('exit', (code) => void stop(code ?? 0));
