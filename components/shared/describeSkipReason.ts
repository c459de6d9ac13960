const SKIP_REASONS: Record<string, string> = {
  automated: 'automated mail',
  automated_mail: 'automated mail',
  'automated:bounce': 'bounces',
  'automated:auto_reply': 'auto-replies',
  'automated:report': 'automated reports',
  'automated:mailing_list': 'mailing lists',
  'automated:newsletter': 'newsletters',
  'automated:notification': 'automated notifications',
  excluded_domain: 'excluded domain',
  free_mail: 'free-mail provider',
  org: 'your own organisation',
  org_domain: 'your own organisation',
  user_list: 'excluded domain',
  no_message_id: 'no Message-ID',
  already_logged: 'already logged',
  no_contact: 'no matching contact',
  unknown_contact: 'no matching contact',
  out_of_window: 'outside the import window',
  junk: 'junk or trash',
  invalid: 'unreadable message',
  refused_by_crm: 'set aside: values the CRM refuses',
};

/** Plain words for a sync skip reason; unknown reasons fall back to their key made readable. */
export function describeSkipReason(reason: string): string {
  return SKIP_REASONS[reason] ?? reason.replaceAll('_', ' ');
}
