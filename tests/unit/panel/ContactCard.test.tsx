// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityTimeline } from '../../../components/panel/ActivityTimeline';
import { ContactCard } from '../../../components/panel/ContactCard';
import { activity, contact, contactCard, daysAgo, deal } from './fixtures';

afterEach(cleanup);

describe('ContactCard', () => {
  it('shows who the contact is, with a safe link to the CRM record and a dialable phone', () => {
    render(<ContactCard card={contactCard()} />);
    const link = screen.getByRole('link', { name: 'Jane Doe' });
    expect(link.getAttribute('href')).toBe('https://crm.example/contacts/ct_jane');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(screen.getByText('Head of Procurement', { exact: false })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Acme Corp' })).toBeTruthy();
    expect(screen.getByText('Rita Rep')).toBeTruthy();
    expect(screen.getByText('Customer').className).toContain('crm-badge');
    expect(screen.getByRole('link', { name: '+44 20 7946 0958' }).getAttribute('href')).toBe(
      'tel:+442079460958',
    );
    expect(screen.getByText('jane@acme.example')).toBeTruthy();
  });

  it('names the CRM a record link opens, and hides deals when the CRM has none', () => {
    const crm = {
      type: 'salesforce' as const,
      name: 'Salesforce',
      capabilities: {
        alternateEmails: false,
        companiesByDomain: true,
        deals: false,
        colleagueActivity: true,
        tasks: true,
        createContact: true,
        removeActivity: false,
        moveActivity: false,
        redactActivity: false,
        addAlternateEmail: false,
      },
    };
    render(<ContactCard card={contactCard({ deals: [deal()] })} crm={crm} />);
    expect(screen.getByRole('link', { name: 'Jane Doe' }).getAttribute('title')).toBe('Open in Salesforce');
    expect(screen.queryByRole('region', { name: 'Open deals for Jane Doe' })).toBeNull();
    cleanup();
    render(
      <ContactCard
        card={contactCard({ deals: [deal()] })}
        crm={{ ...crm, capabilities: { ...crm.capabilities, deals: true } }}
      />,
    );
    expect(screen.getByRole('region', { name: 'Open deals for Jane Doe' })).toBeTruthy();
  });

  it('lists open deals with their stage and formatted amount, leaving closed ones out', () => {
    const card = contactCard({
      deals: [
        deal(),
        deal({ id: 'dl_pilot', name: 'Pilot', stage: 'closedwon', amount: 5000 }),
        deal({ id: 'dl_lost', name: 'Old bid', stage: 'Closed Lost', amount: 9000 }),
        deal({ id: 'dl_odd', name: 'Odd currency', stage: 'Discovery', amount: 1200, currency: 'POINTS' }),
      ],
    });
    render(<ContactCard card={card} />);
    const deals = screen.getByRole('region', { name: 'Open deals for Jane Doe' });
    const items = within(deals).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    const euros = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: 'EUR',
      maximumFractionDigits: 0,
    }).format(48000);
    expect(items[0]!.textContent).toContain('Acme 2025 renewal');
    expect(items[0]!.textContent).toContain('Negotiation');
    expect(items[0]!.textContent).toContain(euros);
    expect(items[1]!.textContent).toContain('1,200 POINTS');
    expect(within(deals).queryByText('Pilot')).toBeNull();
  });

  it('never turns a javascript: record URL into a link', () => {
    const card = contactCard({
      contact: contact({ url: 'javascript:alert(document.domain)' }),
      company: null,
      deals: [],
    });
    render(<ContactCard card={card} />);
    expect(screen.queryByRole('link', { name: 'Jane Doe' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Jane Doe' })).toBeTruthy();
  });

  it('says so when only the lookup answered', () => {
    render(<ContactCard card={contactCard({ detailLoaded: false, deals: [], recentActivities: [] })} />);
    expect(screen.getByText('Deals and activity could not be loaded right now.')).toBeTruthy();
    expect(screen.queryByText('No emails logged yet.')).toBeNull();
  });
});

describe('ActivityTimeline', () => {
  it('shows direction, source, subject, snippet, attachments and a relative date, newest first', () => {
    render(<ActivityTimeline activities={contactCard().recentActivities} />);
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(3);

    const [newest, older, oldest] = items as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(newest).getByRole('img', { name: 'Incoming' }).textContent).toBe('↓');
    expect(within(newest).getByText('Gmail').className).toContain('crm-source-gmail');
    expect(newest.textContent).toContain('Re: Renewal quote');
    expect(newest.textContent).toContain('the revised numbers look good');
    expect(newest.textContent).toContain('3 hours ago');
    expect(within(newest).queryByRole('img', { name: 'Has attachments' })).toBeNull();

    expect(within(older).getByRole('img', { name: 'Outgoing' }).textContent).toBe('↑');
    expect(within(older).getByText('Outlook')).toBeTruthy();
    expect(within(older).getByRole('img', { name: 'Has attachments' }).textContent).toBe('📎');
    expect(older.textContent).toContain('2 days ago');

    expect(within(oldest).getByText('CRM').className).toContain('crm-source-crm');
    expect(oldest.querySelector('time')?.getAttribute('dateTime')).toBeTruthy();
  });

  it('shows the five most recent and reveals the rest on request', () => {
    const many = Array.from({ length: 8 }, (_, index) =>
      activity({ id: `ac_${index}`, subject: `Message ${index}`, occurredAt: daysAgo(index + 1) }),
    );
    render(<ActivityTimeline activities={many} />);
    expect(screen.getAllByRole('listitem')).toHaveLength(5);
    fireEvent.click(screen.getByRole('button', { name: 'Show 3 more emails' }));
    expect(screen.getAllByRole('listitem')).toHaveLength(8);
    fireEvent.click(screen.getByRole('button', { name: 'Show fewer emails' }));
    expect(screen.getAllByRole('listitem')).toHaveLength(5);
  });

  it('has an empty state', () => {
    render(<ActivityTimeline activities={[]} />);
    expect(screen.getByText('No emails logged yet.')).toBeTruthy();
  });
});
