import { createRequire } from 'node:module';
import { defineConfig } from 'wxt';
import { OUTLOOK_MATCHES } from './lib/mail/outlook/page/hosts';
import { writeBundleModules } from './scripts/bundleModules';

// InboxSDK's page-world script is injected by the background (scripting.executeScript,
// files: ['pageWorld.js']), so it must sit at the output root. It is copied from the
// installed package on every build so it can never drift from the SDK version bundled
// into the Gmail content script.
const inboxSdkPageWorld = createRequire(import.meta.url).resolve('@inboxsdk/core/pageWorld.js');

// Host permissions stay at the minimum: the webmail origins the content scripts run on
// (declared by the content scripts themselves) plus the provider APIs the background
// calls. The CRM's own origin is requested at run time from the options page.
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  srcDir: '.',
  manifest: ({ browser }) => ({
    name: 'CRM Sidebar for Webmail',
    description:
      'See your CRM contacts, deals and activity beside every email in Gmail and Outlook, and log emails in one click.',
    permissions: ['storage', 'alarms', 'scripting', 'identity'],
    host_permissions: [
      // scripting.executeScript of InboxSDK's pageWorld.js into Gmail needs it explicitly.
      'https://mail.google.com/*',
      'https://gmail.googleapis.com/*',
      'https://graph.microsoft.com/*',
      'https://oauth2.googleapis.com/*',
      'https://login.microsoftonline.com/*',
      // The Outlook hosts the content script runs on (no new warning): the side panel reads the
      // active Outlook tab's address, which tabs.get/query only reveal with a host permission.
      ...OUTLOOK_MATCHES,
    ],
    optional_host_permissions: ['https://*/*', 'http://localhost/*', 'http://127.0.0.1/*'],
    web_accessible_resources: [
      { resources: ['pageWorld.js'], matches: ['https://mail.google.com/*'] },
      // The panel page, framed by the content scripts, on the webmail hosts only. Its scripts and
      // styles load from the extension's own origin, so they need no entry. Not use_dynamic_url:
      // the frame's origin is then a per-session id the background cannot tell for ours, and the
      // pairing secret (lib/platform/panelFrameProtocol) is what keeps a page's own frame blind.
      { resources: ['panel.html'], matches: ['https://mail.google.com/*', ...OUTLOOK_MATCHES] },
    ],
    // The side panel (entrypoints/sidepanel: Chrome's side_panel, Firefox's sidebar_action) from
    // the keyboard; a rep can change the keys at chrome://extensions/shortcuts or about:addons.
    commands:
      browser === 'firefox'
        ? {
            _execute_sidebar_action: {
              suggested_key: { default: 'Alt+Shift+K' },
              description: 'Open the CRM side panel',
            },
          }
        : {
            'open-side-panel': {
              suggested_key: { default: 'Alt+Shift+K' },
              description: 'Open the CRM side panel',
            },
          },
    // The organisation's policies (docs/ADMIN.md), generated from lib/policy/policyDefinitions.ts.
    // Firefox has no managed_schema: it hands policies.json's `3rdparty` values over as they are,
    // and the extension checks them itself (lib/policy/parseManagedPolicy.ts).
    ...(browser === 'firefox' ? {} : { storage: { managed_schema: 'managed-schema.json' } }),
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'crm-sidebar@example.com',
              // data_collection_permissions is understood from Firefox 140 (desktop) and 142
              // (Android), https://extensionworkshop.com/documentation/develop/firefox-builtin-data-consent/;
              // older versions would install without asking for the consent (docs/PRIVACY.md).
              strict_min_version: '140.0',
              // Email headers and snippets leave the browser, to the team's own CRM.
              data_collection_permissions: { required: ['personallyIdentifyingInfo', 'websiteContent'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
  hooks: {
    'build:publicAssets': (_wxt, files) => {
      files.push({ absoluteSrc: inboxSdkPageWorld, relativeDest: 'pageWorld.js' });
    },
    // What each output file is made of, for the bundle checks of scripts/print-bundle-sizes.ts.
    'build:done': (wxt, output) => writeBundleModules(wxt.config.outDir, wxt.config.root, output.steps),
  },
  vite: () => ({
    build: {
      chunkSizeWarningLimit: 2000,
      rollupOptions: {
        onwarn(warning, warn) {
          // zod 4 puts explanatory comments mentioning `@__PURE__` where Rollup expects an
          // annotation; Rollup only drops the comment (nothing in the output changes), so
          // this notice is silenced for zod alone and every other warning still prints.
          if (
            warning.code === 'INVALID_ANNOTATION' &&
            /[\\/]node_modules[\\/]zod[\\/]/.test(warning.id ?? '')
          )
            return;
          warn(warning);
        },
      },
    },
  }),
});
