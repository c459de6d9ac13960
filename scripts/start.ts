import { resolve } from 'node:path';
import { buildExtension } from './demo/buildExtension';
import { DEMO_THREADS } from './demo/demoMailbox';
import { hasDisplay, startDemo } from './demo/startDemo';
import { writeScreenshots } from './demo/writeScreenshots';

/**
 * `npm start`, the newcomer's first look: builds the extension, starts the reference CRM
 * on a fresh demo database, serves Outlook on the web's demo mailbox at its real address
 * and opens Chromium with the extension already connected. With a display the window
 * stays open to click through; without one the same demo is written as screenshots.
 *
 * DEMO_HEADLESS=1 forces the screenshot mode; DEMO_SKIP_BUILD=1 reuses the last build;
 * DEMO_SCREENSHOTS_DIR picks where the screenshots go (default .output/demo).
 */
// From the moment this process started (tsx included), not from when this line runs.
const startedAt = Date.now() - Math.round(process.uptime() * 1000);
const headless = process.env.DEMO_HEADLESS === '1' || !hasDisplay();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

if (process.env.DEMO_SKIP_BUILD !== '1') {
  console.log('Building the extension (wxt build)…');
  await buildExtension();
}
console.log(
  headless
    ? 'No display: running the demo headless; it will be written as screenshots.'
    : 'Opening Chromium with the extension and the demo mailbox…',
);
const demo = await startDemo({ headless, startedAt });
console.log(`\nFirst contact card painted ${seconds(demo.firstCardMs)} after start.`);
console.log(`Reference CRM: ${demo.crm.handle.url}  (token: ${demo.crm.handle.token}; fresh demo data)`);
console.log('Demo threads in Outlook on the web (https://outlook.office.com/mail/inbox):');
for (const thread of DEMO_THREADS) console.log(`  • ${thread.conversation.subject}: ${thread.caption}`);
console.log(`Demo thread in Gmail, through the side panel (${demo.gmail.url}):`);
console.log(`  • ${demo.gmail.subject}: ${demo.gmail.caption}`);

if (headless) {
  const outDir = resolve(process.env.DEMO_SCREENSHOTS_DIR ?? resolve(import.meta.dirname, '../.output/demo'));
  try {
    const written = await writeScreenshots(demo, outDir);
    console.log(`\n${written.length} screenshots written:`);
    for (const shot of written) console.log(`  ${resolve(outDir, shot.file)}  ${shot.caption}`);
  } finally {
    await demo.close();
  }
} else {
  // The Gmail tab waits behind Outlook's; the browser opens its side panel only at the rep's
  // gesture, so the demo says how rather than faking one.
  const gmailTab = await demo.env.browser.newPage();
  await gmailTab.goto(demo.gmail.url);
  await demo.page.bringToFront();
  console.log(
    '\nClick through the threads, log an email, create a contact. In the Gmail tab, press Alt+Shift+K (or the' +
      ' toolbar popup’s “Open side panel”) to see the Gmail thread in the side panel. Close the window or press' +
      ' Ctrl+C to stop.',
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  demo.env.browser.context.on('close', () => void stop());
}
