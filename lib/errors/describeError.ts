import type { ErrorInfo, ErrorKind, ErrorSource } from './ErrorInfo';
import { errorInfoOf } from './errorInfoOf';

/**
 * Where the failure is shown, which decides the advice: the panel talks about the CRM
 * data it could not load, the mailbox rows about syncing, the settings page about what
 * to change in the form.
 */
export type ErrorContext = 'crm' | 'mailbox' | 'settings';

/** What the UI may offer next to the sentence. */
export type ErrorAction = 'open_settings' | 'reconnect' | 'retry' | null;

export interface ErrorWording {
  kind: ErrorKind;
  /** A short headline ("Your CRM token was rejected"). */
  title: string;
  /** What happened and what to do, in one or two sentences. */
  text: string;
  action: ErrorAction;
}

interface WordingInput {
  info: ErrorInfo;
  context: ErrorContext;
  subject: ErrorSubject;
  /** "the CRM", "Gmail", "Outlook", "the extension": who failed, for the sentence. */
  service: string;
  /** The same, capitalised for the start of a sentence. */
  Service: string;
}

type Wording = (input: WordingInput) => Omit<ErrorWording, 'kind'>;

const SERVICE_NAMES: Record<ErrorSource, string> = {
  crm: 'the CRM',
  gmail: 'Gmail',
  outlook: 'Outlook',
  extension: 'the extension',
};

const OAUTH_VENDORS: Partial<Record<ErrorSource, string>> = { gmail: 'Google', outlook: 'Microsoft' };

/** Who the failure concerns, where the caller knows it (a mailbox row knows its address). */
export interface ErrorSubject {
  /** The signed-in account, e.g. the mailbox address to sign in as again. */
  account?: string;
}

/** The redirect URI to register, or where to find it when the failure did not carry it. */
function redirectUriOf(info: ErrorInfo): string {
  return info.redirectUri ?? 'the extension’s redirect URI (shown under Mail provider apps in the settings)';
}

/**
 * What to change in the app registration or the settings, by the provider's code (see
 * toErrorInfo for where each code's text is quoted). Google's codes only count for Gmail:
 * HubSpot and Salesforce answer `invalid_client` too, for other reasons.
 */
function registrationAdvice(info: ErrorInfo): { title: string; text: string } | undefined {
  const uri = redirectUriOf(info);
  switch (info.source === 'gmail' ? `gmail:${info.providerCode}` : info.providerCode) {
    case 'AADSTS9002326':
      return {
        title: 'Microsoft refused the app registration',
        text: `Microsoft lets the extension sign in only when its redirect URI is registered as a Single-page application (AADSTS9002326). In the Microsoft Entra admin center, open the app registration → Authentication, add ${uri} under “Single-page application” and remove it from “Mobile and desktop applications”, then connect again.`,
      };
    case 'AADSTS50011':
      return {
        title: 'The redirect URI is not registered with Microsoft',
        text: `Microsoft refused the sign-in because the app registration does not list the extension’s redirect URI (AADSTS50011). In the Microsoft Entra admin center, open the app registration → Authentication and add ${uri} exactly, with the trailing slash, under “Single-page application”, then connect again.`,
      };
    case 'AADSTS700016':
      return {
        title: 'Microsoft does not know this application',
        text: 'Microsoft found no application with the client id from the settings in the directory signed in to (AADSTS700016). Compare the Application (client) id under Mail provider apps with the app registration’s Overview in the Microsoft Entra admin center, and set the tenant to the one the app is registered in (or “organizations” for an app registered for any organisation), then connect again.',
      };
    case 'AADSTS65001':
      return {
        title: 'An administrator must approve the app',
        text: 'Microsoft has no consent to the app’s permissions (Mail.Read, User.Read) for this account, and in this organisation only an administrator may give it (AADSTS65001). An administrator grants it in the Microsoft Entra admin center → App registrations → the app → API permissions → “Grant admin consent”; then connect again.',
      };
    case 'gmail:redirect_uri_mismatch':
      return {
        title: 'The redirect URI is not registered with Google',
        text: `Google refused the sign-in because the OAuth client does not list the extension’s redirect URI (redirect_uri_mismatch). In Google Cloud console → APIs & Services → Credentials, open the Web application client and add ${uri} under “Authorized redirect URIs”, then connect again.`,
      };
    case 'gmail:invalid_client':
      return {
        title: 'Google refused the OAuth client',
        text: 'Google did not accept the client id or the client secret (invalid_client). In Google Cloud console → APIs & Services → Credentials, open the Web application client, check that its client id is the one under Mail provider apps, store its current client secret again, then connect again.',
      };
    default:
      return undefined;
  }
}

