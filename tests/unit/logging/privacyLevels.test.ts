import { afterEach, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../lib/crm/CrmConnector';
import type { EmailActivityInput } from '../../../lib/crm/contract';
import { createHubSpotCrmConnector } from '../../../lib/crm/vendors/hubspot/HubSpotCrmConnector';
import { createRestCrmConnector } from '../../../lib/crm/vendors/rest/RestCrmConnector';
import { createSalesforceCrmConnector } from '../../../lib/crm/vendors/salesforce/SalesforceCrmConnector';
import { LinkIndex } from '../../../lib/linking/LinkIndex';
import { createLinkingContext, linkMessage } from '../../../lib/linking/linkMessage';
import { matchKeywordRules } from '../../../lib/linking/matchKeywordRules';
import { buildActivities } from '../../../lib/logging/buildActivities';
import { MailMessage } from '../../../lib/mail/MailMessage';
import { describeSharing, PRIVACY_LEVEL_ORDER, PRIVACY_LEVELS } from '../../../lib/settings/privacyLevels';
import { type PrivacyLevel, Settings } from '../../../lib/settings/Settings';
import { FakeHubSpotApi } from '../../fakes/FakeHubSpotApi';
import { FakeSalesforceApi } from '../../fakes/FakeSalesforceApi';
import { contact } from '../linking/linkingFixtures';

// Marker words that may only leave the browser at the levels that share them.
const SUBJECT = 'Quote for Zanzibar';
const SNIPPET = 'Preview mentions Quokka';
const BODY = 'Preview mentions Quokka. The full text names Narwhal pricing.';

function message(): MailMessage {
  return MailMessage.parse({
    provider: 'outlook',
    mailbox: 'riley@ourco.example',
    providerMessageId: 'item-1',
    providerThreadId: 'conv-1',
    messageId: 'privacy-1@mail.ourco.example',
    from: { name: 'Riley Rep', address: 'riley@ourco.example' },
    to: [{ name: 'Jane Buyer', address: 'jane@acme.example' }],
    subject: SUBJECT,
    date: '2026-11-30T10:00:00.000Z',
    snippet: SNIPPET,
    body: BODY,
    folderRole: 'sent',
  });
}

function activitiesAt(level: PrivacyLevel, contactId: string): EmailActivityInput[] {
  const settings = Settings.parse({ privacyLevel: level });
  const jane = contact(contactId, 'Jane Buyer', ['jane@acme.example']);
  const context = createLinkingContext({ ownAddresses: ['riley@ourco.example'], orgDomains: [], settings });
  const m = message();
  return buildActivities(m, linkMessage(m, new LinkIndex([jane], []), context), settings);
}

/** Every request body a connector sent, as text. */
function recordingFetch(bodies: string[]): typeof fetch {
  return async (input, init) => {
    if (typeof init?.body === 'string') bodies.push(init.body);
    return fetch(input, init);
  };
}

const SHARED: Record<PrivacyLevel, { subject: boolean; snippet: boolean; body: boolean }> = {
  metadata: { subject: false, snippet: false, body: false },
  snippet: { subject: true, snippet: true, body: false },
  full_body: { subject: true, snippet: true, body: true },
};

function expectOnlyAllowed(level: PrivacyLevel, sent: string): void {
  const allowed = SHARED[level];
  expect(sent.includes('Zanzibar'), `${level}: subject`).toBe(allowed.subject);
  expect(sent.includes('Quokka'), `${level}: preview`).toBe(allowed.snippet);
  expect(sent.includes('Narwhal'), `${level}: body`).toBe(allowed.body);
  // Who and when always go.
  expect(sent).toContain('jane@acme.example');
}

describe('privacy levels', () => {
  it('buildActivities carries only what each level shares', () => {
    for (const level of PRIVACY_LEVEL_ORDER) {
      const [activity] = activitiesAt(level, 'con_jane');
      expect(activity).toMatchObject({
        to: [{ address: 'jane@acme.example' }],
        occurredAt: '2026-11-30T10:00:00.000Z',
      });
      expectOnlyAllowed(level, JSON.stringify(activity));
    }
  });

  it('keyword tasks do not quote a hidden subject', () => {
    const rule = {
      id: 'r1',
      field: 'subject' as const,
      keyword: 'quote',
      action: 'create_task' as const,
      taskTitle: 'Send the quote',
      priority: 'normal' as const,
      dueInDays: null,
    };
    const at = new Date('2026-11-30T10:00:00Z');
    const [hidden] = matchKeywordRules(message(), [rule], ['c1'], at, 'metadata');
    expect(hidden?.task.notes).toBe('"quote" in the subject of an email');
    const [shown] = matchKeywordRules(message(), [rule], ['c1'], at, 'snippet');
    expect(shown?.task.notes).toContain(SUBJECT);
  });

  it('words every level once, for the options page, the set-up and the panel', () => {
    expect(describeSharing('snippet')).toBe(
      'Logging shares: sender, recipients, date, subject and the opening lines of the text (at most 500 characters).',
    );
    expect(describeSharing('metadata')).not.toMatch(/subject/);
    for (const level of PRIVACY_LEVEL_ORDER) expect(PRIVACY_LEVELS[level].label).not.toBe('');
  });
});

describe('every connector sends only what the level allows', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function logThrough(connector: CrmConnector, contactId: string, level: PrivacyLevel) {
    const { results } = await connector.logActivities(activitiesAt(level, contactId));
    expect(results[0]?.status).toBe('created');
  }

  it('REST (the contract): the activity as built, nothing added', async () => {
    for (const level of PRIVACY_LEVEL_ORDER) {
      const bodies: string[] = [];
      const connector = createRestCrmConnector({
        baseUrl: 'https://crm.example',
        token: 't',
        fetch: async (_input, init) => {
          bodies.push(String(init?.body));
          const [activity] = JSON.parse(String(init?.body)).activities as EmailActivityInput[];
          return Response.json({
            results: [
              {
                status: 'created',
                externalId: activity!.externalId,
                contactId: activity!.contactId,
                id: 'a1',
              },
            ],
          });
        },
      });
      await logThrough(connector, 'con_jane', level);
      expectOnlyAllowed(level, bodies.join('\n'));
    }
  });

  it('HubSpot: hs_email_subject / hs_email_text follow the level', async () => {
    const hubspot = new FakeHubSpotApi();
    await hubspot.start();
    stops.push(() => hubspot.stop());
    const rep = hubspot.addUser({ email: 'riley@ourco.example', firstName: 'Riley', lastName: 'Rep' });
    for (const level of PRIVACY_LEVEL_ORDER) {
      const jane = hubspot.addObject('contacts', { email: 'jane@acme.example', firstname: 'Jane' });
      const bodies: string[] = [];
      const connector = createHubSpotCrmConnector({
        accessToken: rep.token,
        repEmail: rep.email,
        apiBase: hubspot.url,
        fetch: recordingFetch(bodies),
      });
      await connector.whoami();
      await logThrough(connector, jane.id, level);
      expectOnlyAllowed(level, bodies.join('\n'));
    }
  });

  it('Salesforce: the EmailMessage Subject / TextBody follow the level', async () => {
    const salesforce = new FakeSalesforceApi();
    await salesforce.start();
    stops.push(() => salesforce.stop());
    const rep = salesforce.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    for (const level of PRIVACY_LEVEL_ORDER) {
      const jane = salesforce.add('Contact', {
        LastName: 'Buyer',
        Email: 'jane@acme.example',
        OwnerId: rep.id,
      });
      const bodies: string[] = [];
      const connector = createSalesforceCrmConnector({
        instanceUrl: salesforce.url,
        accessToken: rep.accessToken,
        fetch: recordingFetch(bodies),
      });
      await logThrough(connector, jane.Id, level);
      expectOnlyAllowed(level, bodies.join('\n'));
    }
  });
});
