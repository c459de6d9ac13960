import { describe, expect, it } from 'vitest';
import { parseHeaderBlock } from '../../../lib/mail/mailMessageFromHeaders';
import { messageFromFixture, readHeaderFixture } from './loadHeaderFixture';

describe('mailMessageFromHeaders', () => {
  it('reads a Gmail message: ids, parties, decoded subject, selected headers only', () => {
    const m = messageFromFixture('gmail-received.txt');
    expect(m.messageId).toBe('caf8kt=xqv2pr3c7lw0zmu9fn4-q1b8djc0shok+tz3ay_nw7xg@mail.gmail.com');
    expect(m.subject).toBe('Re: Quote for Q3 – urgent');
    expect(m.from).toEqual({ name: 'Doe, Jane', address: 'jane.doe@eu.acme.co.uk' });
    expect(m.to).toEqual([{ name: 'Riley Rep', address: 'riley@ourco.example' }]);
    expect(m.cc.map((a) => a.address)).toEqual(['procurement@acme.co.uk', 'bob@gmail.com']);
    expect(m.date).toBe('2024-05-14T09:13:29.000Z');
    expect(Object.keys(m.headers).sort()).toEqual(['content-type', 'message-id', 'return-path']);
  });

  it('reads folded References and In-Reply-To', () => {
    const m = messageFromFixture('gmail-sent-reply.txt');
    expect(m.inReplyTo).toBe('caf8kt=xqv2pr3c7lw0zmu9fn4-q1b8djc0shok+tz3ay_nw7xg@mail.gmail.com');
    expect(m.references).toEqual([
      'caf8kt=xqv2pr3c7lw0zmu9fn4-q1b8djc0shok+tz3ay_nw7xg@mail.gmail.com',
      'cab1pq7d=yk3xg0m2hq_7cvt+lhf@mail.gmail.com',
    ]);
    expect(m.hasAttachments).toBe(true);
  });

  it('reads an Outlook message with a Message-ID folded onto the next line', () => {
    const m = messageFromFixture('outlook-exchange.txt', { provider: 'outlook' });
    expect(m.messageId).toBe(
      'am0pr05mb6540b3f0a1c2d3e4f5a6b7c8d9e0a1b2c3d4@am0pr05mb6540.eurprd05.prod.outlook.com',
    );
    expect(m.subject).toBe('Angebot für die Prüfung');
  });

  it('marks a missing Message-ID', () => {
    const m = messageFromFixture('no-message-id.txt');
    expect(m.messageId).toBeNull();
    expect(m.messageIdSource).toBe('none');
    expect(m.to).toEqual([]);
  });

  it('parseHeaderBlock stops at the body and keeps the first of repeated headers', () => {
    const headers = parseHeaderBlock(readHeaderFixture('gmail-received.txt'));
    expect(headers.received).toMatch(/^by 2002:a05/);
    expect(headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(Object.keys(headers)).not.toContain('hi riley, can you send the revised quote today?');
  });
});
