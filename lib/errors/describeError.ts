import type { ErrorInfo, ErrorKind, ErrorSource } from './ErrorInfo';
import { toErrorInfo } from './toErrorInfo';

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

/** What to change in the app registration, by the provider's code (see toErrorInfo). */
const APP_REGISTRATION_ADVICE: Record<string, { title: string; text: string }> = {
  AADSTS9002326: {
    title: 'Microsoft refused the app registration',
    text: 'Microsoft lets the extension sign in only when its redirect URI is registered as a Single-page application (AADSTS9002326). In the Microsoft Entra admin center, open the app registration → Authentication, add https://<extension id>.chromiumapp.org/ under “Single-page application” and remove it from “Mobile and desktop applications”, then connect again.',
  },
};

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
    const registration = info.providerCode ? APP_REGISTRATION_ADVICE[info.providerCode] : undefined;
    if (registration) return { ...registration, action: 'open_settings' };
    const vendor = info.source ? OAUTH_VENDORS[info.source] : undefined;
    if (vendor)
      return {
        title: `${vendor} sign-in is not set up`,
        text: `Add the ${vendor} OAuth client id in the settings first.`,
        action: 'open_settings',
      };
    if (context === 'settings')
      return { title: 'Not connected', text: 'Enter a base URL and a token first.', action: null };
    return {
      title: 'Connect your CRM',
      text: 'The CRM is not configured yet. Add its address and your token in the settings.',
      action: 'open_settings',
    };
  },
  auth: ({ info, context, Service }) => {
    if (isMailbox(info))
      return {
        title: `${Service} needs you to sign in again`,
        text: `Access to the mailbox was revoked or has expired. Reconnect it to resume syncing; it continues where it stopped.`,
        action: 'reconnect',
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
  cancelled: ({ info, Service }) => ({
    title: 'Sign-in cancelled',
    text: `The sign-in${info.source && info.source !== 'extension' ? ` to ${Service}` : ''} was cancelled before it finished. Nothing was changed.`,
    action: null,
  }),
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

/** The one place that turns a failure (thrown or as ErrorInfo) into words for the user. */
export function describeError(error: unknown, context: ErrorContext): ErrorWording {
  const info = isErrorInfo(error) ? error : toErrorInfo(error);
  const service = SERVICE_NAMES[info.source ?? (context === 'mailbox' ? 'extension' : 'crm')];
  const Service = service.charAt(0).toUpperCase() + service.slice(1);
  return { kind: info.kind, ...WORDING[info.kind]({ info, context, service, Service }) };
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
