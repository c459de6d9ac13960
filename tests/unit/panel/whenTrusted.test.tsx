// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { whenTrusted } from '../../../components/panel/whenTrusted';

afterEach(cleanup);

/** A click as page script makes it: browsers mark every dispatched event isTrusted: false. */
function scriptedClick(target: Element): void {
  const event = new MouseEvent('click', { bubbles: true });
  Object.defineProperty(event, 'isTrusted', { value: false });
  target.dispatchEvent(event);
}

// docs/SECURITY.md, "Panel isolation": page script must not drive the panel's buttons.
describe('whenTrusted', () => {
  it('ignores events a script dispatched and runs the action for user input', () => {
    const action = vi.fn();
    render(
      <button type="button" onClick={whenTrusted(action)}>
        Log email
      </button>,
    );
    const button = screen.getByRole('button', { name: 'Log email' });
    scriptedClick(button);
    expect(action).not.toHaveBeenCalled();
    const userClick = new MouseEvent('click', { bubbles: true });
    Object.defineProperty(userClick, 'isTrusted', { value: true });
    button.dispatchEvent(userClick);
    expect(action).toHaveBeenCalledTimes(1);
  });
});
