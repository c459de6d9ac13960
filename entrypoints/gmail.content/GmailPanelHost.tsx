import { createRoot, type Root } from 'react-dom/client';
import type { PanelHost } from '../../lib/mail/gmail/inboxsdk/PanelHost';
import type { ThreadSnapshot } from '../../lib/mail/MailMessage';

/**
 * What the Gmail sidebar shows until the shared panel (components/panel) is plugged in:
 * the thread's participants other than the user and whether each message's Message-ID is
 * exact. It renders into a shadow root inside InboxSDK's sidebar element so Gmail's CSS and
 * ours cannot reach each other. To use the shared panel, pass another `PanelHost` to
 * `startGmailThreadAdapter` (or change `render` below to draw it).
 */
function ThreadParticipants({ snapshot }: { snapshot: ThreadSnapshot }) {
  const people = new Map<string, string>();
  for (const message of snapshot.messages) {
    for (const person of [message.from, ...message.to, ...message.cc]) {
      if (person && person.address !== snapshot.mailbox && !people.has(person.address)) {
        people.set(person.address, person.name);
      }
    }
  }
  const exact = snapshot.messages.filter((m) => m.messageId !== null).length;
  return (
    <section
      aria-label="CRM sidebar"
      data-testid="crm-panel"
      style={{ font: '13px system-ui, sans-serif', padding: 12 }}
    >
      <h2 style={{ fontSize: 14, margin: '0 0 8px' }}>{snapshot.subject || '(no subject)'}</h2>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {[...people].map(([address, name]) => (
          <li key={address} style={{ marginBottom: 6 }}>
            {name ? (
              <>
                <strong>{name}</strong> <span>{address}</span>
              </>
            ) : (
              address
            )}
          </li>
        ))}
      </ul>
      <p style={{ color: '#555' }}>
        {snapshot.messages.length} message(s) read, {exact} with an exact Message-ID.
      </p>
    </section>
  );
}

export function createGmailPanelHost(): PanelHost {
  const roots = new WeakMap<HTMLElement, Root>();
  return {
    render(element, snapshot) {
      let root = roots.get(element);
      if (!root) {
        const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
        const container = element.ownerDocument.createElement('div');
        shadow.append(container);
        root = createRoot(container);
        roots.set(element, root);
      }
      root.render(<ThreadParticipants snapshot={snapshot} />);
    },
    unmount(element) {
      roots.get(element)?.unmount();
      roots.delete(element);
    },
  };
}
