import { defineWebExtConfig } from 'wxt';

// `npm start` opens Debian Chromium with the dev build when a display exists; on a
// headless machine the dev build is still written to .output/chrome-mv3-dev.
export default defineWebExtConfig({
  disabled: !process.env.DISPLAY || process.env.CI === 'true',
  binaries: { chrome: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  chromiumArgs: [
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  startUrls: ['https://outlook.office.com/mail/'],
});
