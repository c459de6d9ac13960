/**
 * Import boundaries between the runtime contexts (docs/ARCHITECTURE.md, "Layers"), checked
 * by dependency-cruiser (https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md)
 * in `npm run lint` and in the unit tests (tests/unit/scripts/importBoundaries.test.ts).
 * Type-only imports are not dependencies here (they vanish from the build), so shared code
 * may name a background type without carrying its code.
 */

/** Code that holds tokens, the database or network clients: the background's alone. */
const BACKGROUND_ONLY = [
  '^lib/background/',
  '^lib/store/',
  '^lib/auth/',
  '^lib/mail/sync/',
  '^lib/mail/[^/]+/api/',
  '^lib/audit/SyncAudit(Service)?[.]ts$',
  '^lib/errors/toErrorInfo[.]ts$',
  '^lib/logging/(Outbox|MessageRegistry)[.]ts$',
  // CRM connectors, their HTTP helper, kit, sign-ins and backends (lib/crm/vendors/<vendor>/).
  '^lib/crm/.*CrmConnector[.]ts$',
  '^lib/crm/crmJsonRequest[.]ts$',
  '^lib/crm/createOrFindContact[.]ts$',
  '^lib/crm/connectorKit/',
  '^lib/crm/.*(OAuth|SignIn|Backends?|Conformance)[.]ts$',
  '^node_modules/(dexie|oauth4webapi)/',
];

/** What runs in a webmail page or an extension page (React views). */
const CONTENT_AND_VIEWS = [
  '^entrypoints/[^/]+[.]content/',
  '^entrypoints/(options|popup|panel)/',
  '^lib/mail/[^/]+/page/',
  '^components/',
];

/** Shared code: runs in every context, so it may import only shared code. */
const SHARED = [
  '^lib/errors/(ErrorInfo|errorInfoOf|describeError)[.]ts$',
  '^lib/messaging/',
  '^lib/settings/',
  '^lib/setup/',
  '^lib/panel/',
  '^lib/platform/',
  '^lib/mail/[^/]+[.]ts$',
  '^lib/crm/(contract|CrmCapabilities|CrmError)[.]ts$',
  '^lib/crm/vendors/[^/]+/[a-z]+Vendor[.]ts$',
  '^lib/crm/vendors/(CrmVendor|crmVendors)[.]ts$',
  '^components/',
];

module.exports = {
  forbidden: [
    {
      name: 'content-and-views-reach-no-background-code',
      comment:
        'Content scripts and React views never import background-only code (tokens, Dexie, OAuth, connectors), directly or through anything they import.',
      severity: 'error',
      from: { path: CONTENT_AND_VIEWS },
      // Message schemas beside the sync are shared (zod only).
      to: { path: BACKGROUND_ONLY, pathNot: '^lib/mail/sync/[A-Za-z]+Messages[.]ts$', reachable: true },
    },
    {
      name: 'shared-imports-only-shared',
      comment:
        'Shared code (errors, messaging, settings, panel model, components) imports no background-only module.',
      severity: 'error',
      from: { path: SHARED },
      to: { path: BACKGROUND_ONLY, pathNot: '^lib/mail/sync/[A-Za-z]+Messages[.]ts$' },
    },
    {
      name: 'no-inboxsdk-outside-gmail',
      comment: 'InboxSDK belongs to the Gmail content script and its page module only.',
      severity: 'error',
      from: {
        pathNot: ['^entrypoints/gmail[.]content/', '^lib/mail/gmail/page/', '^entrypoints/background[.]ts$'],
      },
      to: { path: '^node_modules/@inboxsdk/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|[.]output|[.]wxt)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
