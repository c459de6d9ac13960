/**
 * The CRM vendors: ONE line per vendor in each of the three tables below, and nothing else
 * outside the vendor's folder knows it exists.
 *
 * How to add a vendor `acme`:
 * 1. lib/crm/vendors/acme/acmeVendor.ts — its `AcmeConnection` (the settings branch, a zod
 *    object with `type: z.literal('acme')`) and `acmeVendor = defineCrmVendor({...})`: name,
 *    wording, completeness, origins. Neutral code: zod and settings helpers only.
 * 2. lib/crm/vendors/acme/acmeBackend.ts — `acmeBackend: CrmVendorBackend<AcmeConnection>`:
 *    the connector factory (your `CrmConnector`, lib/crm/CrmConnector.ts), and the
 *    conformance target the shared suite (server/conformance) and `npm run conformance` use.
 * 3. lib/crm/vendors/acme/AcmeConnectionFields.tsx — the options page's fields
 *    (`CrmVendorFields<AcmeConnection>`, lib/crm/vendors/CrmVendorFieldsProps.ts; shared bits in ConnectionFieldKit.tsx).
 *    A vendor whose rep signs in through the browser's identity window also gives
 *    `signInRequest` (step 1) and `signIn` (step 2): the generic `crm.signIn` message reaches it
 *    (lib/crm/CrmSignIn.ts), and no other file changes.
 * 4. One line in each table: `CRM_VENDORS` here, `CRM_VENDOR_BACKENDS`
 *    (lib/crm/vendors/crmVendorBackends.ts), `CRM_VENDOR_FIELDS`
 *    (lib/crm/vendors/crmVendorFields.ts). TypeScript fails the build when one is missing.
 *
 * Three tables, not one, because of the runtime contexts: this one is neutral (the settings
 * schema, the popup and content scripts read it), the backends are background-only
 * (connectors, tokens), the fields are React for the options page; a view never bundles a
 * connector, and the background never bundles React.
 */
import { z } from 'zod';
import type { ErrorCodeOf } from '../../errors/ErrorInfo';
import type { CrmVendor, SignInRequestSchema } from './CrmVendor';
import { hubspotVendor } from './hubspot/hubspotVendor';
import { pipedriveVendor } from './pipedrive/pipedriveVendor';
import { restVendor } from './rest/restVendor';
import { salesforceVendor } from './salesforce/salesforceVendor';

export const CRM_VENDORS = {
  rest: restVendor,
  hubspot: hubspotVendor,
  salesforce: salesforceVendor,
  pipedrive: pipedriveVendor,
} as const;

type Vendors = typeof CRM_VENDORS;

/** The CRMs this build speaks to. */
export type CrmType = keyof Vendors;
export const CrmType = z.enum(Object.keys(CRM_VENDORS) as [CrmType, ...CrmType[]]);

/** One vendor's branch of the stored connection. */
export type CrmConnectionOf<T extends CrmType> = z.output<Vendors[T]['connection']>;

/** What a branch accepts; the legacy default type may be left out. */
type BranchInput<T extends CrmType> = T extends typeof LEGACY_DEFAULT_TYPE
  ? Omit<z.input<Vendors[T]['connection']>, 'type'> & { type?: T }
  : z.input<Vendors[T]['connection']>;

type Branches = { [T in CrmType]: Vendors[T]['connection'] }[CrmType];

/**
 * Settings saved before the CRM type was chosen have no `type`: they are the REST CRM's.
 * (Settings saved before the union hold every vendor's fields in one object: each branch
 * keeps its own and drops the others', so they read as they are.)
 */
const LEGACY_DEFAULT_TYPE: CrmType = 'rest';

const branches = (Object.values(CRM_VENDORS) as CrmVendor[]).map((vendor) =>
  vendor.type === LEGACY_DEFAULT_TYPE
    ? vendor.connection.extend({ type: z.literal(vendor.type).default(vendor.type) })
    : vendor.connection,
) as unknown as [Branches, ...Branches[]];

/**
 * The stored CRM connection: one branch per vendor, told apart by `type`. Each vendor's
 * branch is defined in its folder (`<vendor>Vendor.ts`); a field belongs to one vendor.
 */
export const CrmConnection = z.discriminatedUnion('type', branches) as unknown as z.ZodType<
  { [T in CrmType]: CrmConnectionOf<T> }[CrmType],
  { [T in CrmType]: BranchInput<T> }[CrmType]
>;
export type CrmConnection = z.output<typeof CrmConnection>;

/** The vendors whose rep signs in through the browser's identity window (`signInRequest`). */
export type CrmSignInType = {
  [T in CrmType]: [NonNullable<Vendors[T]['signInRequest']>] extends [never] ? never : T;
}[CrmType];

type SignInSchemaOf<T extends CrmSignInType> = Extract<
  NonNullable<Vendors[T]['signInRequest']>,
  SignInRequestSchema
>;

/** What a vendor's sign-in is started with (its `signInRequest`, parsed). */
export type CrmSignInParams<T extends CrmSignInType> = z.output<SignInSchemaOf<T>>;

const signInBranches = (Object.values(CRM_VENDORS) as CrmVendor[]).flatMap((vendor) =>
  vendor.signInRequest ? [vendor.signInRequest.extend({ vendor: z.literal(vendor.type as string) })] : [],
) as unknown as [SignInRequestSchema, ...SignInRequestSchema[]];

/**
 * The generic `crm.signIn` request: `vendor` and that vendor's own fields, one branch per
 * vendor that has a sign-in, each defined in its folder (`<vendor>Vendor.ts`).
 */
export const CrmSignInRequest = z.discriminatedUnion('vendor', signInBranches) as unknown as z.ZodType<
  { [T in CrmSignInType]: { vendor: T } & CrmSignInParams<T> }[CrmSignInType],
  { [T in CrmSignInType]: { vendor: T } & z.input<SignInSchemaOf<T>> }[CrmSignInType]
>;
export type CrmSignInRequest = z.output<typeof CrmSignInRequest>;

/** A connection of no vendor yet: the REST CRM's, blank. */
export function blankCrmConnection(): CrmConnection {
  return CrmConnection.parse({});
}

/** The descriptor of a connection's vendor. */
export function crmVendor<T extends CrmType>(type: T): Vendors[T] {
  return CRM_VENDORS[type];
}

/** Everything the connection's CRM type needs is filled in. */
export function isConnectionComplete(crm: CrmConnection): boolean {
  return (CRM_VENDORS[crm.type] as CrmVendor).isComplete(crm);
}

/** Exactly the origins a connection talks to, for the runtime host permission. */
export function crmOrigins(crm: CrmConnection): string[] {
  return (CRM_VENDORS[crm.type] as CrmVendor).origins(crm);
}

/** What an incomplete connection lacks, as its not_configured code (worded in describeError). */
export function missingConnectionCode(crm: CrmConnection): ErrorCodeOf<'not_configured'> {
  return (CRM_VENDORS[crm.type] as CrmVendor).missingConnectionCode(crm);
}
