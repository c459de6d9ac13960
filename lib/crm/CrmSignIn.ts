import { ExtensionError } from '../errors/ErrorInfo';
import type { CrmConnectorDeps, CrmSignInContext, CrmVendorSignIn } from './vendors/CrmVendorBackend';
import { CRM_VENDOR_BACKENDS } from './vendors/crmVendorBackends';
import type { CrmConnection, CrmSignInRequest, CrmType } from './vendors/crmVendors';

// biome-ignore lint/suspicious/noExplicitAny: the table holds each vendor's own connection and request.
type AnySignIn = CrmVendorSignIn<any, any>;

/**
 * The CRM sign-ins of every vendor that has one (`CrmVendorBackend.signIn`), built once by
 * the composition root from the vendor table, so no file outside a vendor's folder names
 * it: the generic `crm.signIn` / `crm.signOut` messages arrive here, and each connector gets
 * its vendor's token source. Background-only.
 */
export class CrmSignIn {
  private readonly byVendor = new Map<CrmType, AnySignIn>();

  constructor(context: CrmSignInContext) {
    for (const [type, backend] of Object.entries(CRM_VENDOR_BACKENDS) as [CrmType, { signIn?: unknown }][]) {
      const create = backend.signIn as ((context: CrmSignInContext) => AnySignIn) | undefined;
      if (create) this.byVendor.set(type, create(context));
    }
  }

  private vendorSignIn(vendor: CrmType): AnySignIn {
    const signIn = this.byVendor.get(vendor);
    if (!signIn)
      throw new ExtensionError(
        'unsupported',
        `The ${vendor} CRM has no sign-in; it is set up with a token.`,
        {
          source: 'crm',
        },
      );
    return signIn;
  }

  /** Runs the vendor's sign-in; it saves the connection it made, which is answered. */
  signIn(request: CrmSignInRequest): Promise<CrmConnection> {
    const { vendor, ...params } = request as { vendor: CrmType } & Record<string, unknown>;
    return this.vendorSignIn(vendor).signIn(params);
  }

  /** Forgets the rep's tokens of that vendor (nothing to forget for a vendor that keeps none). */
  async signOut(vendor: CrmType): Promise<void> {
    await this.vendorSignIn(vendor).signOut?.();
  }

  /** What the connection's connector needs from its vendor's sign-in (nothing without one). */
  connectorDeps(crm: CrmConnection): CrmConnectorDeps<CrmConnection> {
    const signIn = this.byVendor.get(crm.type);
    return signIn ? { tokens: signIn.tokens } : {};
  }
}
