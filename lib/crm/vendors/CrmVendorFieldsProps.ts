import type { ReactNode, Ref } from 'react';
import type { ExtensionApi } from '../../../components/shared/ExtensionApi';
import type { TestConnectionResult } from '../../messaging/messages';
import type { CrmConnection } from './crmVendors';

/** A field to fix, by the name the fields component gives it, and what to say. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** What the fields hold, read when the rep tests, saves or signs in. */
export type ReadConnection<Connection = CrmConnection> =
  | { ok: true; crm: Connection }
  | ({ ok: false } & FieldProblem);

/** What the CRM connection section asks of a vendor's fields. */
export interface CrmFieldsHandle<Connection = CrmConnection> {
  /** The connection the fields describe, parsed with the vendor's branch, or the first field to fix. */
  read(): ReadConnection<Connection>;
}

/**
 * The options page's half of a vendor (lib/crm/vendors/crmVendors.ts says how to add one):
 * the fields of its connection, and its sign-in buttons. The section around it keeps the
 * CRM choice, Test connection, Save, host permissions and the test result.
 */
export interface CrmVendorFieldsProps<Connection> {
  /** The saved connection when it is this vendor's, else null (start from the defaults). */
  saved: Connection | null;
  /** Set by the fields: the section reads the connection through it. */
  handle: Ref<CrmFieldsHandle<Connection>>;
  /** The problem the last check found in a field of this vendor, if any. */
  errorFor(field: string): string | null;
  /** Shows (or clears) a problem beside a field. */
  setFieldError(problem: FieldProblem | null): void;
  /** A test or sign-in runs: sign-in buttons wait. */
  busy: boolean;
  /**
   * Runs a sign-in in the browser's identity window: asks for the hosts (inside the click),
   * then shows its result like a connection test and reads the settings the background saved.
   */
  runSignIn(
    origins: string[],
    signIn: () => Promise<TestConnectionResult>,
    unfinished: string,
  ): Promise<void>;
  /** Forgets the last test result (after a sign-out). */
  resetTest(): void;
  /** Reads the settings again after the background changed them. */
  onSettingsChanged(): Promise<void>;
  /** The background's sign-in messages. */
  api: Pick<ExtensionApi, 'crmSignIn' | 'crmSignOut'>;
  /** The section's buttons (Test connection, Save), placed last with the vendor's own buttons before them. */
  actions(vendorButtons?: ReactNode): ReactNode;
}

export type CrmVendorFields<Connection> = (props: CrmVendorFieldsProps<Connection>) => ReactNode;
