import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deriveMessageClient, groupAndAction } from '../../../lib/messaging/messageClient';
import { MESSAGES } from '../../../lib/messaging/messages';
import { defineMessages, messagesSentBy, SenderContext } from '../../../lib/messaging/protocol';
import { FEATURE_MESSAGES, PANEL_FEATURES } from '../../../lib/panel/features/panelFeatures';

const TABLE = defineMessages({
  'thing.get': { request: z.object({ id: z.string() }), response: z.string(), senders: ['content'] },
  'thing.config.set': { request: z.object({}), response: z.object({}), senders: ['extension'] },
  'other.ping': { request: z.object({}), response: z.object({}), senders: ['content', 'extension'] },
});

describe('deriveMessageClient', () => {
  it('makes one method per message, grouped by the part before the first dot', async () => {
    const sent: Array<[string, unknown]> = [];
    const client = deriveMessageClient(TABLE, async (type, payload) => {
      sent.push([type, payload]);
      return type;
    });
    expect(await client.thing.get({ id: 'a' })).toBe('thing.get');
    await client.thing['config.set']({});
    await client.other.ping({});
    expect(sent).toEqual([
      ['thing.get', { id: 'a' }],
      ['thing.config.set', {}],
      ['other.ping', {}],
    ]);
  });

  it('refuses a message type that is not group.action', () => {
    expect(() => groupAndAction('nodot')).toThrow(/not group.action/);
    expect(() => groupAndAction('.x')).toThrow();
    expect(groupAndAction('gmail.sent.log')).toEqual(['gmail', 'sent.log']);
  });
});

describe('the message table', () => {
  it('filters by sender context', () => {
    expect(Object.keys(messagesSentBy(TABLE, 'content'))).toEqual(['thing.get', 'other.ping']);
    expect(Object.keys(messagesSentBy(TABLE, 'extension'))).toEqual(['thing.config.set', 'other.ping']);
  });

  it('says for every message which contexts may send it', () => {
    for (const [type, spec] of Object.entries(MESSAGES)) {
      expect(spec.senders.length, type).toBeGreaterThan(0);
      for (const sender of spec.senders) expect(SenderContext.options, type).toContain(sender);
      expect(() => groupAndAction(type)).not.toThrow();
    }
  });

  it('holds every panel feature message, and settings, cards and writes stay out of reach of content scripts', () => {
    for (const type of Object.keys(FEATURE_MESSAGES)) expect(MESSAGES).toHaveProperty([type]);
    expect(Object.keys(PANEL_FEATURES).length).toBeGreaterThan(0);
    const content = messagesSentBy(MESSAGES, 'content') as Record<string, unknown>;
    expect(content['settings.update']).toBeUndefined();
    expect(content['settings.get']).toBeUndefined();
    expect(Object.keys(content).sort()).toEqual([
      'gmail.config.get',
      'gmail.sent.decline',
      'gmail.sent.log',
      'mailbox.loggedThreads',
      'outlook.config.get',
      'outlook.sent.decline',
      'outlook.sent.log',
      'page.health',
      'panel.frame.expect',
      'thread.prefetch',
    ]);
  });
});
