import type { SyntheticEvent } from 'react';

/**
 * Runs `action` only for an event the browser made from real user input. Webmail page
 * script shares the DOM with the panel: whatever it dispatches, `element.click()` and
 * `form.requestSubmit()` included, arrives with `isTrusted: false`
 * (https://developer.mozilla.org/en-US/docs/Web/API/Event/isTrusted), so an action that
 * writes to the CRM ignores it. DOM emulations without the property (happy-dom in unit
 * tests) count as trusted; the Chromium end-to-end test checks the real browser.
 */
export function whenTrusted<E extends SyntheticEvent>(action: (event: E) => void): (event: E) => void {
  return (event) => {
    if (event.nativeEvent.isTrusted === false) {
      event.preventDefault();
      return;
    }
    action(event);
  };
}
