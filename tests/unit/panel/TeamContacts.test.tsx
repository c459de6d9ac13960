// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import type { CrmSession } from '../../../lib/background/CrmSession';
import type { LinkedThread } from '../../../lib/background/MessagePipeline';
import { teamContacts } from '../../../lib/panel/features/teamContacts';
import { activity, contact, contactCard, fakeApi, snapshot, threadView } from './fixtures';

afterEach(cleanup);

const DAY = 24 * 3600 * 1000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

function build(cards: Parameters<NonNullable<typeof teamContacts.view>['build']>[0]['cards']) {
  return teamContacts.view!.build({
    session: { me: { user: { id: 'u_rita', name: 'Rita Rep', email: 'rita@ourco.example' } } } as CrmSession,
    linked: {} as LinkedThread,
    now: new Date(),
    cards,
    threadDeals: {} as never,
  });
}

describe('who on the team knows them', () => {
  it('takes the newest outgoing email the CRM holds per person and per company, who and when only', async () => {
    const jane = contactCard({
      recentActivities: [
        activity({ id: 'a1', direction: 'incoming', occurredAt: daysAgo(1) }),
        activity({
          id: 'a2',
          direction: 'outgoing',
          occurredAt: daysAgo(3),
          loggedBy: 'u_sam',
          loggedByName: 'Sam Okafor',
        }),
        activity({ id: 'a3', direction: 'outgoing', occurredAt: daysAgo(9), loggedBy: 'u_rita' }),
      ],
    });
    const ben = contactCard({
      contact: contact({ id: 'ct_ben', name: 'Ben Hall', emails: ['ben@acme.example'] }),
      recentActivities: [
        activity({
          id: 'b1',
          contactId: 'ct_ben',
          direction: 'outgoing',
          occurredAt: daysAgo(2),
          loggedBy: 'u_rita',
        }),
      ],
    });
    const view = await build([jane, ben]);
    expect(view.byContact).toEqual({
      ct_jane: { userId: 'u_sam', name: 'Sam Okafor', self: false, at: expect.any(String) },
      ct_ben: { userId: 'u_rita', name: 'Rita Rep', self: true, at: expect.any(String) },
    });
    expect(view.byCompany[jane.company!.id]).toMatchObject({ userId: 'u_rita', self: true });
    // A card whose detail did not load, or with only incoming mail, says nothing.
    expect(
      await build([contactCard({ detailLoaded: false }), contactCard({ recentActivities: [activity()] })]),
    ).toEqual({
      byContact: {},
      byCompany: {},
    });
  });

  it('shows the line on the card: the person, and the company when someone else wrote there last', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          teamContacts: {
            byContact: { ct_jane: { userId: 'u_sam', name: 'Sam Okafor', self: false, at: daysAgo(3) } },
            byCompany: { co_acme: { userId: 'u_rita', name: 'Rita Rep', self: true, at: daysAgo(1) } },
          },
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const card = await waitFor(() => screen.getByRole('article', { name: 'Jane Doe' }));
    const facts = within(card).getByText('Last emailed by').parentElement as HTMLElement;
    expect(facts.textContent).toContain('Sam Okafor, 3 days ago');
    expect(facts.textContent).toMatch(/Acme Corp: last emailed byYou, yesterday/);
  });
});
