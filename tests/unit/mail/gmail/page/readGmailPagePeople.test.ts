// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { GmailPagePeople, readGmailPagePeople } from '../../../../../lib/mail/gmail/page/readGmailPagePeople';

/**
 * A Gmail thread view reduced to what the reader relies on. Every element is from gmail.js
 * (https://github.com/KartikTalwar/gmail.js, src/gmail.js): the main region `div[role=main]`
 * (`api.dom.inbox_content`), the sender `span[email].gD` and recipients `span[email].g2` of a
 * message, each with `email` and `name` attributes (`api.dom.email`'s `from` and `to`), and the
 * list rows' `*[email][name]` (`api.dom.visible_messages`), which Gmail keeps hidden while a
 * thread is open (gmail.js filters them with `:visible`). The people are fictional.
 */
const THREAD_VIEW = `
  <div role="main" style="display: none">
    <table><tbody><tr class="zA" role="row">
      <td><span class="yW"><span email="list.only@globex.example" name="List Only">List Only</span></span></td>
    </tr></tbody></table>
  </div>
  <div role="main">
    <div class="adn">
      <span class="gD" email="Alice.Moreau@acme-robotics.example" name="Alice Moreau">Alice Moreau</span>
      <span class="hb">to <span class="g2" email="dana@northwind.example" name="Dana Whitfield">me</span>,
        <span class="g2" email="ben.carter@acme-robotics.example" name="Ben Carter">Ben</span></span>
    </div>
    <div class="adn">
      <span class="gD" email="dana@northwind.example" name="Dana Whitfield">Dana Whitfield</span>
      <span class="hb">to <span class="g2" email="alice.moreau@acme-robotics.example" name="Alice Moreau">Alice</span></span>
    </div>
  </div>
  <div role="navigation"><span email="outside@example.com" name="Outside">Outside</span></div>
`;

afterEach(() => {
  document.body.innerHTML = '';
});

describe('readGmailPagePeople (the side panel without a connected Gmail mailbox)', () => {
  it('reads each person of the open thread once, from the email and name attributes, in page order', () => {
    document.body.innerHTML = THREAD_VIEW;
    const answer = GmailPagePeople.parse(readGmailPagePeople());
    const addresses = answer.people.map((p) => p.address);
    expect(addresses.slice(0, 3)).toEqual([
      'alice.moreau@acme-robotics.example',
      'dana@northwind.example',
      'ben.carter@acme-robotics.example',
    ]);
    expect(answer.people[0]).toEqual({ address: 'alice.moreau@acme-robotics.example', name: 'Alice Moreau' });
    // Only the main region: the navigation's address is never read.
    expect(addresses).not.toContain('outside@example.com');
    expect(answer.url).toBe(location.href);
  });

  it('skips the hidden list while a thread is open, where the browser can tell visibility', () => {
    document.body.innerHTML = THREAD_VIEW;
    const canTell =
      typeof (document.body as Element & { checkVisibility?: unknown }).checkVisibility === 'function';
    const addresses = readGmailPagePeople().people.map((p) => p.address);
    if (canTell) expect(addresses).not.toContain('list.only@globex.example');
    expect(addresses).toHaveLength(canTell ? 3 : 4);
  });

  it('answers nobody on a page without the attributes (the inbox list of another design, a plain page)', () => {
    document.body.innerHTML = '<div role="main">Loading…</div>';
    expect(readGmailPagePeople().people).toEqual([]);
  });

  it('drops what is not an email address at the boundary, and refuses an oversized answer', () => {
    const parsed = GmailPagePeople.parse({
      url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW',
      people: [
        { address: 'javascript:alert(1)', name: 'x' },
        { address: 'Real.Person@Example.com', name: 'Real Person' },
      ],
    });
    expect(parsed.people).toEqual([{ address: 'real.person@example.com', name: 'Real Person' }]);
    expect(
      GmailPagePeople.safeParse({
        url: '',
        people: Array.from({ length: 501 }, (_, i) => ({ address: `p${i}@example.com`, name: '' })),
      }).success,
    ).toBe(false);
  });
});
