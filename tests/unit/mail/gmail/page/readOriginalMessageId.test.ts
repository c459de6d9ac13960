import { describe, expect, it, vi } from 'vitest';
import {
  createOriginalMessageIdReader,
  parseOriginalMessageId,
} from '../../../../../lib/mail/gmail/page/readOriginalMessageId';

/*
 * Shaped like Gmail's "Show original" page (view=om): a summary table, then the raw message
 * HTML-escaped in <pre id="raw_message_text">. Written for this test, not captured from
 * Gmail (which cannot be reached offline); the parser relies only on the raw header lines,
 * the same thing InboxSDK's own getRfcMessageIdForGmailMessageId matches.
 */
const ORIGINAL_PAGE = `<!DOCTYPE html><html><head><title>Original Message</title></head><body>
<table class="top_table"><tr><td>Message ID</td><td><span>&lt;CAF=Abc.123@mail.gmail.com&gt;</span></td></tr>
<tr><td>Created at:</td><td>Tue, Mar 4, 2025 at 10:14 AM</td></tr></table>
<pre class="raw_message_text" id="raw_message_text">Delivered-To: rep@example.com
Received: by 2002:a05:6a10:1234 with SMTP id abc;
        Tue, 4 Mar 2025 02:14:01 -0800 (PST)
X-Original-Message-ID: &lt;not-this-one@relay.example&gt;
From: Ada Lovelace &lt;ada@client.example&gt;
Message-ID:
 &lt;CAF=Abc.123@mail.gmail.com&gt;
Subject: Renewal
Content-Type: text/plain; charset=&quot;UTF-8&quot;

Quoted below:
Message-ID: &lt;quoted-in-body@elsewhere.example&gt;
</pre></body></html>`;

describe('parseOriginalMessageId', () => {
  it('reads the (folded, escaped) Message-ID header of the raw message', () => {
    expect(parseOriginalMessageId(ORIGINAL_PAGE)).toBe('caf=abc.123@mail.gmail.com');
  });

  it('ignores Message-ID lines in the body and X- variants', () => {
    const noHeader = ORIGINAL_PAGE.replace('Message-ID:\n &lt;CAF=Abc.123@mail.gmail.com&gt;\n', '');
    expect(noHeader).not.toBe(ORIGINAL_PAGE);
    expect(parseOriginalMessageId(noHeader)).toBeNull();
  });

  it('accepts lower-case header names and numeric entities', () => {
    const page = '<pre id="raw_message_text">Message-Id: &#60;x.1@host.example&#x3E;\n\nbody</pre>';
    expect(parseOriginalMessageId(page)).toBe('x.1@host.example');
  });

  it('returns null for pages that are not an original message (sign-in, errors)', () => {
    expect(parseOriginalMessageId('<html><body>Sign in to continue to Gmail</body></html>')).toBeNull();
    expect(parseOriginalMessageId('')).toBeNull();
  });
});

describe('createOriginalMessageIdReader', () => {
  it('fetches the account-specific original page with ik and the Gmail message id', async () => {
    const fetchPage = vi.fn(async () => ({ status: 200, text: ORIGINAL_PAGE }));
    const read = createOriginalMessageIdReader({
      fetchPage,
      readIk: () => 'a1b2c3d4e5',
      pageUrl: () => 'https://mail.google.com/mail/u/1/#inbox/FMfcgz',
    });
    await expect(read('18e2c5b3f4a1d2c7')).resolves.toBe('caf=abc.123@mail.gmail.com');
    expect(fetchPage).toHaveBeenCalledWith(
      'https://mail.google.com/mail/u/1?ik=a1b2c3d4e5&view=om&th=18e2c5b3f4a1d2c7',
    );
  });

  it('answers null without a request when ik or the account is unknown, or the id is not a Gmail id', async () => {
    const fetchPage = vi.fn(async () => ({ status: 200, text: ORIGINAL_PAGE }));
    const noIk = createOriginalMessageIdReader({
      fetchPage,
      readIk: () => null,
      pageUrl: () => 'https://mail.google.com/mail/u/0/',
    });
    const notGmail = createOriginalMessageIdReader({
      fetchPage,
      readIk: () => 'ik',
      pageUrl: () => 'https://example.com/mail/u/0/',
    });
    await expect(noIk('18e2c5b3f4a1d2c7')).resolves.toBeNull();
    await expect(notGmail('18e2c5b3f4a1d2c7')).resolves.toBeNull();
    const ok = createOriginalMessageIdReader({
      fetchPage,
      readIk: () => 'ik',
      pageUrl: () => 'https://mail.google.com/mail/u/0/',
    });
    await expect(ok('../../evil?x=')).resolves.toBeNull();
    expect(fetchPage).not.toHaveBeenCalled();
  });

  it('answers null on HTTP errors and network failures', async () => {
    const deps = { readIk: () => 'ik', pageUrl: () => 'https://mail.google.com/mail/u/0/' };
    const forbidden = createOriginalMessageIdReader({
      ...deps,
      fetchPage: async () => ({ status: 403, text: ORIGINAL_PAGE }),
    });
    const offline = createOriginalMessageIdReader({
      ...deps,
      fetchPage: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(forbidden('18e2c5b3f4a1d2c7')).resolves.toBeNull();
    await expect(offline('18e2c5b3f4a1d2c7')).resolves.toBeNull();
  });
});
