import { describe, expect, it } from 'vitest';
import { EmailActivityInput, SNIPPET_MAX, SUBJECT_MAX } from '../../../lib/crm/contract';
import { LinkIndex } from '../../../lib/linking/LinkIndex';
import { createLinkingContext, linkMessage } from '../../../lib/linking/linkMessage';
import { ActivityBuildError, buildActivities, truncateText } from '../../../lib/logging/buildActivities';
import {
  externalIdFor,
  isProviderDerivedExternalId,
  providerDerivedExternalId,
} from '../../../lib/logging/externalIdFor';
import { DEFAULT_SETTINGS } from '../../../lib/settings/Settings';
import { ACME, JANE, SAM_COLLEAGUE, settings } from '../linking/linkingFixtures';
import { messageFromFixture } from '../mail/loadHeaderFixture';

const index = new LinkIndex([JANE, SAM_COLLEAGUE], [ACME]);
const context = createLinkingContext({
  ownAddresses: ['riley@ourco.example'],
  orgDomains: ['ourco.example'],
  settings: settings(),
});

describe('buildActivities', () => {
  it('builds one contract activity per linked contact, headers + snippet only by default', () => {
    const message = messageFromFixture('gmail-sent-reply.txt', {
      folderRole: 'sent',
      snippet: '  Hi Jane,\n\n here is   the quote ',
      body: 'Full body with pricing',
    });
    const activities = buildActivities(message, linkMessage(message, index, context), DEFAULT_SETTINGS);
    expect(activities.map((a) => a.contactId)).toEqual(['con_jane', 'con_sam']);
    const [jane] = activities;
    expect(jane).toMatchObject({
      type: 'email',
      externalId: 'cah3sr9we0u+pz5n=q2vb4lm8yx1ckd7tq6gjf3ow@mail.gmail.com',
      companyId: 'com_acme',
      direction: 'outgoing',
      subject: 'Re: Quote for Q3 – urgent',
      snippet: 'Hi Jane, here is the quote',
      occurredAt: '2024-05-14T10:02:10.000Z',
      from: { name: 'Riley Rep', address: 'riley@ourco.example' },
      hasAttachments: true,
      threadId: 'thread-1',
      source: 'gmail',
    });
    expect(jane).not.toHaveProperty('body');
    for (const a of activities) expect(() => EmailActivityInput.parse(a)).not.toThrow();
  });

  it('includes the body only at the full-text level and when a body was read; metadata hides subject and snippet', () => {
    const message = messageFromFixture('gmail-received.txt', { body: 'Full body' });
    const links = linkMessage(message, index, context);
    expect(buildActivities(message, links, { privacyLevel: 'full_body' })[0]?.body).toBe('Full body');
    expect(buildActivities(message, links, { privacyLevel: 'snippet' })[0]).not.toHaveProperty('body');
    expect(buildActivities(message, links, { privacyLevel: 'metadata' })[0]).toMatchObject({
      subject: '',
      snippet: '',
    });
    const noBody = messageFromFixture('gmail-received.txt');
    expect(
      buildActivities(noBody, linkMessage(noBody, index, context), { privacyLevel: 'full_body' })[0],
    ).not.toHaveProperty('body');
  });

  it('trims subject and snippet to the contract bounds without splitting emoji', () => {
    const message = {
      ...messageFromFixture('gmail-received.txt'),
      subject: `${'a'.repeat(SUBJECT_MAX - 1)}😀tail`,
      snippet: 'word '.repeat(400),
    };
    const [activity] = buildActivities(message, linkMessage(message, index, context), DEFAULT_SETTINGS);
    expect(activity?.subject).toBe('a'.repeat(SUBJECT_MAX - 1));
    expect(activity?.snippet.length).toBeLessThanOrEqual(SNIPPET_MAX);
    expect(truncateText('ab😀', 3)).toBe('ab');
  });

  it('uses Outlook as the source for Outlook messages', () => {
    const message = { ...messageFromFixture('gmail-received.txt', { provider: 'outlook' }) };
    expect(buildActivities(message, linkMessage(message, index, context), DEFAULT_SETTINGS)[0]?.source).toBe(
      'outlook',
    );
  });

  it('refuses to auto-log a message without Message-ID; a manual log gets a marked provider key', () => {
    const message = {
      ...messageFromFixture('no-message-id.txt', { providerMessageId: '18F6A2b' }),
      from: { name: 'Jane', address: 'jane@acme.co.uk' },
    };
    const links = linkMessage(message, index, context);
    expect(() => buildActivities(message, links, DEFAULT_SETTINGS)).toThrow(ActivityBuildError);
    const [manual] = buildActivities(message, links, DEFAULT_SETTINGS, { mode: 'manual' });
    expect(manual?.externalId).toBe('x-provider-gmail-18.f6.a2b@crm-sidebar.invalid');
    expect(isProviderDerivedExternalId(manual?.externalId ?? '')).toBe(true);
  });

  it('adds thread contacts and an unambiguous thread deal', () => {
    const message = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: 'J', address: 'jane@new.example' },
    };
    const links = linkMessage(message, index, context, {
      contactIds: ['con_jane', 'con_other'],
      companyIds: [],
      dealIds: ['deal_9'],
    });
    const activities = buildActivities(message, links, DEFAULT_SETTINGS);
    expect(activities.map((a) => [a.contactId, a.dealId])).toEqual([
      ['con_jane', 'deal_9'],
      ['con_other', 'deal_9'],
    ]);
  });
});

describe('externalIdFor', () => {
  it('prefers the Message-ID', () => {
    expect(externalIdFor({ messageId: 'a@b', provider: 'gmail', providerMessageId: 'x' }, 'auto')).toBe(
      'a@b',
    );
    expect(externalIdFor({ messageId: null, provider: 'gmail', providerMessageId: 'x' }, 'auto')).toBeNull();
  });

  it('encodes case-sensitive provider ids injectively in lower case', () => {
    const a = providerDerivedExternalId('outlook', 'AAMkAGI2=');
    const b = providerDerivedExternalId('outlook', 'aamkagi2=');
    expect(a).toBe('x-provider-outlook-.a.a.mk.a.g.i2-3d@crm-sidebar.invalid');
    expect(a).not.toBe(b);
    expect(a).toBe(a.toLowerCase());
    expect(() => EmailActivityInput.shape.externalId.parse(a)).not.toThrow();
  });
});
