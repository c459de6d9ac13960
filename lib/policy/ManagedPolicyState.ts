import type { OrgSettings } from '../settings/OrgSettings';
import type { EventLog } from '../store/EventLog';
import { EMPTY_POLICY, type ManagedPolicy, parseManagedPolicy } from './parseManagedPolicy';

/**
 * The organisation's layers of the settings as the background knows them now: the
 * browser's enterprise policy (storage.managed, read at start and on every change) and the
 * CRM's organisation settings. Each new ignored policy value is recorded in the event log,
 * so it is visible beyond the options page.
 */
export class ManagedPolicyState {
  policy: ManagedPolicy = EMPTY_POLICY;
  org: OrgSettings | null = null;
  /** The first read of the policy while it runs: settings read meanwhile wait for it. */
  firstRead: Promise<void> | null = null;
  private fingerprint = '';

  constructor(private readonly events: EventLog) {}

  /** Applies what storage.managed holds now; true when anything changed. */
  async applyManaged(raw: unknown): Promise<boolean> {
    const next = parseManagedPolicy(raw);
    const fingerprint = JSON.stringify([next.organisationName, next.values, [...next.locked], next.ignored]);
    if (fingerprint === this.fingerprint) return false;
    const known = new Set(this.policy.ignored.map((i) => `${i.policy}\u0000${i.reason}`));
    this.policy = next;
    this.fingerprint = fingerprint;
    for (const ignored of next.ignored) {
      if (known.has(`${ignored.policy}\u0000${ignored.reason}`)) continue;
      await this.events.append(
        'warn',
        'policy.ignored',
        `Policy “${ignored.policy}” was ignored: ${ignored.reason}`,
        ignored,
        {
          area: 'policy',
        },
      );
    }
    return true;
  }

  /** The CRM's organisation settings (null: the CRM has none). True when they changed. */
  applyOrg(org: OrgSettings | null): boolean {
    if (JSON.stringify(org) === JSON.stringify(this.org)) return false;
    this.org = org;
    return true;
  }
}
