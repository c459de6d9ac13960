import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { MailMessage, ThreadSnapshot } from '../../../lib/mail/MailMessage';
import { createFeatureHandlers } from '../../../lib/panel/features/panelFeatures';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from './backgroundForTest';

const ME = 'riley@ourco.example';
const PANEL = { context: 'content' } as const;
let dbCounter = 0;
let sequence = 0;

/** Alice writes from a second address, with her known one in copy. */
function thread(from: { name: string; address: string }, cc: { name: string; address: string }[] = []) {
  sequence++;
  const m = MailMessage.parse({
    provider: 'gmail',
    mailbox: ME,
    providerMessageId: `p${sequence}`,
    providerThreadId: `thread-${sequence}`,
    messageId: `a${sequence}@mail.acme-group.example`,
    from,
    to: [{ name: 'Riley Rep', address: ME }],
    cc,
    subject: 'Renewal',
    date: new Date(Date.UTC(2026, 10, 2, 9, sequence)).toISOString(),
    snippet: 'Hello',
    folderRole: 'inbox',
  });
  return ThreadSnapshot.parse({
    provider: 'gmail',
    mailbox: ME,
    threadId: m.providerThreadId,
    subject: m.subject,
    messages: [m],
  });
}

describe('one identity across addresses, from the panel', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;

  beforeEach(async () => {
    db = openCrmSidebarDb(`alternate-addresses-${++dbCounter}`);
    crm = new FakeCrmConnector();
    const acme = crm.addCompany({ name: 'Acme', domains: ['acme.example', 'acme-group.example'] });
    crm.addContact({
      id: 'c_alice',
      name: 'Alice Moreau',
      emails: ['alice@acme.example'],
      companyId: acme.id,
    });
    background = backgroundForTest({ db, version: '1', createConnector: () => crm, clickDrainMaxWaitMs: 0 });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
  });
  afterEach(() => db.close());

  it('offers the same-named stranger at the same company; adding shows the known card on the next thread; undo takes it back', async () => {
    const first = thread({ name: 'Alice Moreau', address: 'a.moreau@acme-group.example' }, [
      { name: 'Alice Moreau', address: 'alice@acme.example' },
    ]);
    const view = await background.openThread(first, false);
    expect(view.unknown.map((u) => u.address)).toEqual(['a.moreau@acme-group.example']);
    expect(view.alternateAddresses).toEqual({
      supported: true,
      offers: [
        expect.objectContaining({
          address: 'a.moreau@acme-group.example',
          contact: { id: 'c_alice', name: 'Alice Moreau' },
          sameCompany: true,
        }),
      ],
    });
    // Offering writes nothing: only the rep's click does.
    expect(crm.calls.some((c) => c.method === 'addContactEmail')).toBe(false);

    const handlers = createFeatureHandlers(background.featureContext());
    await handlers['contact.addAlternateEmail'](
      { contactId: 'c_alice', address: 'a.moreau@acme-group.example', acrossCompanies: false },
      PANEL,
    );
    const next = await background.openThread(
      thread({ name: 'Alice Moreau', address: 'a.moreau@acme-group.example' }),
      true,
    );
    expect(next.unknown).toEqual([]);
    expect(next.known[0]).toMatchObject({
      contact: { id: 'c_alice' },
      matchedAddress: 'a.moreau@acme-group.example',
      matchedBy: 'alternate',
    });

    await handlers['contact.removeAlternateEmail'](
      { contactId: 'c_alice', address: 'a.moreau@acme-group.example' },
      PANEL,
    );
    const after = await background.openThread(
      thread({ name: 'Alice Moreau', address: 'a.moreau@acme-group.example' }),
      true,
    );
    expect(after.known).toEqual([]);
    expect(after.unknown.map((u) => u.address)).toEqual(['a.moreau@acme-group.example']);
  });

  it('never adds an address at another company without the rep’s word, which the background checks with the CRM', async () => {
    const view = await background.openThread(
      thread({ name: 'Alice Moreau', address: 'alice.moreau@gmail.com' }, [
        { name: 'Alice Moreau', address: 'alice@acme.example' },
      ]),
      false,
    );
    expect(view.alternateAddresses.offers[0]).toMatchObject({ sameCompany: false });
    const handlers = createFeatureHandlers(background.featureContext());
    await expect(
      handlers['contact.addAlternateEmail'](
        { contactId: 'c_alice', address: 'alice.moreau@gmail.com', acrossCompanies: false },
        PANEL,
      ),
    ).rejects.toMatchObject({ kind: 'invalid_request' });
    expect(crm.contacts.get('c_alice')?.emails).toEqual(['alice@acme.example']);
    await handlers['contact.addAlternateEmail'](
      { contactId: 'c_alice', address: 'alice.moreau@gmail.com', acrossCompanies: true },
      PANEL,
    );
    expect(crm.contacts.get('c_alice')?.emails).toEqual(['alice@acme.example', 'alice.moreau@gmail.com']);
  });

  it('offers nothing, and refuses, where the CRM cannot add an address (Salesforce)', async () => {
    crm = new FakeCrmConnector({ capabilities: { addAlternateEmail: false } });
    crm.addContact({ id: 'c_alice', name: 'Alice Moreau', emails: ['alice@acme.example'] });
    background = backgroundForTest({ db, version: '1', createConnector: () => crm, clickDrainMaxWaitMs: 0 });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    const view = await background.openThread(
      thread({ name: 'Alice Moreau', address: 'a.moreau@acme.example' }, [
        { name: 'Alice Moreau', address: 'alice@acme.example' },
      ]),
      false,
    );
    expect(view.alternateAddresses).toEqual({ supported: false, offers: [] });
    const handlers = createFeatureHandlers(background.featureContext());
    await expect(
      handlers['contact.addAlternateEmail'](
        { contactId: 'c_alice', address: 'a.moreau@acme.example', acrossCompanies: true },
        PANEL,
      ),
    ).rejects.toMatchObject({ kind: 'unsupported' });
  });
});
