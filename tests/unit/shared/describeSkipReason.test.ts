import { describe, expect, it } from 'vitest';
import { describeSkipReason } from '../../../components/shared/describeSkipReason';

describe('describeSkipReason', () => {
  it('words the sync’s automated-mail skip kinds', () => {
    expect(describeSkipReason('automated:newsletter')).toBe('newsletters');
    expect(describeSkipReason('automated:bounce')).toBe('bounces');
    expect(describeSkipReason('automated:auto_reply')).toBe('auto-replies');
    expect(describeSkipReason('automated:mailing_list')).toBe('mailing lists');
    expect(describeSkipReason('automated:report')).toBe('automated reports');
    expect(describeSkipReason('automated:notification')).toBe('automated notifications');
  });

  it('falls back to the key made readable', () => {
    expect(describeSkipReason('some_new_reason')).toBe('some new reason');
  });
});
