import { useId, useRef, useState } from 'react';
import { KeywordRule } from '../../lib/settings/Settings';
import { usePolicy } from '../shared/PolicyContext';
import { OrganisationEntries, PolicyLock } from '../shared/PolicyLock';
import { ACTION_LABELS, FIELD_LABELS, KeywordRulesTable, PRIORITY_LABELS } from './KeywordRulesTable';
import { SaveStatusMessage } from './SaveStatusMessage';
import { SelectOptions } from './SelectOptions';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface KeywordRulesEditorProps {
  rules: KeywordRule[];
  save: SaveSettings;
  /** Ids for new rules; injectable so tests can predict them. */
  newId?: () => string;
}

type RuleField = 'field' | 'keyword' | 'action' | 'taskTitle' | 'priority' | 'dueInDays';
/** The fields chosen from a fixed list. */
type ChoiceField = 'field' | 'action' | 'priority';

interface RuleDraft {
  field: KeywordRule['field'];
  keyword: string;
  action: KeywordRule['action'];
  taskTitle: string;
  priority: KeywordRule['priority'];
  /** As typed: empty means no due date. */
  dueInDays: string;
}

const EMPTY_DRAFT: RuleDraft = {
  field: 'subject',
  keyword: '',
  action: 'propose_task',
  taskTitle: '',
  priority: 'normal',
  dueInDays: '',
};

const FIELD_ERRORS: Partial<Record<RuleField, string>> = {
  keyword: 'Enter a keyword (200 characters at most).',
  taskTitle: 'Enter a task title (500 characters at most).',
  dueInDays: 'Enter a whole number of days from 0 to 365, or leave it empty for no due date.',
};

function draftOf(rule: KeywordRule): RuleDraft {
  return { ...rule, dueInDays: rule.dueInDays === null ? '' : String(rule.dueInDays) };
}

function parseDraft(
  draft: RuleDraft,
  id: string,
): { ok: true; rule: KeywordRule } | { ok: false; errors: Partial<Record<RuleField, string>> } {
  const dueText = draft.dueInDays.trim();
  const parsed = KeywordRule.safeParse({
    ...draft,
    id,
    dueInDays: dueText === '' ? null : /^\d+$/.test(dueText) ? Number(dueText) : Number.NaN,
  });
  if (parsed.success) return { ok: true, rule: parsed.data };
  const errors: Partial<Record<RuleField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as RuleField;
    errors[field] ??= FIELD_ERRORS[field] ?? issue.message;
  }
  return { ok: false, errors };
}

/**
 * Rules that turn a keyword in a logged email into a task: listed in a table, added and
 * edited in one form below it. The whole list is saved on each change.
 */
export function KeywordRulesEditor({
  rules,
  save,
  newId = () => crypto.randomUUID(),
}: KeywordRulesEditorProps) {
  const [draft, setDraft] = useState<RuleDraft>(EMPTY_DRAFT);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<RuleField, string>>>({});
  const { status, save: saveAndReport } = useSaveStatus(save);
  const idPrefix = useId();
  const keywordInput = useRef<HTMLInputElement>(null);
  const inputId = (field: RuleField) => `${idPrefix}-${field}`;
  const errorId = (field: RuleField) => `${idPrefix}-${field}-error`;

  function update<F extends keyof RuleDraft>(field: F, value: RuleDraft[F]) {
    setDraft((current) => ({ ...current, [field]: value }));
  }

  function startEditing(rule: KeywordRule) {
    setEditingId(rule.id);
    setDraft(draftOf(rule));
    setErrors({});
    // The form sits below the table; move focus there so keyboard users land on it.
    keywordInput.current?.focus();
  }

  function stopEditing() {
    setEditingId(null);
    setDraft(EMPTY_DRAFT);
    setErrors({});
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const parsed = parseDraft(draft, editingId ?? newId());
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    const next = editingId
      ? rules.map((rule) => (rule.id === editingId ? parsed.rule : rule))
      : [...rules, parsed.rule];
    if (await saveAndReport({ keywordRules: next })) stopEditing();
  }

  async function remove(rule: KeywordRule) {
    if (await saveAndReport({ keywordRules: rules.filter((r) => r.id !== rule.id) })) {
      if (editingId === rule.id) stopEditing();
    }
  }

  const fieldProps = (field: RuleField) => ({
    id: inputId(field),
    'aria-invalid': errors[field] !== undefined,
    'aria-describedby': errors[field] ? errorId(field) : undefined,
  });
  const fieldError = (field: RuleField) =>
    errors[field] && (
      <p id={errorId(field)} className="field-error">
        {errors[field]}
      </p>
    );
  const choiceField = <F extends ChoiceField>(
    field: F,
    label: string,
    labels: Record<RuleDraft[F], string>,
  ) => (
    <div className="field">
      <label htmlFor={inputId(field)}>{label}</label>
      <select
        {...fieldProps(field)}
        value={draft[field]}
        onChange={(e) => update(field, e.target.value as RuleDraft[F])}
      >
        <SelectOptions options={Object.entries<string>(labels)} />
      </select>
    </div>
  );

  const organisationRules = usePolicy().organisationEntries.keywordRules;
  return (
    <section aria-labelledby="keyword-rules-heading" className="card">
      <h2 id="keyword-rules-heading">Keyword rules</h2>
      <p className="hint">
        When a logged email contains a keyword (whole words, any case), suggest or create a task in the CRM.
      </p>
      <KeywordRulesTable
        rules={rules}
        editingId={editingId}
        onEdit={startEditing}
        onRemove={(rule) => void remove(rule)}
      />
      <OrganisationEntries
        label="Also applied"
        entries={organisationRules.map((rule) => `“${rule.keyword}” → ${rule.taskTitle}`)}
      />
      <PolicyLock policies={['keywordRules']}>
        <form onSubmit={submit} noValidate>
          <fieldset>
            <legend>{editingId ? 'Edit rule' : 'Add a rule'}</legend>
            <div className="grid">
              {choiceField('field', 'Look in', FIELD_LABELS)}
              <div className="field">
                <label htmlFor={inputId('keyword')}>Keyword</label>
                <input
                  {...fieldProps('keyword')}
                  ref={keywordInput}
                  type="text"
                  value={draft.keyword}
                  onChange={(e) => update('keyword', e.target.value)}
                />
                {fieldError('keyword')}
              </div>
              {choiceField('action', 'Action', ACTION_LABELS)}
              <div className="field">
                <label htmlFor={inputId('taskTitle')}>Task title</label>
                <input
                  {...fieldProps('taskTitle')}
                  type="text"
                  value={draft.taskTitle}
                  onChange={(e) => update('taskTitle', e.target.value)}
                />
                {fieldError('taskTitle')}
              </div>
              {choiceField('priority', 'Priority', PRIORITY_LABELS)}
              <div className="field">
                <label htmlFor={inputId('dueInDays')}>Due in days</label>
                <input
                  {...fieldProps('dueInDays')}
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={365}
                  step={1}
                  placeholder="none"
                  value={draft.dueInDays}
                  onChange={(e) => update('dueInDays', e.target.value)}
                />
                {fieldError('dueInDays')}
              </div>
            </div>
            <div className="actions">
              <button type="submit" className="primary" disabled={status.state === 'saving'}>
                {editingId ? 'Save rule' : 'Add rule'}
              </button>
              {editingId && (
                <button type="button" onClick={stopEditing}>
                  Cancel
                </button>
              )}
            </div>
          </fieldset>
        </form>
      </PolicyLock>
      <SaveStatusMessage status={status} />
    </section>
  );
}
