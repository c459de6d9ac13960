import { useCallback, useEffect, useId, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { MailboxWriteAccess } from '../../lib/mail/sync/mailboxMarkMessages';
import type { MailboxMarkSettings } from '../../lib/settings/MailboxMarkSettings';
import { wantsMailboxWriteAccess } from '../../lib/settings/MailboxMarkSettings';
import type { Settings } from '../../lib/settings/Settings';
import type { OptionsApi } from '../shared/ExtensionApi';
import { SaveStatusMessage } from './SaveStatusMessage';
import { ToggleField } from './ToggleField';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface MailboxMarksSectionProps {
  api: Pick<OptionsApi, 'getMailboxWriteAccess' | 'requestMailboxWriteAccess'>;
  settings: Settings;
  save: SaveSettings;
}

/** What each provider's write scope allows, in words, and where the provider says so. */
const SCOPE_WORDING = {
  gmail: {
    scope: 'gmail.modify',
    allows:
      'read your mail and change its labels (which is how Gmail archives), but not delete it permanently',
    restricted:
      'Google lists gmail.modify among its restricted scopes: an app using it outside your own organisation must pass Google’s verification and a yearly security assessment.',
    source: 'https://developers.google.com/workspace/gmail/api/auth/scopes',
    sourceName: 'Google’s list of Gmail scopes',
  },
  outlook: {
    scope: 'Mail.ReadWrite',
    allows: 'read your mail and change it: set categories and move messages between folders',
    restricted: 'Your Microsoft 365 administrator may need to approve it for the organisation first.',
    source: 'https://learn.microsoft.com/en-us/graph/permissions-reference#mailreadwrite',
    sourceName: 'Microsoft’s permissions reference',
  },
} as const;

/**
 * "The mailbox shows what reached the CRM": a label (Gmail) or category (Outlook) on logged
 * mail, archiving received mail once logged, Gmail's "In CRM" thread-list marker. The write
 * options ask each connected mailbox for write access when turned on, and say per mailbox
 * whether they are active and, if not, why.
 */
export function MailboxMarksSection({ api, settings, save }: MailboxMarksSectionProps) {
  const marks = settings.mailboxMarks;
  const { status, save: saveAndReport } = useSaveStatus(save);
  const [access, setAccess] = useState<MailboxWriteAccess[] | null>(null);
  const [asking, setAsking] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setAccess(await api.getMailboxWriteAccess());
      setLoadError(null);
    } catch (e) {
      setLoadError(describeError(e, 'settings').text);
    }
  }, [api]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const ask = async (id?: string) => {
    setAsking(true);
    try {
      setAccess(await api.requestMailboxWriteAccess(id));
    } catch (e) {
      setLoadError(describeError(e, 'settings').text);
    } finally {
      setAsking(false);
    }
  };

  const change = async (patch: Partial<MailboxMarkSettings>) => {
    const next = { ...marks, ...patch };
    await saveAndReport({ mailboxMarks: next });
    // Write access is asked for only now, when an option needs it, and only where it is missing.
    if (wantsMailboxWriteAccess(next) && !wantsMailboxWriteAccess(marks)) await ask();
  };

  const writing = wantsMailboxWriteAccess(marks);
  return (
    <section aria-labelledby="marks-heading" className="card">
      <h2 id="marks-heading">In the mailbox</h2>
      <p className="hint">
        Show in Gmail and Outlook which emails reached the CRM. Only emails the CRM confirmed are marked:
        never one that was skipped or could not be delivered.
      </p>
      <fieldset>
        <legend>Mark logged emails</legend>
        <ToggleField
          label="Label logged emails"
          description="Gmail: a label; Outlook: a category. Needs permission to change your mail."
          checked={marks.labelLogged}
          onChange={(labelLogged) => void change({ labelLogged })}
        />
        <NameField
          label="Gmail label"
          value={marks.gmailLabel}
          hint="Use “/” to nest it under another label."
          onSave={(gmailLabel) => change({ gmailLabel })}
        />
        <NameField
          label="Outlook category"
          value={marks.outlookCategory}
          onSave={(outlookCategory) => change({ outlookCategory })}
        />
        <ToggleField
          label="Archive received emails once they are logged"
          description="They leave the inbox and stay in All Mail (Gmail) or Archive (Outlook); move them back at any time. Sent mail is never moved."
          checked={marks.archiveLogged}
          onChange={(archiveLogged) => void change({ archiveLogged })}
        />
        <ToggleField
          label="Show “In CRM” in Gmail’s email list"
          description="A small marker on logged conversations, drawn by the extension; needs no extra permission."
          checked={marks.threadListMarker}
          onChange={(threadListMarker) => void change({ threadListMarker })}
        />
      </fieldset>
      <SaveStatusMessage status={status} />
      {writing && (
        <WriteAccessList access={access} asking={asking} onAsk={(id) => void ask(id)} loadError={loadError} />
      )}
      <details>
        <summary>What the permissions allow</summary>
        {(['gmail', 'outlook'] as const).map((provider) => {
          const w = SCOPE_WORDING[provider];
          return (
            <p key={provider}>
              <strong>{w.scope}</strong> lets the extension {w.allows}. {w.restricted}{' '}
              <a href={w.source} target="_blank" rel="noreferrer">
                {w.sourceName}
              </a>
              . Without it, logging goes on as before and nothing in the mailbox changes.
            </p>
          );
        })}
      </details>
    </section>
  );
}

function WriteAccessList(props: {
  access: MailboxWriteAccess[] | null;
  asking: boolean;
  loadError: string | null;
  onAsk(id: string): void;
}) {
  if (props.loadError) return <p role="alert">{props.loadError}</p>;
  if (props.access === null)
    return (
      <p role="status" aria-busy="true">
        Checking the mailboxes…
      </p>
    );
  if (props.access.length === 0) return <p className="hint">Connect a mailbox below to mark its emails.</p>;
  return (
    <ul className="plain-list" aria-label="Marks per mailbox">
      {props.access.map((m) => (
        <li key={m.mailboxId}>
          <strong>{m.address}</strong>:{' '}
          {m.granted ? (
            <span>active</span>
          ) : (
            <>
              <span>
                not active —{' '}
                {m.refusal
                  ? describeError(m.refusal, 'mailbox').text
                  : `${SCOPE_WORDING[m.provider].scope} has not been granted yet.`}
              </span>{' '}
              <button type="button" disabled={props.asking} onClick={() => props.onAsk(m.mailboxId)}>
                {props.asking ? 'Waiting for the sign-in window…' : 'Grant permission'}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function NameField(props: {
  label: string;
  value: string;
  hint?: string;
  onSave(value: string): Promise<void>;
}) {
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(draft.trim());
      }}
    >
      <label htmlFor={id}>{props.label}</label>
      <input id={id} value={draft} maxLength={100} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit" disabled={draft.trim() === props.value || draft.trim() === ''}>
        Save
      </button>
      {props.hint && <p className="hint">{props.hint}</p>}
    </form>
  );
}
