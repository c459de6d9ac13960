// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { RemoteError } from '../../../lib/messaging/protocol';
import { contact, contactCard, fakeApi, snapshot, threadView, unknownParticipant } from './fixtures';

afterEach(cleanup);

function participantRow(address: string): HTMLElement {
  const row = screen.getByText(address).closest('li');
  if (!row) throw new Error(`no row for ${address}`);
  return row;
}

/** The CRM before and after Sam Lee's contact is created. */
function apiWithCreatableSam() {
  let createdName: string | null = null;
  const api = fakeApi({
    'thread.open': async () =>
      createdName
        ? threadView({
            unknown: [],
            known: [
              contactCard(),
              contactCard({
                contact: contact({
                  id: 'ct_sam',
                  name: createdName,
                  emails: ['sam.lee@acme.example'],
                  url: 'https://crm.example/contacts/ct_sam',
                }),
                matchedAddress: 'sam.lee@acme.example',
              }),
            ],
          })
        : threadView(),
    'contact.create': async (input) => {
      createdName = input.name;
      return { contact: contact({ id: 'ct_sam', name: input.name, emails: [input.email] }), existed: false };
    },
  });
  return api;
}

describe('UnknownParticipantRow through CrmPanel', () => {
  it('creates a contact from a prefilled, editable name and shows its card after a fresh re-open', async () => {
    const api = apiWithCreatableSam();
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const row = await waitFor(() => participantRow('sam.lee@acme.example'));
    expect(row.textContent).toContain('Sam Lee (Acme)');
    expect(row.textContent).toContain('Acme Corp');

    fireEvent.click(within(row).getByRole('button', { name: 'Create contact' }));
    const name = within(row).getByLabelText('Name') as HTMLInputElement;
    const email = within(row).getByLabelText('Email') as HTMLInputElement;
    expect(name.value).toBe('Sam Lee');
    expect(email.value).toBe('sam.lee@acme.example');
    expect(email.readOnly).toBe(true);

    fireEvent.change(name, { target: { value: 'Samantha Lee' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Create' }));

    expect(await screen.findByRole('link', { name: 'Samantha Lee' })).toBeTruthy();
    expect(api.contact.create).toHaveBeenCalledWith({
      name: 'Samantha Lee',
      email: 'sam.lee@acme.example',
      companyId: 'co_acme',
    });
    expect(api.thread.open).toHaveBeenCalledTimes(2);
    expect(api.thread.open.mock.calls[1]![0].preferCache).toBe(false);
    expect(screen.queryByText('Not in your CRM')).toBeNull();
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('Created Samantha Lee.');
  });

  it('does not submit an empty name', async () => {
    const api = fakeApi();
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create contact' }));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: '   ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a name for the contact.');
    expect(api.contact.create).not.toHaveBeenCalled();
  });

  it('disables "Create contact" with the reason, visibly and as its description', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          unknown: [
            unknownParticipant({
              address: 'no-reply@billing.example',
              name: 'Billing',
              suggestedName: 'Billing',
              company: null,
              canCreate: false,
              reason: 'Automated sender (no-reply address)',
            }),
          ],
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const row = await waitFor(() => participantRow('no-reply@billing.example'));
    const button = within(row).getByRole('button', { name: 'Create contact' });
    expect(button.getAttribute('aria-disabled')).toBe('true');
    const description = document.getElementById(button.getAttribute('aria-describedby')!);
    expect(description?.textContent).toBe('Automated sender (no-reply address)');
    expect(within(row).getByText('Automated sender (no-reply address)')).toBeTruthy();

    fireEvent.click(button);
    expect(within(row).queryByLabelText('Name')).toBeNull();
    expect(api.contact.create).not.toHaveBeenCalled();
  });

  it('says the contact already exists on a conflict and refreshes', async () => {
    const api = fakeApi({
      'contact.create': async () => {
        throw new RemoteError({ kind: 'conflict', message: 'contact exists', status: 409 });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create contact' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('A contact with sam.lee@acme.example already exists.')).toBeTruthy();
    await waitFor(() => expect(api.thread.open).toHaveBeenCalledTimes(2));
    expect(api.thread.open.mock.calls[1]![0].preferCache).toBe(false);
  });

  it('treats an "existed" answer like a conflict', async () => {
    const api = fakeApi({
      'contact.create': async (input) => ({ contact: contact({ emails: [input.email] }), existed: true }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create contact' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe(
        'sam.lee@acme.example is already in the CRM.',
      ),
    );
  });

  it('keeps the form open with the error when creating fails', async () => {
    const api = fakeApi({
      'contact.create': async () => {
        throw new RemoteError({ kind: 'server', message: 'CRM answered 500', status: 500 });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create contact' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The CRM had a problem answering. Try again in a moment.',
    );
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Sam Lee');
    expect(api.thread.open).toHaveBeenCalledTimes(1);
  });
});
