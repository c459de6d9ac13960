import type { CrmInfo } from '../../lib/crm/CrmCapabilities';
import { isOpenDeal } from '../../lib/panel/features/dealChoice';
import type { LastTeamEmail } from '../../lib/panel/features/teamContacts';
import type { ContactCard as ContactCardData } from '../../lib/panel/ThreadView';
import { formatAbsoluteTime, formatRelativeTime } from '../shared/formatRelativeTime';
import { ActivityTimeline } from './ActivityTimeline';
import { CardCorrections, type Correction } from './CardCorrections';
import { CrmRecordLink } from './CrmRecordLink';
import { formatAmount } from './formatAmount';
import { telHref } from './safeExternalUrl';

export interface ContactCardProps {
  card: ContactCardData;
  now?: number;
  /** The connected CRM: names the record links and hides deals when it has none. */
  crm?: CrmInfo | null;
  /** The rep corrects this card ("Not this person", "Never log ..."); absent: no buttons. */
  onCorrect?(correction: Correction): void;
  /** Who in the organisation last emailed the person and their company (lib/panel/features/teamContacts). */
  teamContact?: { person: LastTeamEmail | null; company: LastTeamEmail | null };
}

function TeamContactLine({ label, last, now }: { label: string; last: LastTeamEmail; now?: number }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {last.self ? 'You' : last.name},{' '}
        <time dateTime={last.at} title={formatAbsoluteTime(last.at)}>
          {formatRelativeTime(last.at, now)}
        </time>
      </dd>
    </>
  );
}

export function ContactCard({ card, now, crm, onCorrect, teamContact }: ContactCardProps) {
  const { contact, company, deals, recentActivities } = card;
  const crmName = crm?.name;
  const showDeals = crm?.capabilities.deals ?? true;
  const phoneHref = contact.phone ? telHref(contact.phone) : null;
  const openDeals = deals.filter(isOpenDeal);
  return (
    <article className="crm-card" aria-label={contact.name}>
      <header className="crm-card-head">
        <h4 className="crm-card-name">
          <CrmRecordLink url={contact.url} crmName={crmName}>
            {contact.name}
          </CrmRecordLink>
        </h4>
        {contact.lifecycleStage && <span className="crm-badge crm-stage">{contact.lifecycleStage}</span>}
      </header>
      {(contact.title || company) && (
        <p className="crm-card-line">
          {contact.title}
          {contact.title && company && ' · '}
          {company && (
            <CrmRecordLink url={company.url} crmName={crmName}>
              {company.name}
            </CrmRecordLink>
          )}
        </p>
      )}
      <dl className="crm-facts">
        <dt>Email</dt>
        <dd>{card.matchedAddress}</dd>
        {contact.ownerName && (
          <>
            <dt>Owner</dt>
            <dd>{contact.ownerName}</dd>
          </>
        )}
        {contact.phone && (
          <>
            <dt>Phone</dt>
            <dd>{phoneHref ? <a href={phoneHref}>{contact.phone}</a> : contact.phone}</dd>
          </>
        )}
        {teamContact?.person && (
          <TeamContactLine label="Last emailed by" last={teamContact.person} now={now} />
        )}
        {company &&
          teamContact?.company &&
          (teamContact.company.userId !== teamContact.person?.userId ||
            teamContact.company.at !== teamContact.person?.at) && (
            <TeamContactLine
              label={`${company.name}: last emailed by`}
              last={teamContact.company}
              now={now}
            />
          )}
      </dl>
      <p className="crm-why">
        <span className="crm-why-label">Why: </span>
        {card.matchReason}
        {card.companyMatch && <> {card.companyMatch.reason}</>}
        {card.companyCorrected && <> You said this email is not from their company.</>}
      </p>
      {onCorrect && <CardCorrections card={card} onCorrect={onCorrect} />}
      {!card.detailLoaded && <p className="crm-muted">Deals and activity could not be loaded right now.</p>}
      {showDeals && openDeals.length > 0 && (
        <section className="crm-section" aria-label={`Open deals for ${contact.name}`}>
          <h5 className="crm-subheading">Open deals</h5>
          <ul className="crm-deals">
            {openDeals.map((deal) => (
              <li key={deal.id} className="crm-deal">
                <span className="crm-deal-name">
                  <CrmRecordLink url={deal.url} crmName={crmName}>
                    {deal.name}
                  </CrmRecordLink>
                </span>
                <span className="crm-deal-meta">
                  <span className="crm-badge">{deal.stage}</span>
                  {deal.amount !== null && (
                    <span className="crm-deal-amount">{formatAmount(deal.amount, deal.currency)}</span>
                  )}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {card.detailLoaded && (
        <section className="crm-section" aria-label={`Recent emails with ${contact.name}`}>
          <h5 className="crm-subheading">Recent emails</h5>
          <ActivityTimeline activities={recentActivities} now={now} />
        </section>
      )}
    </article>
  );
}
