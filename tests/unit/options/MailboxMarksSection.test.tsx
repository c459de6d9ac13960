// @vitest-environment happy-dom
import { cleanup, fireEvent, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MAILBOX_WRITE_SCOPE_ISSUE } from '../../../lib/errors/describeError';
import type { MailboxWriteAccess } from '../../../lib/mail/sync/mailboxMarkMessages';
import { findRegion, renderOptions } from './renderOptions';

afterEach(cleanup);

const READ_ONLY: MailboxWriteAccess = {
  mailboxId: 'gmail:riley@ourco.example',
  provider: 'gmail',
  address: 'riley@ourco.example',
  granted: false,
  refusal: null,
};

describe('In the mailbox (labels, archiving, "In CRM")', () => {
  it('asks for write access only when labels are turned on, and shows the mailbox active', async () => {
    const { background, store } = renderOptions({
      handlers: {
        'mailbox.writeAccess.get': () => ({ mailboxes: [READ_ONLY] }),
        'mailbox.writeAccess.request': () => ({ mailboxes: [{ ...READ_ONLY, granted: true }] }),
      },
    });
    const section = await findRegion('In the mailbox');
    expect(section.getByRole('link', { name: 'Google’s list of Gmail scopes' }).getAttribute('href')).toBe(
      'https://developers.google.com/workspace/gmail/api/auth/scopes',
    );
    expect(section.getAllByText(/restricted scopes/).length).toBe(1);
    expect(background.callsOf('mailbox.writeAccess.request')).toEqual([]);

    fireEvent.click(section.getByLabelText('Label logged emails'));
    const list = await section.findByRole('list', { name: 'Marks per mailbox' });
    await within(list).findByText('active');
    expect(store.current().mailboxMarks).toMatchObject({ labelLogged: true, archiveLogged: false });
    expect(background.callsOf('mailbox.writeAccess.request')).toEqual([{}]);
  });

  it('says why marks are not active when the permission was left unticked, and offers to ask again', async () => {
    const refused: MailboxWriteAccess = {
      ...READ_ONLY,
      refusal: {
        kind: 'cancelled',
        message: 'Google did not grant permission to change mail',
        source: 'gmail',
        issues: [{ path: MAILBOX_WRITE_SCOPE_ISSUE, message: 'not granted' }],
      },
    };
    const { background } = renderOptions({
      settings: { mailboxMarks: { archiveLogged: true } },
      handlers: {
        'mailbox.writeAccess.get': () => ({ mailboxes: [refused] }),
        'mailbox.writeAccess.request': () => ({ mailboxes: [refused] }),
      },
    });
    const section = await findRegion('In the mailbox');
    const list = await section.findByRole('list', { name: 'Marks per mailbox' });
    expect(await within(list).findByText(/did not grant permission to change mail/)).toBeTruthy();
    fireEvent.click(within(list).getByRole('button', { name: 'Grant permission' }));
    await within(list).findByRole('button', { name: 'Grant permission' });
    expect(background.callsOf('mailbox.writeAccess.request')).toEqual([{ id: READ_ONLY.mailboxId }]);
  });
});
