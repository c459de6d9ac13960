import { useState } from 'react';
import type { ActivitySource, EmailActivity } from '../../lib/crm/contract';
import { formatAbsoluteTime, formatRelativeTime } from '../shared/formatRelativeTime';

const SOURCE_LABELS: Record<ActivitySource, string> = { gmail: 'Gmail', outlook: 'Outlook', crm: 'CRM' };

/** Enough to see the recent exchange without pushing the next contact off screen. */
const INITIALLY_SHOWN = 5;

export interface ActivityTimelineProps {
  activities: EmailActivity[];
  now?: number;
}

/** Recent email activity, newest first, in the style of the CRM's Emails tab (docs/ARCHITECTURE.md, "Headers and snippet by default"). */
export function ActivityTimeline({ activities, now = Date.now() }: ActivityTimelineProps) {
  const [expanded, setExpanded] = useState(false);
  if (activities.length === 0) return <p className="crm-muted">No emails logged yet.</p>;
  const sorted = [...activities].sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt));
  const shown = expanded ? sorted : sorted.slice(0, INITIALLY_SHOWN);
  const hiddenCount = sorted.length - shown.length;
  return (
    <>
      <ol className="crm-timeline" aria-label="Recent emails">
        {shown.map((activity) => (
          <li key={activity.id} className="crm-timeline-item">
            <span
              role="img"
              className={`crm-direction crm-direction-${activity.direction}`}
              aria-label={activity.direction === 'incoming' ? 'Incoming' : 'Outgoing'}
              title={activity.direction === 'incoming' ? 'Incoming' : 'Outgoing'}
            >
              {activity.direction === 'incoming' ? '↓' : '↑'}
            </span>
            <div className="crm-timeline-body">
              <div className="crm-timeline-head">
                <span className={`crm-badge crm-source-${activity.source}`}>
                  {SOURCE_LABELS[activity.source]}
                </span>
                <span className="crm-timeline-subject">{activity.subject || '(no subject)'}</span>
                {activity.hasAttachments && (
                  <span
                    role="img"
                    className="crm-attachment"
                    aria-label="Has attachments"
                    title="Has attachments"
                  >
                    📎
                  </span>
                )}
              </div>
              {activity.snippet && <p className="crm-timeline-snippet">{activity.snippet}</p>}
              <time
                className="crm-muted"
                dateTime={activity.occurredAt}
                title={formatAbsoluteTime(activity.occurredAt)}
              >
                {formatRelativeTime(activity.occurredAt, now)}
              </time>
            </div>
          </li>
        ))}
      </ol>
      {(hiddenCount > 0 || expanded) && sorted.length > INITIALLY_SHOWN && (
        <button type="button" className="crm-link-button" onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show fewer emails' : `Show ${hiddenCount} more emails`}
        </button>
      )}
    </>
  );
}
