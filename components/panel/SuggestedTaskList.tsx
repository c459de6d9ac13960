import { useState } from 'react';
import type { TaskInput } from '../../lib/crm/contract';
import { describeError } from '../../lib/errors/describeError';
import type { SuggestedTask } from '../../lib/panel/features/suggestedFollowUps';
import type { PanelSection } from './panelSections';
import { whenTrusted } from './whenTrusted';

type TaskState =
  | { step: 'idle' }
  | { step: 'saving' }
  | { step: 'done'; existed: boolean }
  | { step: 'failed'; message: string };

export interface SuggestedTaskListProps {
  tasks: SuggestedTask[];
  createTask(task: TaskInput): Promise<{ status: 'created' | 'existing' }>;
  onAnnounce(text: string): void;
}

/** Follow-ups proposed by the user's keyword rules; nothing is created without a click. */
export function SuggestedTaskList({ tasks, createTask, onAnnounce }: SuggestedTaskListProps) {
  const [states, setStates] = useState<Record<string, TaskState>>({});
  if (tasks.length === 0) return null;

  const create = async (task: SuggestedTask) => {
    if (states[task.key]?.step === 'saving') return;
    setStates((s) => ({ ...s, [task.key]: { step: 'saving' } }));
    try {
      const { status } = await createTask({
        contactId: task.contactId,
        title: task.title,
        priority: task.priority,
        dueAt: task.dueAt,
        sourceExternalId: task.sourceExternalId,
      });
      setStates((s) => ({ ...s, [task.key]: { step: 'done', existed: status === 'existing' } }));
      onAnnounce(status === 'existing' ? `“${task.title}” already exists.` : `Created task “${task.title}”.`);
    } catch (error) {
      setStates((s) => ({ ...s, [task.key]: { step: 'failed', message: describeError(error, 'crm').text } }));
    }
  };

  return (
    <section className="crm-section" aria-label="Suggested follow-ups">
      <h3 className="crm-heading">Suggested follow-ups</h3>
      <ul className="crm-tasks">
        {tasks.map((task) => {
          const state = states[task.key] ?? { step: 'idle' };
          return (
            <li key={task.key} className="crm-task">
              <div className="crm-task-what">
                <strong>{task.title}</strong>
                <span className="crm-muted">
                  {task.contactName} · {task.priority} priority
                  {task.dueAt ? ` · due ${new Date(task.dueAt).toLocaleDateString()}` : ''}
                </span>
                <span className="crm-muted">{task.reason}</span>
              </div>
              {state.step === 'done' ? (
                <span className="crm-logged">{state.existed ? 'Already in the CRM' : 'Task created'}</span>
              ) : (
                <button
                  type="button"
                  className="crm-button"
                  disabled={state.step === 'saving'}
                  onClick={whenTrusted(() => void create(task))}
                  aria-label={`Create task “${task.title}” for ${task.contactName}`}
                >
                  {state.step === 'saving' ? 'Creating…' : 'Create task'}
                </button>
              )}
              {state.step === 'failed' && (
                <p className="crm-error" role="alert">
                  {state.message}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The panel section of lib/panel/features/suggestedFollowUps. */
export const suggestedFollowUpsSection: PanelSection = {
  id: 'suggestedTasks',
  Section: ({ view, api, onAnnounce }) => (
    <SuggestedTaskList
      tasks={view.suggestedTasks}
      createTask={(task) => api.task.create({ task })}
      onAnnounce={onAnnounce}
    />
  ),
  styles: `
.crm-panel .crm-tasks { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.crm-panel .crm-task { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 6px; }
.crm-panel .crm-task-what { display: flex; flex-direction: column; min-width: 0; }
`,
};
