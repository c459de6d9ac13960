import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** The pictures `npm start` writes without a display (the README shows the same set). */
const EXPECTED = [
  'outlook-demo.png',
  'panel-known.png',
  'panel-unknown.png',
  'panel-colleague.png',
  'panel-automated.png',
  'panel-logged-by-colleague.png',
  'panel-crm-unreachable.png',
  'panel-known-dark.png',
  'sidepanel-gmail.png',
  'setup-crm.png',
  'setup-connect.png',
  'setup-mailbox.png',
  'setup-privacy.png',
  'setup-done.png',
  'setup-connect-dark.png',
  'options.png',
  'popup.png',
  'popup-dark.png',
];

describe('npm start without a display', () => {
  let outDir: string | undefined;
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('serves the demo mailboxes, loads the extension, paints the first card and writes every screenshot, the Gmail side panel included', async () => {
    outDir = await mkdtemp(join(tmpdir(), 'crm-demo-'));
    // scripts/start.ts itself, as `npm start` runs it; the build was made by tests/e2e/run.ts.
    const child = spawn('npx', ['tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DISPLAY: '',
        WAYLAND_DISPLAY: '',
        DEMO_SKIP_BUILD: '1',
        DEMO_SCREENSHOTS_DIR: outDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code, output).toBe(0);

    expect(output).toContain('No display: running the demo headless');
    // Gmail is in the demo too, through the side panel and the Gmail API fake.
    expect(output).toContain(
      'Demo thread in Gmail, through the side panel (https://mail.google.com/mail/u/0/#inbox/',
    );
    const firstCard = output.match(/First contact card painted (\d+\.\d) s after start\./);
    expect(firstCard, output).not.toBeNull();
    console.log(`npm start (no build) -> first card painted: ${firstCard![1]} s`);

    expect((await readdir(outDir)).sort()).toEqual([...EXPECTED].sort());
    for (const file of EXPECTED) {
      const bytes = await readFile(join(outDir, file));
      expect(bytes.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      expect(bytes.length, file).toBeGreaterThan(5_000);
    }
  }, 240_000);
});
