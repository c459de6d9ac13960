import type { z } from 'zod';
import type { ErrorCodeOf } from '../../errors/ErrorInfo';

/** A vendor's branch of the stored connection: an object keyed by its `type` literal. */
export type ConnectionSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.core.$ZodLooseShape>;

/** What the options page sends to start a vendor's sign-in (`crm.signIn`), without `vendor`. */
export type SignInRequestSchema = z.ZodObject<z.core.$ZodLooseShape>;

/**
 * What every context (background, options page, popup, content scripts) knows about one CRM
 * vendor: its product name and wording, its branch of the stored `CrmConnection`, and the
 * rules read from that branch. A descriptor is neutral code: it imports zod and settings
 * helpers only, never a connector, React, Dexie or OAuth code, so views may import it.
 * The background half (connector, sign-in, conformance target) is a `CrmVendorBackend`,
 * the options page's half a `CrmVendorFields` component (lib/crm/vendors/crmVendors.ts).
 */
export interface CrmVendor<
  Schema extends ConnectionSchema = ConnectionSchema,
  SignIn extends SignInRequestSchema | undefined = SignInRequestSchema | undefined,
> {
  readonly type: z.output<Schema>['type'];
  /** The product name as reps know it ("HubSpot"), for "Open in …" links and messages. */
  readonly name: string;
  /** The entry in the options page's CRM list. */
  readonly optionLabel: string;
  /** The guided set-up's choice (lib/setup/setupSteps.ts). */
  readonly setup: { readonly label: string; readonly description: string };
  /**
   * The vendor's branch of the stored settings' `crm`: a zod object whose `type` is this
   * vendor's literal. Fields keep their stored names (settings saved before the union had
   * every vendor's fields in one object: lib/crm/vendors/crmVendors.ts migrates them).
   */
  readonly connection: Schema;
  /** Everything this vendor needs is filled in (the sidebar may use it). */
  isComplete(crm: z.output<Schema>): boolean;
  /** Exactly the origins the connection talks to, for the runtime host permission. */
  origins(crm: z.output<Schema>): string[];
  /**
   * What an incomplete connection lacks, as one of the closed not_configured codes
   * (lib/errors/ErrorInfo.ts `ERROR_CODES`), worded for the panel and the form in describeError.
   */
  missingConnectionCode(crm: z.output<Schema>): ErrorCodeOf<'not_configured'>;
  /**
   * A vendor whose rep signs in through the browser's identity window: what the options page
   * sends to start it (the generic `crm.signIn` message, parsed with this schema), carried
   * out by the sign-in of its `CrmVendorBackend`. Absent for a vendor configured by token.
   */
  readonly signInRequest?: SignIn;
}

/** Checks a descriptor against `CrmVendor` while keeping its literal types. */
export function defineCrmVendor<
  Schema extends ConnectionSchema,
  SignIn extends SignInRequestSchema | undefined = undefined,
>(vendor: CrmVendor<Schema, SignIn>): CrmVendor<Schema, SignIn> {
  return vendor;
}

/** The origin of a URL, or null when it is not one (blank settings). */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Distinct origins, blanks dropped. */
export function distinctOrigins(list: readonly (string | null)[]): string[] {
  return [...new Set(list.filter((o): o is string => o !== null))];
}
