import type { KeywordRule } from '../../lib/settings/Settings';

export const FIELD_LABELS: Record<KeywordRule['field'], string> = {
  subject: 'Subject',
  body: 'Body',
  subject_or_body: 'Subject or body',
};
export const ACTION_LABELS: Record<KeywordRule['action'], string> = {
  propose_task: 'Suggest a task',
  create_task: 'Create the task',
};
export const PRIORITY_LABELS: Record<KeywordRule['priority'], string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
};

export interface KeywordRulesTableProps {
  rules: KeywordRule[];
  /** The rule in the form below, marked in its row. */
  editingId: string | null;
  onEdit(rule: KeywordRule): void;
  onRemove(rule: KeywordRule): void;
}

/** The saved keyword rules, one row each with Edit and Remove; an empty state without any. */
export function KeywordRulesTable({ rules, editingId, onEdit, onRemove }: KeywordRulesTableProps) {
  return rules.length === 0 ? (
    <p className="empty">
      <strong>No keyword rules yet.</strong> Logged emails suggest no follow-up tasks until you add a rule
      below, for example the keyword “pricing” with the task “Send the price list”.
    </p>
  ) : (
    <table className="rules-table">
      <caption className="visually-hidden">Keyword rules</caption>
      <thead>
        <tr>
          <th scope="col">Look in</th>
          <th scope="col">Keyword</th>
          <th scope="col">Action</th>
          <th scope="col">Task title</th>
          <th scope="col">Priority</th>
          <th scope="col">Due in</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => (
          <tr key={rule.id} aria-current={rule.id === editingId ? 'true' : undefined}>
            <td>{FIELD_LABELS[rule.field]}</td>
            <td>{rule.keyword}</td>
            <td>{ACTION_LABELS[rule.action]}</td>
            <td>{rule.taskTitle}</td>
            <td>{PRIORITY_LABELS[rule.priority]}</td>
            <td>{rule.dueInDays === null ? '—' : `${rule.dueInDays} days`}</td>
            <td className="row-actions">
              <button type="button" onClick={() => onEdit(rule)} aria-label={`Edit rule “${rule.keyword}”`}>
                Edit
              </button>
              <button
                type="button"
                onClick={() => onRemove(rule)}
                aria-label={`Remove rule “${rule.keyword}”`}
              >
                Remove
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
