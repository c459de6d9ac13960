// @vitest-environment happy-dom
import { cleanup, fireEvent, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeywordRule } from '../../../lib/settings/Settings';
import { findRegion, renderOptions, type Scope } from './renderOptions';

afterEach(cleanup);

function rulesEditor(): Promise<Scope> {
  return findRegion('Keyword rules');
}

function fillRule(
  editor: Scope,
  values: Partial<
    Record<'Look in' | 'Keyword' | 'Action' | 'Task title' | 'Priority' | 'Due in days', string>
  >,
) {
  for (const [label, value] of Object.entries(values)) {
    fireEvent.change(editor.getByLabelText(label), { target: { value } });
  }
}

function rows(editor: Scope) {
  return editor
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .slice(0, 6)
        .map((cell) => cell.textContent),
    );
}

const QUOTE_RULE: KeywordRule = {
  id: 'r1',
  field: 'subject',
  keyword: 'quote',
  action: 'propose_task',
  taskTitle: 'Send the quote',
  priority: 'normal',
  dueInDays: 2,
};

describe('keyword rules', () => {
  it('adds a rule from the form', async () => {
    const { store } = renderOptions();
    const editor = await rulesEditor();
    expect(editor.getByText('No keyword rules yet.')).toBeTruthy();
    fillRule(editor, {
      'Look in': 'subject_or_body',
      Keyword: ' urgent ',
      Action: 'create_task',
      'Task title': 'Call back today',
      Priority: 'high',
      'Due in days': '1',
    });
    fireEvent.click(editor.getByRole('button', { name: 'Add rule' }));

    await editor.findByText('Saved');
    expect(rows(editor)).toEqual([
      ['Subject or body', 'urgent', 'Create the task', 'Call back today', 'High', '1 days'],
    ]);
    const [saved] = store.current().keywordRules;
    expect(saved).toMatchObject({
      field: 'subject_or_body',
      keyword: 'urgent',
      action: 'create_task',
      taskTitle: 'Call back today',
      priority: 'high',
      dueInDays: 1,
    });
    expect(saved!.id).not.toBe('');
    expect((editor.getByLabelText('Keyword') as HTMLInputElement).value).toBe('');
  });

  it('shows validation messages beside the fields and saves nothing', async () => {
    const { background } = renderOptions();
    const editor = await rulesEditor();
    fillRule(editor, { Keyword: '   ', 'Due in days': '400' });
    fireEvent.click(editor.getByRole('button', { name: 'Add rule' }));

    expect(await editor.findByText('Enter a keyword (200 characters at most).')).toBeTruthy();
    expect(editor.getByText('Enter a task title (500 characters at most).')).toBeTruthy();
    expect(
      editor.getByText('Enter a whole number of days from 0 to 365, or leave it empty for no due date.'),
    ).toBeTruthy();
    const keyword = editor.getByLabelText('Keyword');
    expect(keyword.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(keyword.getAttribute('aria-describedby')!)?.textContent).toBe(
      'Enter a keyword (200 characters at most).',
    );
    expect(background.callsOf('settings.update')).toEqual([]);
  });

  it('edits a rule in place', async () => {
    const { store } = renderOptions({ settings: { keywordRules: [QUOTE_RULE] } });
    const editor = await rulesEditor();
    fireEvent.click(editor.getByRole('button', { name: 'Edit rule “quote”' }));
    expect(editor.getByRole('group', { name: 'Edit rule' })).toBeTruthy();
    expect(document.activeElement).toBe(editor.getByLabelText('Keyword'));
    fillRule(editor, { Keyword: 'quotation', 'Due in days': '' });
    fireEvent.click(editor.getByRole('button', { name: 'Save rule' }));

    await editor.findByText('Saved');
    expect(store.current().keywordRules).toEqual([{ ...QUOTE_RULE, keyword: 'quotation', dueInDays: null }]);
    expect(rows(editor)).toEqual([
      ['Subject', 'quotation', 'Suggest a task', 'Send the quote', 'Normal', '—'],
    ]);
    expect(editor.getByRole('group', { name: 'Add a rule' })).toBeTruthy();
  });

  it('removes a rule', async () => {
    const second: KeywordRule = { ...QUOTE_RULE, id: 'r2', keyword: 'invoice', taskTitle: 'Check payment' };
    const { store } = renderOptions({ settings: { keywordRules: [QUOTE_RULE, second] } });
    const editor = await rulesEditor();
    fireEvent.click(editor.getByRole('button', { name: 'Remove rule “quote”' }));
    await editor.findByText('Saved');
    expect(store.current().keywordRules).toEqual([second]);
    expect(rows(editor).map((row) => row[1])).toEqual(['invoice']);
  });
});
