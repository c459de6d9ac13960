// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { contact, contactCard, fakeApi, snapshot, threadView, unknownParticipant } from './fixtures';

afterEach(cleanup);

function participantRow(address: string): HTMLElement {
  const row = screen.getByText(address).closest('li');
  if (!row) throw new Error(`no row for ${address}`);
  return row;
}

/** Jane Doe is known; jane.doe@acme-group.example writes as "Jane Doe" and is not. */
function viewWithOffer(sameCompany: boolean) {
  return threadView({
    unknown: [
      unknownParticipant({
        address: 'jane.doe@acme-group.example',
        name: 'Jane Doe',
        suggestedName: 'Jane Doe',
      }),
    ],
    alternateAddresses: {
      supported: true,
      offers: [
        {
          address: 'jane.doe@acme-group.example',
          name: 'Jane Doe',
          contact: { id: 'ct_jane', name: 'Jane Doe' },
          sameCompany,
          reason: sameCompany
            ? 'Jane Doe at jane.doe@acme-group.example has the name of Jane Doe, at the same company.'
            : "Jane Doe at jane.doe@acme-group.example has the name of Jane Doe, but the address is not at Jane Doe's company.",
        },
      ],
    },
  });
}

describe('Add as a known contact’s other address', () => {
  it('adds the address on one click at the same company, shows the card, and undoes it', async () => {
    let added = false;
    const api = fakeApi({
      'thread.open': async () =>
        added
          ? threadView({
              unknown: [],
              known: [
                contactCard({
                  contact: contact({ emails: ['jane@acme.example', 'jane.doe@acme-group.example'] }),
                  matchedAddress: 'jane.doe@acme-group.example',
                  matchedBy: 'alternate',
                }),
              ],
            })
          : viewWithOffer(true),
      'contact.addAlternateEmail': async (input) => {
        added = true;
        return { contactId: input.contactId, contactName: 'Jane Doe', address: input.address };
      },
      'contact.removeAlternateEmail': async (input) => {
        added = false;
        return { contactId: input.contactId, contactName: 'Jane Doe', address: input.address };
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const row = await waitFor(() => participantRow('jane.doe@acme-group.example'));
    expect(row.textContent).toContain('at the same company');
    fireEvent.click(within(row).getByRole('button', { name: "Add as Jane Doe's other address" }));
    await waitFor(() =>
      expect(api.contact.addAlternateEmail).toHaveBeenCalledWith({
        contactId: 'ct_jane',
        address: 'jane.doe@acme-group.example',
        acrossCompanies: false,
      }),
    );
    const undo = await screen.findByRole('button', { name: 'Undo' });
    expect(undo.closest('.crm-undo')?.textContent).toContain(
      "jane.doe@acme-group.example is now Jane Doe's other address in the CRM.",
    );
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Not in your CRM' })).toBeNull());
    expect(screen.getByRole('article', { name: 'Jane Doe' }).textContent).toContain(
      'jane.doe@acme-group.example',
    );
    fireEvent.click(undo);
    await waitFor(() =>
      expect(api.contact.removeAlternateEmail).toHaveBeenCalledWith({
        contactId: 'ct_jane',
        address: 'jane.doe@acme-group.example',
      }),
    );
    await waitFor(() => participantRow('jane.doe@acme-group.example'));
  });

  it('asks for the rep’s word before adding an address that is not at the contact’s company', async () => {
    const api = fakeApi({
      'thread.open': async () => viewWithOffer(false),
      'contact.addAlternateEmail': async (input) => ({
        contactId: input.contactId,
        contactName: 'Jane Doe',
        address: input.address,
      }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const row = await waitFor(() => participantRow('jane.doe@acme-group.example'));
    fireEvent.click(within(row).getByRole('button', { name: "Add as Jane Doe's other address" }));
    expect(api.contact.addAlternateEmail).not.toHaveBeenCalled();
    expect(row.textContent).toContain("is not at Jane Doe's company. Add it to Jane Doe anyway?");
    fireEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    expect(api.contact.addAlternateEmail).not.toHaveBeenCalled();
    fireEvent.click(within(row).getByRole('button', { name: "Add as Jane Doe's other address" }));
    fireEvent.click(within(row).getByRole('button', { name: 'Add to Jane Doe' }));
    await waitFor(() =>
      expect(api.contact.addAlternateEmail).toHaveBeenCalledWith({
        contactId: 'ct_jane',
        address: 'jane.doe@acme-group.example',
        acrossCompanies: true,
      }),
    );
  });

  it('lets the rep pick the person when no name matches, and offers nothing when the CRM cannot', async () => {
    const api = fakeApi({
      'thread.open': async () => threadView({ alternateAddresses: { supported: true, offers: [] } }),
      'contact.addAlternateEmail': async (input) => ({
        contactId: input.contactId,
        contactName: 'Jane Doe',
        address: input.address,
      }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const row = await waitFor(() => participantRow('sam.lee@acme.example'));
    expect(within(row).queryByRole('button', { name: /^Add as/ })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Another address of someone here…' }));
    expect((within(row).getByLabelText('Whose other address is it?') as HTMLSelectElement).value).toBe(
      'ct_jane',
    );
    fireEvent.click(within(row).getByRole('button', { name: 'Continue' }));
    fireEvent.click(within(row).getByRole('button', { name: 'Add to Jane Doe' }));
    await waitFor(() =>
      expect(api.contact.addAlternateEmail).toHaveBeenCalledWith({
        contactId: 'ct_jane',
        address: 'sam.lee@acme.example',
        acrossCompanies: true,
      }),
    );
    cleanup();
    render(
      <CrmPanel
        snapshot={snapshot('thread-other')}
        api={fakeApi({ 'thread.open': async () => threadView() })}
      />,
    );
    const plain = await waitFor(() => participantRow('sam.lee@acme.example'));
    expect(within(plain).queryByRole('button', { name: /address of someone/ })).toBeNull();
  });
});
