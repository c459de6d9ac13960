import { BackgroundCore, type BackgroundCoreOptions } from '../../../lib/background/BackgroundCore';
import { CrmSidebarBackground, type MailboxView } from '../../../lib/background/CrmSidebarBackground';
import { SettingsService } from '../../../lib/background/SettingsService';
import { EventLog } from '../../../lib/store/EventLog';

/**
 * The background without the browser's sign-ins and mailbox services (each test passes
 * its own connector), built in the same order as lib/background/composeBackground.
 */
export function backgroundForTest(
  options: Omit<BackgroundCoreOptions, 'settings' | 'events'> & { version: string; mailboxes?: MailboxView },
): CrmSidebarBackground {
  const { version, mailboxes, ...coreOptions } = options;
  const settings = new SettingsService(options.db, options.now);
  const events = new EventLog(options.db, { now: options.now });
  const core = new BackgroundCore({ ...coreOptions, settings, events });
  return new CrmSidebarBackground({ core, version, mailboxes });
}
