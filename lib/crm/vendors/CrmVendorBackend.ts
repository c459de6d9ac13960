import type { z } from 'zod';
import type { ConformanceTarget } from '../../../server/conformance/ConformanceCheck';
import type { WebAuthFlow } from '../../auth/OAuthClient';
import type { SessionArea } from '../../auth/sessionAccessTokenStore';
import type { TokenStore } from '../../auth/TokenManager';
import type { SettingsAccess } from '../../background/SettingsService';
import type { CrmConnector } from '../CrmConnector';
import type { CrmConnection } from './crmVendors';

/**
 * What a vendor's connector gets from its sign-in: the rep's tokens, held by the sign-in
 * (background only). A vendor configured by token has none.
 */
export interface CrmConnectorTokens<Connection> {
  /** The current access token (refreshed ahead of expiry where the vendor does that). */
  accessToken(crm: Connection): Promise<string>;
  /** A fresh access token after the CRM refused the current one; rejects when the rep must sign in again. */
  refresh?(crm: Connection): Promise<string>;
}

/** What the background needs to reach the vendor's CRM, given by the composition root. */
export interface CrmConnectorDeps<Connection = CrmConnection> {
  fetch?: typeof fetch;
  /** The vendor's sign-in tokens, where it has a sign-in (`CrmVendorBackend.signIn`). */
  tokens?: CrmConnectorTokens<Connection>;
}

/** What a vendor's sign-in is built from: the browser's identity window, the stores, the clock. */
export interface CrmSignInContext {
  settings: SettingsAccess;
  /** `browser.identity`. */
  webAuthFlow: WebAuthFlow;
  /** `browser.storage.session`: access tokens held in memory only. */
  sessionArea: SessionArea;
  /** Background-only token storage (refresh token persistent, access token in memory). */
  tokens: TokenStore;
  now: () => number;
}

/**
 * A vendor's sign-in through the browser's identity window, built once by the background.
 * The generic `crm.signIn` message reaches `signIn` with the vendor's `signInRequest`
 * (lib/crm/vendors/CrmVendor.ts), parsed; `crm.signOut` reaches `signOut`.
 */
export interface CrmVendorSignIn<Connection, Request> {
  /** Signs in and saves the connection it made; the caller tests it. */
  signIn(request: Request): Promise<CrmConnection>;
  /** Forgets the rep's tokens, where the vendor keeps any outside the connection. */
  signOut?(): Promise<void>;
  /** The token source of the vendor's connector. */
  tokens: CrmConnectorTokens<Connection>;
}

/**
 * `npm run conformance -- --crm <type> ...` for one vendor: its options beside the shared
 * `--token`, `--colleague-token` and `--company-domain`, and the target they describe.
 */
export interface CrmConformanceCli<Args extends object = object> {
  /** The options after `--crm <type>`, for the usage text. */
  usage: string;
  /** Its own options (string values) and the environment variable each defaults to. */
  options: Record<string, { env: string }>;
  /** Its arguments, with the shared ones (`token`, `colleague-token`, `company-domain`). */
  args: z.ZodType<Args>;
  target(args: Args): ConformanceTarget;
}

/**
 * The background half of a vendor (lib/crm/vendors/crmVendors.ts says how to add one):
 * background-only code, never imported by a view or content script.
 */
export interface CrmVendorBackend<Connection, SignInRequest = never> {
  createConnector(crm: Connection, deps: CrmConnectorDeps<Connection>): CrmConnector;
  /** The vendor's sign-in, where its vendor descriptor has a `signInRequest`. */
  signIn?(context: CrmSignInContext): CrmVendorSignIn<Connection, SignInRequest>;
  // biome-ignore lint/suspicious/noExplicitAny: each vendor has its own argument shape.
  conformance: CrmConformanceCli<any>;
}