/** Why a mailbox's saved sign-in stopped working, by the provider's code where it names one. */
function reauthReason(info: ErrorInfo, vendor: string): string {
  if (info.code === 'mailbox_renewal_unavailable')
    return `The ${vendor} sign-in ran out, and ${vendor} does not renew it without you`;
  switch (info.providerCode) {
    case 'AADSTS700084':
      return 'Microsoft ends the extension’s sign-in after 24 hours, and it could not be renewed without you (AADSTS700084)';
    case 'AADSTS65001':
      return 'Microsoft no longer has consent to the app for this account (AADSTS65001; if the sign-in asks for an administrator, one must grant consent under API permissions in the Microsoft Entra admin center)';
    default:
      return `${vendor} no longer accepts the saved sign-in (it was revoked or has expired)`;
  }
}

function isMailbox(info: ErrorInfo): boolean {
  return info.source === 'gmail' || info.source === 'outlook';
}

function issueList(info: ErrorInfo): string | null {
  if (!info.issues?.length) return null;
  return info.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

function retryHint(info: ErrorInfo): string {
  if (info.retryAfterMs === undefined) return 'Try again in a minute.';
  const seconds = Math.max(1, Math.ceil(info.retryAfterMs / 1000));
  return seconds < 90 ? `Try again in ${seconds} s.` : `Try again in ${Math.ceil(seconds / 60)} min.`;
}

/**
 * THE wording of every error kind, for every context. `satisfies Record<ErrorKind, ...>`
 * makes a new kind without wording a compile error.
 */
const WORDING = {
  not_configured: ({ info, context }) => {
    const registration = registrationAdvice(info);
    if (registration) return { ...registration, action: 'open_settings' };
    const vendor = (info.source ? OAUTH_VENDORS[info.source] : undefined) ?? 'CRM';
    const settings = context === 'settings';
    // Stored rows from before codes: a mailbox's not_configured was its missing client id.
    switch (info.code ?? (isMailbox(info) ? 'oauth_client_id_missing' : 'crm_not_connected')) {
      case 'token_exchange_refused':
        return {
          title: 'The token exchange server is not set up for this sign-in',
          text: `The token exchange server under Mail provider apps cannot finish the ${vendor} sign-in (${info.issues?.[0]?.message ?? info.message}). Set the provider up on that server, or clear “Token exchange server” to sign in without it.`,
          action: 'open_settings',
        };
      case 'token_exchange_missing':
        return {
          title: 'Signing in needs the token exchange server',
          text: 'This sign-in needs the team’s token exchange server, which adds the app’s client secret (it never reaches the browser). Set it under Mail provider apps → Token exchange server, then sign in again.',
          action: settings ? null : 'open_settings',
        };
      case 'oauth_client_secret_missing':
        return {
          title: `${vendor} sign-in is not set up`,
          text: `${vendor} needs the client secret of your OAuth client at sign-in and at every refresh. Store it under Mail provider apps (“${vendor} client secret”), or set a token exchange server that adds it.`,
          action: 'open_settings',
        };
      case 'oauth_client_id_missing':
        return {
          title: `${vendor} sign-in is not set up`,
          text: `Add the ${vendor} OAuth client id in the settings first.`,
          action: 'open_settings',
        };
      case 'hubspot_not_signed_in':
        return settings
          ? { title: 'Not signed in', text: 'Sign in with HubSpot first.', action: null }
          : {
              title: 'Sign in with HubSpot',
              text: 'You are not signed in with HubSpot. Sign in with HubSpot in the settings to see HubSpot records here and log emails.',
              action: 'open_settings',
            };
      case 'hubspot_token_missing':
        return settings
          ? {
              title: 'Not connected',
              text: 'Enter the HubSpot token and your HubSpot login email first.',
              action: null,
            }
          : {
              title: 'Connect HubSpot',
              text: 'HubSpot is not connected yet. Add the private app’s token and your HubSpot login email in the settings.',
              action: 'open_settings',
            };
      case 'salesforce_not_signed_in':
        return settings
          ? { title: 'Not signed in', text: 'Sign in to Salesforce first.', action: null }
          : {
              title: 'Sign in to Salesforce',
              text: 'You are not signed in to Salesforce. Sign in to Salesforce in the settings to see its records here and log emails.',
              action: 'open_settings',
            };
      default:
        return settings
          ? { title: 'Not connected', text: 'Enter a base URL and a token first.', action: null }
          : {
              title: 'Connect your CRM',
              text: 'The CRM is not configured yet. Add its address and your token in the settings.',
              action: 'open_settings',
            };
    }
  },
  auth: ({ info, context, subject, Service }) => {
    if (info.code === 'shared_mailbox_denied')
      return {
        title: 'Microsoft refused the shared mailbox',
        text: `Microsoft did not open it for you (${info.message || 'no reason given'}). Ask your Microsoft 365 administrator to give you access to it, then connect it again and accept the permission to read mailboxes shared with you.`,
        action: null,
      };
    if (info.code === 'shared_mailbox_needs_own')
      return {
        title: 'Connect your own Outlook mailbox first',
        text: 'A shared mailbox is read with your own Microsoft sign-in. Connect your Outlook mailbox above, then the shared one.',
        action: null,
      };
    if (isMailbox(info)) {
      const vendor = OAUTH_VENDORS[info.source ?? 'gmail'] ?? Service;
      const as = subject.account ? ` as ${subject.account}` : '';
      if (info.code === 'mailbox_account_changed')
        return {
          title: `${Service} signed in as another account`,
          text: `Renewing the sign-in returned a different ${vendor} account than this mailbox's, so syncing is paused. Sign in to ${vendor} again${as} to resume syncing.`,
          action: 'reconnect',
        };
      return {
        title: `${Service} needs you to sign in again`,
        text: `${reauthReason(info, vendor)}, so syncing is paused. Sign in to ${vendor} again${as} to resume syncing; it continues where it stopped.`,
        action: 'reconnect',
      };
    }
    if (info.code === 'crm_sign_in_ended')
      return {
        title: 'Sign in to your CRM again',
        text: `Your CRM sign-in ended or was refused (${info.message || 'no reason given'}). Sign in again in the settings; nothing is lost, logging resumes after.`,
        action: context === 'settings' ? null : 'open_settings',
      };
    if (info.code === 'activity_not_yours')
      return {
        title: 'Only the rep who logged it can change it',
        text: 'The CRM lets only the rep who logged this email, or an admin, remove, move or redact it. Ask them, or an admin of your CRM.',
        action: null,
      };
    if (info.code === 'crm_user_unknown')
      return {
        title: 'The CRM does not know your login email',
        text: `${info.message} Enter the email you sign in to the CRM with in the settings.`,
        action: context === 'settings' ? null : 'open_settings',
      };
    if (context === 'settings')
      return {
        title: 'Wrong token',
        text: 'Wrong token: the CRM refused it. Check the token, or create a new one in the CRM.',
        action: null,
      };
    return {
      title: 'Your CRM token was rejected',
      text: 'It may have expired or been revoked. Enter a new token in the settings.',
      action: 'open_settings',
    };
  },
  cancelled: ({ info, service, Service }) => {
    // The panel refused a click it could not trust (components/panel/PanelClickGuard).
    const refusedClick = info.issues?.find((issue) => issue.path === PANEL_CLICK_REFUSED);
    if (refusedClick)
      return {
        title: 'Click not accepted',
        text: `Nothing was done: ${refusedClick.message}. Make sure nothing covers the CRM panel, then click again.`,
        action: null,
      };
    // The sign-in went through but without the permission to change mail (a box left unticked).
    if (info.issues?.some((i) => i.path === MAILBOX_WRITE_SCOPE_ISSUE))
      return {
        title: 'Permission not granted',
        text: `${Service} did not grant permission to change mail: its box was left unticked on the consent page. Logging goes on as before; nothing in the mailbox is marked until permission is granted.`,
        action: null,
      };
    const cancelled = `The sign-in${info.source && info.source !== 'extension' ? ` to ${service}` : ''} was cancelled before it finished. Nothing was changed.`;
    // An error page at the provider (unknown client id, unregistered redirect URI) ends
    // only when the window is closed: the extension cannot tell that from a change of mind.
    const errorPages =
      info.source === 'outlook'
        ? 'such as AADSTS50011 or AADSTS700016'
        : info.source === 'gmail'
          ? 'such as “Error 400: redirect_uri_mismatch” or “Error 401: invalid_client”'
          : undefined;
    return {
      title: 'Sign-in cancelled',
      text: errorPages
        ? `${cancelled} If the sign-in window showed an error (${errorPages}), the app registration must list ${redirectUriOf(info)} as a redirect URI, and the client id under Mail provider apps must be the registration’s.`
        : cancelled,
      action: null,
    };
  },
  not_found: ({ info, context, Service }) => {
    if (context === 'settings' && !isMailbox(info))
      return {
        title: 'Nothing at that address',
        text: 'Nothing answers at that address: the base URL is probably wrong (the extension adds /api/v1 itself).',
        action: null,
      };
    return {
      title: 'Not found',
      text: `${Service} no longer has this item. Reload to see the current data.`,
      action: 'retry',
    };
  },
  unsupported: ({ info, Service }) => ({
    title: 'Not available in this CRM',
    text: `${Service} cannot do this from the sidebar${info.message ? ` (${info.message})` : ''}.`,
    action: null,
  }),
  conflict: ({ Service }) => ({
    title: 'Already there',
    text: `${Service} already has this record.`,
    action: null,
  }),
  invalid_request: ({ info, Service }) => {
    const issues = issueList(info);
    return {
      title: 'Request rejected',
      text: `${Service} rejected the request (${issues ?? (info.message || 'no reason given')}).`,
      action: null,
    };
  },
  invalid_settings: ({ info }) => ({
    title: 'Settings not valid',
    text: issueList(info) ?? `The settings are not valid (${info.message}).`,
    action: null,
  }),
  rate_limited: ({ info, Service }) => ({
    title: `${Service} is busy`,
    text: `${Service} asked us to slow down. ${retryHint(info)}`,
    action: 'retry',
  }),
  server: ({ info, context, Service }) => ({
    title: `${Service} had a problem`,
    text:
      context === 'settings' && !isMailbox(info)
        ? 'The CRM had an internal error. Try again later, or ask whoever runs it.'
        : `${Service} had a problem answering. Try again in a moment.`,
    action: 'retry',
  }),
  network: ({ info, context, service, Service }) => {
    if (context === 'settings' && !isMailbox(info))
      return {
        title: 'Can’t reach the server',
        text: 'Can’t reach the server: check the base URL, and that the CRM is running and reachable from this computer.',
        action: null,
      };
    return {
      title: `Can’t reach ${service}`,
      text:
        context === 'mailbox'
          ? `${Service} could not be reached. Check your connection; the sync tries again on its next run.`
          : `${Service} could not be reached. Check your connection and try again.`,
      action: 'retry',
    };
  },
  invalid_response: ({ info, context, Service }) => {
    if (info.code === 'salesforce_instance_missing')
      return {
        title: 'Salesforce did not name the org’s instance',
        text: 'Salesforce answered the sign-in without the address of your org’s instance, so the extension cannot reach it. Sign in again; if it repeats, ask your Salesforce admin to check the connected app.',
        action: context === 'settings' ? null : 'retry',
      };
    if (info.code === 'graph_delta_incomplete')
      return {
        title: 'Outlook stopped the sync midway',
        text: 'Microsoft Graph answered a page of changes without saying where to continue. The sync tries again on its next run; messages already logged are not logged twice.',
        action: 'retry',
      };
    if (context === 'settings' && !isMailbox(info))
      return {
        title: 'Not a CRM',
        text: 'The server answered, but not as a CRM that speaks the contract. Check that the base URL points at the CRM itself.',
        action: null,
      };
    return {
      title: 'Unreadable answer',
      text: `${Service} sent an answer the extension could not read.`,
      action: 'retry',
    };
  },
  invalid_message: ({ info }) => ({
    title: 'Request not accepted',
    text: `The extension could not accept this request${issueList(info) ? ` (${issueList(info)})` : ''}. Try reloading the page.`,
    action: null,
  }),
  too_large: ({ info }) => ({
    title: 'This thread is too large for the sidebar',
    text: `The page shows more than the sidebar takes from it${issueList(info) ? ` (${issueList(info)})` : ''}, so it shows nothing about this thread. Nothing was sent to the CRM and nothing was changed. Mail you send is still logged by the mailbox sync, which reads it from the mailbox, not from this page.`,
    action: null,
  }),
  invalid_reply: () => ({
    title: 'No answer',
    text: 'The extension’s background did not answer. Try reopening this page.',
    action: 'retry',
  }),
  storage: ({ info }) => ({
    title: 'Browser storage failed',
    text: `The extension could not use the browser’s storage (${info.message}). Free some disk space or restart the browser.`,
    action: 'retry',
  }),
  internal: ({ info }) => ({
    title: 'Something went wrong',
    text: `Something went wrong (${info.message || 'no details'}).`,
    action: 'retry',
  }),
} satisfies Record<ErrorKind, Wording>;

/** The issue path of a sign-in that did not grant the mailbox write scope (MailboxService.grantWriteAccess). */
export const MAILBOX_WRITE_SCOPE_ISSUE = 'mailbox.writeScope';

/** The issue path of a click the panel refused (covered, too soon, no gesture): kind `cancelled`. */
export const PANEL_CLICK_REFUSED = 'panel.click';

/** The one place that turns a failure (thrown or as ErrorInfo) into words for the user. */
export function describeError(
  error: unknown,
  context: ErrorContext,
  subject: ErrorSubject = {},
): ErrorWording {
  const info = isErrorInfo(error) ? error : errorInfoOf(error);
  const service = SERVICE_NAMES[info.source ?? (context === 'mailbox' ? 'extension' : 'crm')];
  const Service = service.charAt(0).toUpperCase() + service.slice(1);
  return { kind: info.kind, ...WORDING[info.kind]({ info, context, subject, service, Service }) };
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as ErrorInfo).kind === 'string' &&
    typeof (value as ErrorInfo).message === 'string' &&
    Object.hasOwn(WORDING, (value as ErrorInfo).kind)
  );
}
